import { deploymentLayers, findCycle, parseStackDefinition, resolveReferences, StackDefinition } from './stack-definition';

const webapp = {
  name: 'webapp',
  services: [
    { name: 'db', command: 'exec run-db', ports: [5432], healthcheck: { tcp: 5432 } },
    { name: 'api', command: 'exec run-api', ports: [8080], dependsOn: ['db'], env: { DATABASE_URL: 'postgres://${db.host}:${db.port}/app' }, healthcheck: { http: 'http://127.0.0.1:8080/health' } },
    { name: 'web', command: 'exec run-web', ports: [3000], depends_on: ['api'], env: { API: 'http://${api.host}:${api.port}', WORKERS: 4 } },
  ],
};

const parse = (input: unknown): StackDefinition => {
  const result = parseStackDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.stack;
};

describe('stack definitions', () => {
  it('accepts the list form and the map form alike, dependsOn and depends_on alike, with defaults', () => {
    const fromList = parse(webapp);
    const fromMap = parse({ name: 'webapp', services: Object.fromEntries(webapp.services.map(({ name, ...service }) => [name, service])) });
    expect(fromMap).toEqual(fromList);
    expect(fromList).toEqual(
      expect.objectContaining({
        onFailure: 'rollback',
        services: [
          expect.objectContaining({ name: 'db', dependsOn: [], restart: 'on-failure', healthcheck: { tcp: 5432, interval: 2, timeout: 5, retries: 30 } }),
          expect.objectContaining({ name: 'api', dependsOn: ['db'] }),
          expect.objectContaining({ name: 'web', dependsOn: ['api'], env: { API: 'http://${api.host}:${api.port}', WORKERS: '4' } }),
        ],
      }),
    );
  });

  it('orders services in layers that may start together', () => {
    const stack = parse({
      name: 'wide',
      services: { a: { command: 'a' }, b: { command: 'b' }, c: { command: 'c', dependsOn: ['a', 'b'] }, d: { command: 'd', dependsOn: ['a'] } },
    });
    expect(deploymentLayers(stack.services)).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('rejects a cycle, naming it', () => {
    const result = parseStackDefinition({
      name: 'loop',
      services: { web: { command: 'w', dependsOn: ['api'] }, api: { command: 'a', dependsOn: ['auth'] }, auth: { command: 'x', dependsOn: ['api'] } },
    });
    expect(result).toEqual({ ok: false, problems: [{ path: 'services', message: 'Circular dependency detected: api -> auth -> api' }] });
    expect(findCycle([{ name: 'a', dependsOn: ['a'] }])).toEqual(['a', 'a']);
  });

  it('lists every problem at once: duplicates, unknown dependencies, bad ports, no image or command, references', () => {
    const result = parseStackDefinition({
      name: 'broken',
      targetNode: 'n1',
      targetCluster: 'c1',
      services: [
        { name: 'api', command: 'a', ports: [80, 70000, 'http'], dependsOn: ['cache'], env: { DB: '${db.host}', Q: '${queue.port}' } },
        { name: 'api', image: 'nginx' },
        { name: 'worker' },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'targetCluster', message: 'give targetNode or targetCluster, not both' },
      { path: 'services.0.ports.1', message: '70000 is not a port (1-65535)' },
      { path: 'services.0.ports.2', message: '"http" is not a port (1-65535)' },
      { path: 'services.1.name', message: 'duplicate service name "api"' },
      { path: 'services.2', message: 'service "worker" needs an image (docker) or a command (process)' },
      { path: 'services.0.dependsOn', message: 'service "api" depends on unknown service "cache"' },
      { path: 'services.0.env.DB', message: '${db...} names no service of this stack' },
      { path: 'services.0.env.Q', message: '${queue...} names no service of this stack' },
    ]);
  });

  it('says which field is wrong in a malformed definition', () => {
    const result = parseStackDefinition({ name: 'Bad Name', services: [], onFailure: 'panic' });
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual(['name', 'onFailure', 'services']);
    const check = parseStackDefinition({ name: 's', services: { a: { command: 'a', healthcheck: { tcp: 80, http: 'http://x/' } } } });
    expect(check.ok ? [] : check.problems).toEqual([{ path: 'services.a.healthcheck', message: 'give exactly one of http, tcp or command' }]);
  });

  it('refuses an empty map of services, a port two services share, and a port reference to a service without ports', () => {
    const empty = parseStackDefinition({ name: 'none', services: {} });
    expect(empty.ok ? [] : empty.problems).toEqual([{ path: 'services', message: 'give between 1 and 50 services' }]);
    const clash = parseStackDefinition({
      name: 'clash',
      services: { a: { command: 'a', ports: [80] }, b: { command: 'b', ports: [80] }, c: { command: 'c', dependsOn: ['d'], env: { D: '${d.port}' } }, d: { command: 'd' } },
    });
    expect(clash.ok ? [] : clash.problems).toEqual([
      { path: 'services.c.env.D', message: '${d.port}: service "d" has no ports' },
      { path: 'services.b.ports', message: 'port 80 is already used by service "a"' },
    ]);
  });

  it('puts dependency addresses in place of ${svc.host} and ${svc.port}', () => {
    expect(resolveReferences('postgres://${db.host}:${db.port}/app', { db: { host: '10.0.0.5', port: 5432 } })).toBe('postgres://10.0.0.5:5432/app');
    expect(resolveReferences('${cache.host}', { db: { host: 'x' } })).toBe('${cache.host}');
  });
});
