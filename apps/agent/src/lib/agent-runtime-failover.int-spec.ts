import { agentRegistration, freePort, waitFor } from '@thresh/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeRestMidtier } from '../test/fake-rest-midtier';
import { measuredSample, sampleBufferIn } from '../test/measurements';
import { AgentConfig, CONFIG_DEFAULTS } from './agent-config';
import { AgentRuntime, AgentRuntimeOptions } from './agent-runtime';
import { agentStateWhen } from '../test/agent-state-when';
import { AgentState, readAgentState } from './agent-state';

jest.setTimeout(10_000);

const API_KEY = 'thresh_live_default_failover';
const NODE_CREDENTIAL = 'thresh_node_default_failover';
describe('AgentRuntime failover to fallback-url', () => {
  let home: string;
  let primary: FakeRestMidtier;
  let fallback: FakeRestMidtier;
  let runtime: AgentRuntime | undefined;
  let logs: string[];
  let kept: string[];
  const registration = agentRegistration({ enrollment: 'failover-test-enrollment-secret-0123456789' });

  const startRuntime = (config: Partial<AgentConfig>, options: Partial<AgentRuntimeOptions> = {}): AgentRuntime => {
    const buffer = sampleBufferIn(home);
    const started = new AgentRuntime({
      config: {
        ...CONFIG_DEFAULTS,
        'midtier-url': primary.url,
        'api-key': API_KEY,
        transport: 'rest',
        'metrics-interval': 1,
        'reconnect-delay': 1,
        'poll-interval': 1,
        'auto-failover': true,
        'fallback-url': fallback.url,
        'failback-delay': 1,
        ...config,
      },
      registration,
      buffer,
      collect: async () => measuredSample(),
      log: (message) => logs.push(message),
      keepNodeCredential: (credential) => kept.push(credential),
      // The setting's minimum is 5 s: tests fail over sooner, and ask the primary's health more often than every 5 s.
      failoverTimeoutMs: 1000,
      primaryProbeIntervalMs: 200,
      ...options,
    });
    started.start();
    runtime = started;
    return started;
  };
  const connectedTo = (target: 'primary' | 'fallback') => (state: AgentState) => state.status === 'connected' && state.target === target;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'agent-failover-'));
    process.env['THRESH_HOME'] = home;
    primary = new FakeRestMidtier(API_KEY, { refuseWebSockets: true, issueCredential: NODE_CREDENTIAL });
    fallback = new FakeRestMidtier(API_KEY, { refuseWebSockets: true, issueCredential: NODE_CREDENTIAL });
    await Promise.all([primary.start(), fallback.start()]);
    logs = [];
    kept = [];
  });

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await Promise.all([primary.stop(), fallback.stop()]);
    delete process.env['THRESH_HOME'];
    rmSync(home, { recursive: true, force: true });
  });

  it('fails over once the primary has been down for failover-timeout, fails back once it has been healthy for failback-delay, sending each sample once', async () => {
    startRuntime({});
    const first = await agentStateWhen('registered at the primary', connectedTo('primary'));
    expect(first).toEqual(expect.objectContaining({ target: 'primary', targetUrl: primary.url }));
    await waitFor('samples at the primary', () => primary.reports.length > 0);

    await primary.stop();
    const primaryDownAt = Date.now();
    const onFallback = await agentStateWhen('registered at the fallback', connectedTo('fallback'));
    // Not before failover-timeout (1 s) had passed since the outage began.
    expect(Date.parse(onFallback.targetSince ?? '')).toBeGreaterThanOrEqual(primaryDownAt + 900);
    expect(onFallback).toEqual(expect.objectContaining({ targetUrl: fallback.url, transport: 'rest (polling every 1s)' }));
    expect(logs).toContainEqual(`primary ${primary.url} unreachable for 1s: failing over to ${fallback.url}`);
    await waitFor('samples at the fallback', () => fallback.reports.length > 0);

    await primary.start();
    const healthyFrom = Date.now();
    const back = await agentStateWhen('registered at the primary again', (state) => connectedTo('primary')(state) && state.targetSince !== first.targetSince);
    // Health checks answered 200 for failback-delay (1 s) before the move.
    expect(Date.parse(back.targetSince ?? '')).toBeGreaterThanOrEqual(healthyFrom + 900);
    expect(logs).toContainEqual(`primary healthy for 1s: failing back to ${primary.url}`);
    const reportsBeforeFailback = primary.reports.length;
    await waitFor('samples at the primary again', () => primary.reports.length > reportsBeforeFailback);

    await runtime?.stop();
    // Every sample measured went to exactly one of them, none lost, none twice.
    const sent = [...primary.reportedSeqs(), ...fallback.reportedSeqs()].sort((a, b) => a - b);
    expect(sent).toEqual(sent.map((_seq, index) => index));
    // Only one server is told at a time: the fallback stopped polling once the agent moved back.
    const fallbackPolls = fallback.pollWaits.length;
    await sleep(1200);
    expect(fallback.pollWaits).toHaveLength(fallbackPolls);
    // The credential issued at the first registration was kept, and every later registration, wherever it went, presented it.
    expect(kept).toEqual([NODE_CREDENTIAL]);
    const later = [...primary.registrations.slice(1), ...fallback.registrations];
    expect([primary.registrations[0].nodeCredential, later.length > 1, later.every((sent) => sent.nodeCredential === NODE_CREDENTIAL)]).toEqual([undefined, true, true]);
  });

  it('does not fail over when the primary refuses the key: the fallback would refuse it too', async () => {
    await primary.stop();
    primary = new FakeRestMidtier('thresh_live_default_otherkey');
    await primary.start();
    startRuntime({});
    const refused = await agentStateWhen('the refusal', (state) => state.lastError !== null);
    expect(refused).toEqual(
      expect.objectContaining({ status: 'disconnected', target: 'primary', lastError: 'the midtier refused the api-key: Invalid or revoked key' }),
    );
    // Well past failover-timeout (1 s).
    await sleep(2000);
    expect(readAgentState()).toEqual(expect.objectContaining({ target: 'primary', targetUrl: primary.url }));
    expect(fallback.registrations).toEqual([]);
    expect(logs.filter((line) => line.includes('failing over'))).toEqual([]);
  });

  it('fails over with transport auto to a fresh transport that falls back to REST there, and stays with failback-delay 0', async () => {
    const closedPrimaryUrl = `http://127.0.0.1:${await freePort()}`;
    startRuntime({ transport: 'auto', 'midtier-url': closedPrimaryUrl, 'failback-delay': 0 });
    const onFallback = await agentStateWhen('registered at the fallback over REST', connectedTo('fallback'));
    expect(onFallback).toEqual(
      expect.objectContaining({ targetUrl: fallback.url, transport: 'rest (polling every 1s)', fallbackReason: expect.stringMatching(/^WebSockets unavailable/) }),
    );
    expect(logs).toContainEqual(`primary ${closedPrimaryUrl} unreachable for 1s: failing over to ${fallback.url}`);
    expect(logs).toContainEqual(expect.stringMatching(/^cannot connect: cannot reach 127\.0\.0\.1:\d+: connection refused \(is the midtier running\?\)$/));
    // failback-delay 0: the primary's health is not even asked.
    const healthChecks = primary.healthChecks;
    await sleep(600);
    expect(primary.healthChecks).toBe(healthChecks);
    expect(readAgentState()?.target).toBe('fallback');
  });
});
