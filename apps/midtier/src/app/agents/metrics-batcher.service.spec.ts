import { generateCredential, MAX_BATCH_BYTES, MetricsBatch, MetricSample } from '@thresh/protocol';
import { metricSample } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubLinkService } from '../hub-link/hub-link.service';
import { loadMidtierConfig } from '../midtier-config';
import { MetricsBatcherService } from './metrics-batcher.service';

/** Stands in for the socket to the hub: records each batch and answers as told. */
class RecordingHubLink {
  connected = true;
  readonly batches: MetricsBatch['samples'][] = [];
  refuseAgent?: string;

  async request(_event: 'metrics:batch', { samples }: MetricsBatch) {
    this.batches.push(samples);
    if (samples.some((sample) => sample.agentId === this.refuseAgent)) {
      return { ok: false as const, error: { code: 'validation_failed' as const, message: 'refused' } };
    }
    return { ok: true as const, stored: samples.length, unknown: 0 };
  }
}

describe('MetricsBatcherService', () => {
  let hub: RecordingHubLink;
  let batcher: MetricsBatcherService;

  let spoolDir: string;

  beforeEach(() => {
    hub = new RecordingHubLink();
    spoolDir = mkdtempSync(join(tmpdir(), 'midtier-spool-'));
    const config = loadMidtierConfig({
      HUB_URL: 'http://127.0.0.1:1',
      MIDTIER_KEY: generateCredential('midtier', 'acme'),
      MIDTIER_METRICS_BATCH_SIZE: '2000',
      MIDTIER_SPOOL_DIR: spoolDir,
    });
    batcher = new MetricsBatcherService(hub as unknown as HubLinkService, config);
  });

  afterEach(() => rmSync(spoolDir, { recursive: true, force: true }));

  const samples = (count: number, environments = 0): MetricSample[] =>
    Array.from({ length: count }, (_, seq) =>
      metricSample({ seq, environments: Array.from({ length: environments }, (__, index) => ({ name: `env-${index}-${'x'.repeat(50)}`, status: 'running' as const })) }),
    );

  it('keeps every batch under the byte limit, however large the samples', async () => {
    // Flushed by hand below: the size trigger (2,000 samples) is never reached.
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
