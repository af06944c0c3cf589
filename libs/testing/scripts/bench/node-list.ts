// Figure 6: GET /api/nodes with a large fleet: p99 of sequential requests with limit=100 and with limit=1000 (offsets
// walking through the fleet), beside the same page read straight from PostgreSQL (the query and count the hub's
// repository runs, through node-postgres) — the floor the API cannot go under. Nodes are registered through the hub's
// /midtier namespace directly, as a midtier would (much faster than as many agents), and each reports once.
import { performance } from 'node:perf_hooks';
import { cpuMeter, describeCpu, figure, int, loadedSample, ms, reportSamples, summarize, Summary, withClient, withHubAndNodes } from './common';

export default figure({
  id: 'nodes',
  number: 6,
  title: 'GET /api/nodes',
  target: 'p99 < 100 ms',
  size: ({ smoke, agents }) => ({ nodes: agents ?? (smoke ? 500 : 10_000), requests: 200, limits: [100, 1000] }),
  describeSize: (size) => `${int(size.nodes)} nodes, ${size.requests} requests per limit`,

  async run(size, log) {
    return withHubAndNodes('nodes', size.nodes, async ({ processes, db, hub, midtier, agentIds, registeringSince }) => {
      await reportSamples(midtier, agentIds.map((agentId) => ({ agentId, ...loadedSample({ environments: [{ name: 'web', status: 'running' }] }) })));
      const { total } = await hub.get<{ total: number }>('/api/nodes?limit=1');
      if (total !== size.nodes) throw new Error(`the hub lists ${total} nodes, not ${size.nodes}`);
      log(`${int(size.nodes)} nodes registered and measured in ${((Date.now() - registeringSince) / 1000).toFixed(1)} s; ${size.requests} requests per limit`);

      return withClient(db.url, async (sqlClient) => {
        const [{ account_id: accountId }] = (await sqlClient.query<{ account_id: string }>('SELECT account_id FROM nodes LIMIT 1')).rows;
        const results: Record<number, { api: Summary; sql: Summary }> = {};
        const cpu = cpuMeter({ hub: [hub.pid] });
        for (const limit of size.limits) {
          const offsets = Array.from({ length: size.requests }, (_, index) => (index * limit) % Math.max(limit, size.nodes - limit + 1));
          const api = async (offset: number) => {
            const started = performance.now();
            const response = await fetch(`${hub.url}/api/nodes?limit=${limit}&offset=${offset}`, { headers: { authorization: `Bearer ${hub.token}` } });
            const body = await response.json();
            if (!response.ok || body.items.length === 0) throw new Error(`GET /api/nodes answered ${response.status} with ${body.items?.length} items`);
            return performance.now() - started;
          };
          // The repository's two statements: the page and the count (TypeORM getManyAndCount).
          const sql = async (offset: number) => {
            const started = performance.now();
            await sqlClient.query('SELECT * FROM nodes WHERE account_id = $1 ORDER BY name ASC NULLS FIRST, id ASC LIMIT $2 OFFSET $3', [accountId, limit, offset]);
            await sqlClient.query('SELECT count(DISTINCT id) FROM nodes WHERE account_id = $1', [accountId]);
            return performance.now() - started;
          };
          for (let index = 0; index < 10; index++) {
            await api(offsets[index]);
            await sql(offsets[index]);
          }
          const apiTimes = [];
          const sqlTimes = [];
          for (const offset of offsets) apiTimes.push(await api(offset));
          for (const offset of offsets) sqlTimes.push(await sql(offset));
          results[limit] = { api: summarize(apiTimes), sql: summarize(sqlTimes) };
        }
        const usage = cpu.stop();
        const [small, large] = size.limits.map((limit) => results[limit]);
        const pass = small.api.p99 < 100 && large.api.p99 < 100;
        return {
          measured: `limit=100: p99 ${ms(small.api.p99)} (p50 ${ms(small.api.p50)}); limit=1000: p99 ${ms(large.api.p99)} (p50 ${ms(large.api.p50)})`,
          baseline: `same page from PostgreSQL: p99 ${ms(small.sql.p99)} / ${ms(large.sql.p99)}`,
          ratio: `p99 ${(small.api.p99 / small.sql.p99).toFixed(1)}x / ${(large.api.p99 / large.sql.p99).toFixed(1)}x`,
          pass,
          note:
            `${pass ? '' : 'Misses: '}beyond the query, the hub maps each row to its response shape and serializes it ` +
            `(limit=1000: ${int(large.api.count)} answers of ${int(Math.min(1000, size.nodes))} nodes); requests one at a time. CPU over the requests: ${describeCpu(usage)}.`,
          commands: [...processes.commands, `GET /api/nodes?limit=100&offset=<0, 100, …> ×${size.requests}; GET /api/nodes?limit=1000&offset=<0, 1000, …> ×${size.requests}`],
          details: results,
        };
      });
    });
  },
});
