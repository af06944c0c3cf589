import type { AgentCommand } from '@thresh/protocol';
import { agentRegistration, metricSample, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { FakeRestMidtier } from '../../test/fake-rest-midtier';
import { LinkFailure } from './agent-link';
import { RestLink } from './rest-link';

const API_KEY = 'thresh_live_default_resttest';

jest.setTimeout(10_000);

describe('RestLink against a mid-tier over loopback HTTP', () => {
  let midtier: FakeRestMidtier;
  let link: RestLink | undefined;
  let connectedAt: number[];
  let disconnected: string[];
  let failures: LinkFailure[];
  let commands: unknown[];
  const registration = agentRegistration();

  /** Plays the runtime's part: registers whenever the link says the mid-tier can be reached. */
  const startLink = (options: { apiKey?: string; reconnectDelaySeconds?: number } = {}): RestLink => {
    const started = new RestLink({
      url: midtier.url,
      apiKey: options.apiKey ?? API_KEY,
      tlsVerify: true,
      reconnectDelaySeconds: options.reconnectDelaySeconds ?? 1,
      pollIntervalSeconds: 1,
    });
    started.start({
      connected: () => {
        connectedAt.push(Date.now());
        void started.register(registration);
      },
      disconnected: (reason) => disconnected.push(reason),
      error: (failure) => failures.push(failure),
      commandRun: (command) => commands.push(command),
      commandCancel: () => undefined,
    });
    link = started;
    return started;
  };
  const registered = (count: number) => waitFor(`registration ${count}`, () => midtier.registrations.length >= count);
  const report = (seq: number) => link?.report({ agentId: registration.agentId, samples: [metricSample({ seq })] });

  beforeEach(async () => {
    midtier = new FakeRestMidtier(API_KEY);
    await midtier.start();
    [connectedAt, disconnected, failures, commands] = [[], [], [], []];
  });

  afterEach(async () => {
    await link?.stop('shutdown');
    link = undefined;
    await midtier.stop();
  });

  it('registers, reports metrics, receives a command through a long poll and posts its update', async () => {
    startLink();
    await registered(1);
    expect(midtier.registrations).toEqual([registration]);
    await waitFor('a poll held open', () => midtier.pollWaits.length === 1);
    expect(midtier.pollWaits).toEqual([25]);

    expect(await report(0)).toEqual({ ok: true, accepted: 1 });
    expect(midtier.reportedSeqs()).toEqual([0]);

    const command: AgentCommand = { id: randomUUID(), kind: 'environment.list', payload: {}, deadline: new Date(Date.now() + 60_000).toISOString() };
    const queuedAt = Date.now();
    midtier.queueCommand(registration.agentId, command);
    await waitFor('the command', () => commands.length === 1);
    // Handed over by the poll held open, not by one 25 s later.
    expect(Date.now() - queuedAt).toBeLessThan(1000);
    expect(commands).toEqual([command]);

    const update = { commandId: command.id, state: 'succeeded' as const, result: { environments: [] } };
    expect(await link?.commandUpdate(update)).toEqual({ ok: true, accepted: true });
    expect(midtier.updates).toEqual([{ agentId: registration.agentId, update }]);

    // The next poll follows poll-interval (1 s) after the answer.
    await waitFor('the next poll', () => midtier.pollWaits.length === 2);
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(900);
    expect(failures).toEqual([]);
  });

  it('registers again when the mid-tier answers 409 not_registered, then carries on', async () => {
    startLink();
    await registered(1);
    midtier.forgetSessions();

    expect(await report(0)).toEqual({ ok: false, error: { code: 'not_registered', message: 'This agent has no session: register again' } });
    await registered(2);
    expect(disconnected).toEqual(['This agent has no session: register again']);
    await waitFor('the report stored', async () => (await report(0))?.ok);
    expect(midtier.reportedSeqs()).toEqual([0]);
    // One poll loop, for the new session only.
    await waitFor('a poll of the new session', () => midtier.pollWaits.length >= 2);
  });

  it('tells a refused key from an unreachable host', async () => {
    startLink({ apiKey: 'thresh_live_default_revoked' });
    await waitFor('the refusal', () => failures.length === 1);
    expect(failures).toEqual([{ kind: 'refused', message: 'the midtier refused the api-key: Invalid or revoked key' }]);
    expect(midtier.registrations).toEqual([]);
  });

  it('backs off exponentially while the mid-tier is down, and registers again once it is back', async () => {
    startLink({ reconnectDelaySeconds: 0.2 });
    await registered(1);
    await waitFor('a poll held open', () => midtier.pollWaits.length === 1);
    await midtier.stop();

    // The poll breaks, then each registration fails: retries after 100-200, 200-400, 400-800 ms.
    await waitFor('three retries', () => connectedAt.length >= 4);
    expect(disconnected).toHaveLength(1);
    // The poll held open breaks off; then the port is closed.
    expect(failures[0]).toEqual({ kind: 'network', message: expect.stringMatching(/^connection to 127\.0\.0\.1:\d+ failed: socket hang up$/) });
    expect(failures.slice(1).map((failure) => failure.kind)).toEqual(failures.slice(1).map(() => 'unreachable'));
    const [secondGap, thirdGap] = [connectedAt[2] - connectedAt[1], connectedAt[3] - connectedAt[2]];
    expect(secondGap).toBeGreaterThanOrEqual(190);
    expect(thirdGap).toBeGreaterThanOrEqual(390);

    await midtier.start();
    await registered(2);
    await waitFor('polling again', () => midtier.pollWaits.length === 2);
  });

  it('unregisters when the agent stops, but not when another link takes over', async () => {
    const first = startLink();
    await registered(1);
    await waitFor('a poll held open', () => midtier.pollWaits.length === 1);
    await first.stop('replaced');
    expect(midtier.unregistered).toEqual([]);

    startLink();
    await registered(2);
    await link?.stop('shutdown');
    expect(midtier.unregistered).toEqual([registration.agentId]);
    // No poll goes out after either stop.
    const polls = midtier.pollWaits.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(midtier.pollWaits).toHaveLength(polls);
  });
});
