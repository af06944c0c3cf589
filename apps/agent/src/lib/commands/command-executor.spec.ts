import { FakeLink } from '../../test/fake-link';
import { CommandExecutor } from './command-executor';

describe('CommandExecutor', () => {
  const update = { commandId: '6f1c3c52-2a7e-4c1e-9d55-8f0f3c7d2b11', state: 'succeeded' as const };
  let link: FakeLink | undefined;
  let logs: string[];
  const executor = () => new CommandExecutor({ link: () => link, log: (message) => logs.push(message) });

  beforeEach(() => {
    link = new FakeLink('socketio', 'http://midtier');
    logs = [];
  });

  it('says the hub has an update it acknowledged', async () => {
    expect(await executor().sendUpdate(update)).toBe(true);
    expect(link?.updates).toEqual([update]);
  });

  it('keeps an update for later while no link is registered', async () => {
    link = undefined;
    expect(await executor().sendUpdate(update)).toBe(false);
  });

  it.each(['hub_unavailable', 'not_registered', 'rate_limited', 'forbidden', 'unauthorized'] as const)('keeps an update refused with %s, to send it again', async (code) => {
    if (link) link.updateAnswer = { ok: false, error: { code, message: 'not now' } };
    expect(await executor().sendUpdate(update)).toBe(false);
  });

  it('gives up on an update refused as sent, saying so: it would be refused again', async () => {
    if (link) link.updateAnswer = { ok: false, error: { code: 'validation_failed', message: 'output: too long' } };
    expect(await executor().sendUpdate(update)).toBe(true);
    expect(logs).toEqual(['the hub refused a command update: output: too long']);
  });

  it('hands commands, cancellations and registrations to their handlers', () => {
    const heard: string[] = [];
    const handlers = { run: () => heard.push('run'), cancel: (id: string) => heard.push(`cancel ${id}`), registered: () => heard.push('registered') };
    const withHandlers = new CommandExecutor({ link: () => link, handlers, log: () => undefined });
    withHandlers.run({ id: 'c-1' });
    withHandlers.cancel('c-1');
    withHandlers.registered();
    expect(heard).toEqual(['run', 'cancel c-1', 'registered']);
  });
});
