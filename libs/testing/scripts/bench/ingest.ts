// Figure 2: samples per second stored end to end (simulated agents -> one midtier -> one hub -> PostgreSQL), beside a
// raw COPY of the same rows into the same database. Rows in metric_samples are counted at the start and the end of a
// fixed window while the simulator sends many samples per report; then the rows stored are copied out
// (COPY … TO STDOUT, pg-copy-streams) and timed going back in with COPY … FROM STDIN into a table with the same
// columns, indexes and foreign key.
import { cpus } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as copyStreams from 'pg-copy-streams';
import { cpuMeter, describeCpu, figure, int, query, sleep, startFleet, withClient, withHubAndMidtier } from './common';

export default figure({
  id: 'ingest',
  number: 2,
  title: 'Samples per second stored end to end',
  target: '>= 50% of raw COPY',
  size: ({ smoke, agents }) => ({
    agents: agents ?? 200,
    samplesPerReport: 500,
    intervalSeconds: 1,
    warmupSeconds: smoke ? 5 : 10,
    windowSeconds: smoke ? 20 : 60,
  }),
  describeSize: (size) => `${int(size.agents)} agents × ${size.samplesPerReport} samples/report every ${size.intervalSeconds} s, ${size.windowSeconds} s window`,

  async run(size, log) {
    return withHubAndMidtier('ingest', size.agents, async ({ processes, db, hub, agentKey, midtier }) => {
      const fleet = await startFleet(processes, {
        url: midtier.url,
        key: agentKey,
        agents: size.agents,
        interval: size.intervalSeconds,
        samplesPerReport: size.samplesPerReport,
        ramp: 2,
        prefix: 'ingest-',
      });
      await fleet.waitAllRegistered(120_000);
      log(`${size.agents} agents registered; ${size.warmupSeconds} s warm-up, then ${size.windowSeconds} s counted`);
      await sleep(size.warmupSeconds * 1000);
      const count = async () => {
        const asked = Date.now();
        const [{ rows }] = await query<{ rows: string }>(db.url, 'SELECT count(*)::bigint AS rows FROM metric_samples');
        return { rows: Number(rows), at: (asked + Date.now()) / 2 };
      };
      const first = await count();
      const cpu = cpuMeter({ hub: [hub.pid], midtier: [midtier.pid], simulators: fleet.pids });
      await sleep(size.windowSeconds * 1000);
      const usage = cpu.stop();
      const last = await count();
      const stats = await fleet.stop();
      const endToEnd = (last.rows - first.rows) / ((last.at - first.at) / 1000);
      await processes.stop(midtier.child);
      await processes.stop(hub.child);
      log(`end to end: ${int(endToEnd)} samples/s; now COPY of the same rows`);

      const raw = await copyBaseline(db.url);
      const ratio = endToEnd / raw.rowsPerSecond;
      const pass = ratio >= 0.5;
      const cores = cpus().length;
      const totalCpu = Object.values(usage).reduce((total, percent) => total + percent, 0);
      const cpuBound = totalCpu >= 85 * cores;
      const offered = (size.agents * size.samplesPerReport) / size.intervalSeconds;
      const why = endToEnd >= 0.9 * offered
        ? `limited by the load offered (${int(offered)} samples/s): more agents (--agents) would show the pipeline's ceiling`
        : cpuBound
        ? `CPU-bound: ${totalCpu}% of ${cores * 100}% in use`
        : `not CPU-bound (${totalCpu}% of ${cores * 100}% in use): the rate is set by the batches the midtier has at the hub at once ` +
          `(MIDTIER_METRICS_MAX_IN_FLIGHT) and their round trip`;
      return {
        measured: `${int(endToEnd)} samples/s`,
        baseline: `${int(raw.rowsPerSecond)} rows/s, COPY of the same ${int(raw.rows)} rows`,
        ratio: `${Math.round(ratio * 100)}%`,
        pass,
        note:
          `${pass ? '' : `Misses: ${why}. `}CPU over the window: ${describeCpu(usage)}. End to end each sample is validated twice (midtier, hub), crosses two ` +
          `Socket.IO hops as JSON, and is stored with its minute and hour rollups and its node's latest values in one transaction per batch (its nodes locked, then one statement); COPY only inserts ` +
          `(into a table with the same columns, indexes and foreign key). Simulator: ${int(stats.samples.acked)} of ${int(stats.samples.sent)} samples acknowledged, ` +
          `${int(stats.samples.lost)} lost, report p95 ${stats.latency.reportP95Ms} ms.`,
        commands: [...processes.commands, `COPY (SELECT * FROM metric_samples) TO STDOUT; COPY metric_samples_copy FROM STDIN  -- pg-copy-streams`],
        details: { endToEnd, first, last, cpu: usage, raw, fleet: stats },
      };
    });
  },
});

/** Copies metric_samples out, then times COPY FROM STDIN of those rows into a table shaped like the one the hub writes. */
function copyBaseline(url: string) {
  return withClient(url, async (client) => {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyStreams.to(`COPY (SELECT * FROM metric_samples) TO STDOUT`))) chunks.push(chunk);
    const [{ rows }] = (await client.query<{ rows: string }>('SELECT count(*)::bigint AS rows FROM metric_samples')).rows;
    // The parent's columns, primary key and (node_id, at) index; the (at) index of its partitions; its foreign key.
    await client.query('CREATE TABLE metric_samples_copy (LIKE metric_samples INCLUDING ALL)');
    await client.query('CREATE INDEX ON metric_samples_copy (at)');
    await client.query('ALTER TABLE metric_samples_copy ADD FOREIGN KEY (node_id) REFERENCES nodes(id) ON DELETE CASCADE');
    await client.query('CHECKPOINT');
    const began = process.hrtime.bigint();
    await pipeline(Readable.from(chunks), client.query(copyStreams.from('COPY metric_samples_copy FROM STDIN')));
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    return { rows: Number(rows), seconds, rowsPerSecond: Number(rows) / seconds, bytes: chunks.reduce((total, chunk) => total + chunk.length, 0) };
  });
}
