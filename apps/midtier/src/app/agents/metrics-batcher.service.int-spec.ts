import { generateCredential, MAX_BATCH_BYTES, MetricsBatch, MetricSample } from '@thresh/protocol';
import { AppException } from '@thresh/server-core';
import { metricSample } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubLinkService } from '../hub-link/hub-link.service';
import { loadMidtierConfig } from '../midtier-config';
import { MetricsBatcherService } from './metrics-batcher.service';

/** Stands in for the link to the hub: records each batch and answers (or refuses, as HubLinkService throws) as told. */
class RecordingHubLink {
  connected = true;
  readonly batches: MetricsBatch['samples'][] = [];
  refuseAgent?: string;
  /** While set, each answer waits for its own release: the batches the midtier has in flight. */
  holdAnswers = false;
  readonly held: (() => void)[] = [];

  async request(_event: 'metrics:batch', { samples }: MetricsBatch) {
    this.batches.push(samples);
    if (this.holdAnswers) await new Promise<void>((release) => this.held.push(release));
    if (samples.some((sample) => sample.agentId === this.refuseAgent)) {
      throw new AppException('validation_failed', 'refused');
    }
    return { ok: true as const, stored: samples.length, unknown: 0 };
  }
}

describe('MetricsBatcherService', () => {
  let hub: RecordingHubLink;
  let batcher: MetricsBatcherService;

  let spoolDir: string;

  const startBatcher = (settings: Record<string, string>) => {
    const config = loadMidtierConfig({ HUB_URL: 'http://127.0.0.1:1', MIDTIER_KEY: generateCredential('midtier', 'acme'), MIDTIER_SPOOL_DIR: spoolDir, ...settings });
    batcher = new MetricsBatcherService(hub as unknown as HubLinkService, config);
  };

  beforeEach(() => {
    hub = new RecordingHubLink();
    spoolDir = mkdtempSync(join(tmpdir(), 'midtier-spool-'));
    // Flushed by hand in most cases: neither the size (2,000 samples) nor the delay (a minute) is reached.
    startBatcher({ MIDTIER_METRICS_BATCH_SIZE: '2000', MIDTIER_METRICS_FLUSH_MS: '60000' });
  });

  afterEach(async () => {
    hub.holdAnswers = false;
    for (const release of hub.held) release();
    await batcher.onModuleDestroy();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const samples = (count: number, environments = 0): MetricSample[] =>
    Array.from({ length: count }, (_, seq) =>
      metricSample({ seq, environments: Array.from({ length: environments }, (__, index) => ({ name: `env-${index}-${'x'.repeat(50)}`, status: 'running' as const })) }),
    );

  it('sends a report waiting alone once the flush delay has passed, without a full batch', async () => {
    startBatcher({ MIDTIER_METRICS_BATCH_SIZE: '2000', MIDTIER_METRICS_FLUSH_MS: '20' });
    const agentId = randomUUID();
    const report = batcher.submit(agentId, samples(3));
    expect(hub.batches).toEqual([]);
    await report;
    expect(hub.batches.map((batch) => batch.length)).toEqual([3]);
  });

  it('has up to MIDTIER_METRICS_MAX_IN_FLIGHT batches at the hub at once, and sends the next as soon as one is answered', async () => {
    startBatcher({ MIDTIER_METRICS_BATCH_SIZE: '10', MIDTIER_METRICS_FLUSH_MS: '60000', MIDTIER_METRICS_MAX_IN_FLIGHT: '2' });
    hub.holdAnswers = true;
    const agents = Array.from({ length: 5 }, () => randomUUID());
    const reports = agents.map((agentId) => batcher.submit(agentId, samples(10)));
    // Full batches leave at once, two of them: the other three wait for an answer.
    expect(hub.batches.map((batch) => batch[0].agentId)).toEqual(agents.slice(0, 2));

    hub.held.shift()?.();
    await reports[0];
    // The freed place is taken once the answered batch has settled.
    await new Promise(setImmediate);
    expect(hub.batches.map((batch) => batch[0].agentId)).toEqual(agents.slice(0, 3));

    hub.holdAnswers = false;
    for (const release of hub.held.splice(0)) release();
    await Promise.all(reports);
    expect(hub.batches.map((batch) => batch[0].agentId)).toEqual(agents);
  });

  it('on shutdown sends what waits, and refuses later reports so their agents keep them', async () => {
    const waiting = batcher.submit(randomUUID(), samples(3));
    await batcher.onModuleDestroy();
    await waiting;
    expect(hub.batches.map((batch) => batch.length)).toEqual([3]);
    await expect(batcher.submit(randomUUID(), samples(1))).rejects.toThrow('shutting down');
    expect(hub.batches).toHaveLength(1);
  });

  it('keeps every batch under the byte limit, however large the samples', async () => {
    // 40 reports of 20 samples with 200 environments each: about 8 MB in all.
    const reports = Array.from({ length: 40 }, () => batcher.submit(randomUUID(), samples(20, 200)));
    await batcher.flush();
    await Promise.all(reports);
    expect(hub.batches.length).toBeGreaterThan(3);
    for (const batch of hub.batches) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(hub.batches.flat()).toHaveLength(800);
  });

  it('isolates a report the hub refuses, storing the others of its batch', async () => {
    const refused = randomUUID();
    hub.refuseAgent = refused;
    const agents = Array.from({ length: 8 }, () => randomUUID());
    agents.splice(5, 0, refused);
    const outcomes = agents.map((agentId) => batcher.submit(agentId, samples(3)).then(() => 'stored', (error: Error) => error.message));
    await batcher.flush();
    expect(await Promise.all(outcomes)).toEqual(agents.map((agentId) => (agentId === refused ? 'refused' : 'stored')));
  });

  it('drops from the spool only the report the hub refuses as sent, and replays the rest of its batch', async () => {
    hub.connected = false;
    const refused = randomUUID();
    const agents = [randomUUID(), refused, randomUUID()];
    for (const agentId of agents) await batcher.submit(agentId, samples(2));
    hub.connected = true;
    hub.refuseAgent = refused;
    await batcher.replay();

    const stored = hub.batches.filter((batch) => !batch.some((sample) => sample.agentId === refused));
    expect(stored.flat().map((sample) => sample.agentId)).toEqual([agents[0], agents[0], agents[2], agents[2]]);
    expect(batcher.spool.empty).toBe(true);
  });

  it('acknowledges reports once spooled while the hub is away, and replays them in order when it is back', async () => {
    hub.connected = false;
    const agents = [randomUUID(), randomUUID(), randomUUID()];
    for (const [index, agentId] of agents.entries()) await batcher.submit(agentId, samples(index + 1));
    expect(batcher.spool.spooledSamples).toBe(6);
    expect(hub.batches).toEqual([]);

    hub.connected = true;
    // While the spool holds samples, new ones queue behind them.
    await batcher.submit(agents[0], samples(2));
    await batcher.replay();

    expect(hub.batches.flat().map((sample) => sample.agentId)).toEqual([agents[0], agents[1], agents[1], agents[2], agents[2], agents[2], agents[0], agents[0]]);
    expect(batcher.spool.empty).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
