import type { StackResponse, StackServiceResponse, StackServiceStatus, StackSummary } from '@thresh/protocol';

let counter = 0;
const uuid = (prefix: string) => {
  counter += 1;
  return `${prefix}0000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
};
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

/** A stack as GET /api/stacks lists it. */
export function stackSummary(name: string, overrides: Partial<StackSummary> = {}): StackSummary {
  return { id: uuid('5'), name, status: 'running', node: 'edge-1', services: 3, healthy: 3, createdAt: ago(600), updatedAt: ago(30), ...overrides };
}

/** One service of a stack as GET /api/stacks/:name reports it. */
export function stackService(name: string, status: StackServiceStatus, overrides: Partial<StackServiceResponse> = {}): StackServiceResponse {
  const started = status === 'pending' ? null : ago(20);
  return { name, status, node: 'edge-1', startedAt: started, healthyAt: status === 'healthy' ? ago(10) : null, error: null, ...overrides };
}

/**
 * A stack as GET /api/stacks/:name answers: `db` and `api` run commands, `web` an image; its definition is stored as the
 * hub keeps it (services as a list).
 */
export function stackResponse(name: string, overrides: Partial<StackResponse> = {}): StackResponse {
  return {
    id: uuid('5'),
    name,
    status: 'running',
    node: 'edge-1',
    createdAt: ago(600),
    updatedAt: ago(30),
    onFailure: 'rollback',
    deployedBy: 'admin',
    commandId: uuid('c'),
    error: null,
    services: [stackService('db', 'healthy'), stackService('api', 'healthy'), stackService('web', 'healthy')],
    definition: {
      name,
      onFailure: 'rollback',
      services: [
        { name: 'db', command: 'exec ./run-db.sh', env: {}, ports: [5432], volumes: ['db-data'], dependsOn: [], restart: 'on-failure', healthcheck: { tcp: 5432, interval: 2, timeout: 5, retries: 30 } },
        { name: 'api', command: 'exec node api.js', env: { DATABASE_URL: 'postgres://${db.host}:${db.port}/app' }, ports: [8080], volumes: [], dependsOn: ['db'], restart: 'on-failure' },
        { name: 'web', image: 'nginx:1.27', env: { API_URL: 'http://${api.host}:${api.port}' }, ports: [3000], volumes: [], dependsOn: ['api'], restart: 'on-failure' },
      ],
    },
    ...overrides,
  };
}

/** The hub's error body, as its exception filter sends it. */
export function hubError(statusCode: number, code: string, message: string, issues?: { path: string; message: string }[]) {
  return { body: { statusCode, code, message, ...(issues ? { issues } : {}) }, options: { status: statusCode, statusText: statusCode === 400 ? 'Bad Request' : statusCode === 409 ? 'Conflict' : 'Error' } };
}
