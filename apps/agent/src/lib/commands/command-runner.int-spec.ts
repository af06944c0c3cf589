import type { AgentCommand, CommandUpdate } from '@thresh/protocol';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlueprintCatalog } from '../blueprints/blueprint-catalog';
import { EnvironmentManager } from '../environments/environment-manager';
import { ProcessDriver } from '../environments/process-driver';
import { CommandJournal } from './command-journal';
import { CommandRunner } from './command-runner';

describe('CommandRunner with the process driver', () => {
  let home: string;
  let sent: CommandUpdate[];
  let hubAnswers: boolean;
  const runner = () =>
    new CommandRunner({
      manager: new EnvironmentManager([new ProcessDriver(join(home, 'environments'))], new BlueprintCatalog(join(home, 'blueprints'))),
      journal: new CommandJournal(join(home, 'commands')),
      send: async (update) => {
        sent.push(update);
        return hubAnswers;
      },
      log: () => undefined,
    });
  const command = (overrides: Partial<AgentCommand> = {}): AgentCommand => ({
    id: randomUUID(),
    kind: 'environment.up',
    payload: { blueprint: 'counted', name: 'counted' },
    deadline: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  });
  const outcome = (id: string) => sent.filter((update) => update.commandId === id && update.state !== 'running');
  const until = async (check: () => boolean) => {
    for (let waited = 0; !check(); waited += 20) {
      if (waited > 10_000) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'runner-'));
    mkdirSync(join(home, 'blueprints'));
    writeFileSync(join(home, 'blueprints', 'counted.json'), JSON.stringify({ name: 'counted', scripts: { setup: `echo run >> ${join(home, 'runs')}; echo set up` } }));
    sent = [];
    hubAnswers = true;
  });

  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('runs a command once however often it arrives, and answers a repeat with the same outcome', async () => {
    const first = runner();
    const deploy = command();
    first.handle(deploy);
    first.handle(deploy);
    await until(() => outcome(deploy.id).length === 1);
    // A restarted agent, handed the same command again.
    runner().handle(deploy);
    await until(() => outcome(deploy.id).length === 2);
    expect(readFileSync(join(home, 'runs'), 'utf8')).toBe('run\n');
    const [done, repeat] = outcome(deploy.id);
    expect(done).toEqual(expect.objectContaining({ state: 'succeeded', output: expect.stringContaining('set up') }));
    expect(repeat).toEqual(done);
    expect(sent.filter((update) => update.state === 'running').map((update) => update.step && `${update.step.name}:${update.step.status}`)).toEqual([
      undefined, 'prepare:started', 'prepare:done', 'setup:started', 'setup:done',
    ]);
  });

  it('keeps an outcome the hub did not hear and sends it after the next registration', async () => {
    hubAnswers = false;
    const agent = runner();
    const list = command({ kind: 'blueprints.list', payload: {} });
    agent.handle(list);
    await until(() => outcome(list.id).length === 1);
    hubAnswers = true;
    await runner().resendOutcomes();
    expect(outcome(list.id)).toHaveLength(2);
    await runner().resendOutcomes();
    expect(outcome(list.id)).toHaveLength(2);
  });

  it('reports a command a stopped agent left unfinished as failed, and a passed deadline as such', async () => {
    const journal = new CommandJournal(join(home, 'commands'));
    const interrupted = randomUUID();
    journal.save({ id: interrupted, kind: 'environment.up', state: 'running', acknowledged: false });
    await runner().resendOutcomes();
    expect(outcome(interrupted)).toEqual([{ commandId: interrupted, state: 'failed', error: 'The agent stopped while the command ran', output: '' }]);

    const late = command({ deadline: new Date(Date.now() - 1000).toISOString() });
    runner().handle(late);
    await until(() => outcome(late.id).length === 1);
    expect(outcome(late.id)[0]).toEqual(expect.objectContaining({ state: 'failed', error: 'The command did not finish before its deadline' }));
  });

  it('ignores a command it cannot name, and refuses one of a kind it does not know so nobody waits for it', async () => {
    const agent = runner();
    agent.handle({ id: 'not-a-uuid', kind: 'environment.up', payload: {} });
    const unknownKind = randomUUID();
    agent.handle({ id: unknownKind, kind: 'rm -rf', payload: {}, deadline: new Date().toISOString() });
    await until(() => sent.length === 1);
    expect(sent).toEqual([{ commandId: unknownKind, state: 'failed', error: expect.stringMatching(/^this agent cannot run it \(kind: /) }]);
    expect(agent.inFlight).toBe(0);
  });

  it('sends output without NUL characters, which the hub would refuse', async () => {
    writeFileSync(join(home, 'blueprints', 'binary.json'), JSON.stringify({ name: 'binary', scripts: { setup: "printf 'a\\000b'" } }));
    const deploy = command({ payload: { blueprint: 'binary', name: 'binary' } });
    runner().handle(deploy);
    await until(() => outcome(deploy.id).length === 1);
    expect(outcome(deploy.id)[0].output).toContain('a\uFFFDb');
  });

  it('runs a stack\'s stop after the deploy that came before it, not alongside', async () => {
    const commands = runner();
    const service = { name: 'worker', environment: 'jobs-worker', command: 'exec sleep 60', env: {}, ports: [], volumes: [], dependsOn: [], restart: 'on-failure' as const };
    const deploy = command({ kind: 'stack.deploy', payload: { stack: 'jobs', onFailure: 'rollback', services: [service] } });
    const stop = command({ kind: 'stack.stop', payload: { stack: 'jobs', services: [service], destroy: true } });
    commands.handle(deploy);
    commands.handle(stop);
    await until(() => outcome(deploy.id).length === 1 && outcome(stop.id).length === 1);
    expect([outcome(deploy.id)[0].state, outcome(stop.id)[0].state]).toEqual(['succeeded', 'succeeded']);
    const finished = (id: string) => sent.findIndex((update) => update.commandId === id && update.state === 'succeeded');
    const stopStarted = sent.findIndex((update) => update.commandId === stop.id && update.step?.status === 'started');
    expect(stopStarted).toBeGreaterThan(finished(deploy.id));
    expect(existsSync(join(home, 'environments', 'jobs-worker'))).toBe(false);
  });
});
