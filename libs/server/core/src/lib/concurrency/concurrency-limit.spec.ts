import { ConcurrencyLimit } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  const startedTasks = () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const task = (id: number, fails = false) => () =>
      new Promise<number>((resolve, reject) => {
        started.push(id);
        finish[id] = () => (fails ? reject(new Error(`task ${id} failed`)) : resolve(id));
      });
    return { started, finish, task };
  };

  it('runs at most the limit at once, the rest in the order they came, and passes failures through', async () => {
    const limit = new ConcurrencyLimit({ limit: 2, maxWaitMs: 60_000, timedOut: () => new Error('waited too long') });
    const { started, finish, task } = startedTasks();
    const results = [limit.run(task(0)), limit.run(task(1, true)), limit.run(task(2)), limit.run(task(3))].map((promise) => promise.catch((error: Error) => error.message));
    await new Promise(setImmediate);
    expect(started).toEqual([0, 1]);
    expect(limit.queued).toBe(2);

    finish[1]();
    await new Promise(setImmediate);
    expect(started).toEqual([0, 1, 2]);

    finish[0]();
    await new Promise(setImmediate);
    finish[2]();
    finish[3]();
    expect(await Promise.all(results)).toEqual([0, 'task 1 failed', 2, 3]);
    expect(limit.queued).toBe(0);
  });

  it('gives up on a task that waited past maxWaitMs without running it, and keeps the queue going', async () => {
    const limit = new ConcurrencyLimit({ limit: 1, maxWaitMs: 20, timedOut: () => new Error('waited too long') });
    const { started, finish, task } = startedTasks();
    const first = limit.run(task(0));
    const late = limit.run(task(1));
    await expect(late).rejects.toThrow('waited too long');
    expect(limit.queued).toBe(0);

    const next = limit.run(task(2));
    finish[0]();
    await first;
    await new Promise(setImmediate);
    finish[2]();
    expect(await next).toBe(2);
    expect(started).toEqual([0, 2]);
  });
});
