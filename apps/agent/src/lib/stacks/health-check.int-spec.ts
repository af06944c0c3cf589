import { healthcheckSchema } from '@thresh/protocol';
import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { AddressInfo, createServer, Server } from 'node:net';
import { waitHealthy } from './health-check';

const listening = async <T extends Server | HttpServer>(server: T): Promise<T> => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  return server;
};
const portOf = (server: Server | HttpServer) => (server.address() as AddressInfo).port;
const closed = async (server: Server | HttpServer) => {
  if (server instanceof HttpServer) server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
};
/** A port nothing listens on: taken from the system, then given back. */
const unusedPort = async () => {
  const server = await listening(createServer());
  const port = portOf(server);
  await closed(server);
  return port;
};
const quick = { interval: 0.1, timeout: 1, retries: 1 };

describe('waitHealthy', () => {
  const servers: (Server | HttpServer)[] = [];
  const serve = async <T extends Server | HttpServer>(server: T) => {
    servers.push(server);
    return listening(server);
  };
  const never = new AbortController().signal;

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closed));
  });

  it('passes a tcp check once the port accepts connections', async () => {
    const server = await serve(createServer((socket) => socket.end()));
    await expect(waitHealthy(healthcheckSchema.parse({ tcp: portOf(server), ...quick }), never)).resolves.toBeUndefined();
  });

  it('fails a tcp check after its retries, naming the port and the last failure', async () => {
    const port = await unusedPort();
    await expect(waitHealthy(healthcheckSchema.parse({ tcp: port, ...quick }), never)).rejects.toThrow(
      `health check tcp 127.0.0.1:${port} failed 2 times: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('passes an http check on a 2xx or 3xx answer, and waits for a server that comes up late', async () => {
    const server = await serve(
      createHttpServer((request, response) => {
        response.writeHead(request.url === '/moved' ? 302 : 204, request.url === '/moved' ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end();
      }),
    );
    await expect(waitHealthy(healthcheckSchema.parse({ http: `http://127.0.0.1:${portOf(server)}/health`, ...quick }), never)).resolves.toBeUndefined();
    await expect(waitHealthy(healthcheckSchema.parse({ http: `http://127.0.0.1:${portOf(server)}/moved`, ...quick }), never)).resolves.toBeUndefined();

    const port = await unusedPort();
    const checking = waitHealthy(healthcheckSchema.parse({ http: `http://127.0.0.1:${port}/`, ...quick, retries: 20 }), never);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = createHttpServer((_request, response) => response.end('ok'));
    servers.push(late);
    await new Promise((resolve) => late.listen(port, '127.0.0.1', () => resolve(undefined)));
    await expect(checking).resolves.toBeUndefined();
  });

  it('fails an http check on an error status, a refused connection or no answer in time', async () => {
    const failing = await serve(createHttpServer((_request, response) => response.writeHead(503).end()));
    const url = `http://127.0.0.1:${portOf(failing)}/health`;
    await expect(waitHealthy(healthcheckSchema.parse({ http: url, ...quick }), never)).rejects.toThrow(`health check ${url} failed 2 times: answered 503 Service Unavailable`);

    const refused = `http://127.0.0.1:${await unusedPort()}/health`;
    await expect(waitHealthy(healthcheckSchema.parse({ http: refused, ...quick, retries: 0 }), never)).rejects.toThrow(
      `health check ${refused} failed 1 times: connect ECONNREFUSED`,
    );

    const silent = await serve(createHttpServer(() => undefined));
    const slow = `http://127.0.0.1:${portOf(silent)}/`;
    await expect(waitHealthy(healthcheckSchema.parse({ http: slow, ...quick, timeout: 0.2 }), never)).rejects.toThrow(`health check ${slow} failed 2 times: no answer within 0.2s`);
  });

  it('passes a command check that exits 0, and fails one that exits otherwise or runs too long', async () => {
    await expect(waitHealthy(healthcheckSchema.parse({ command: 'test 1 -eq 1', ...quick }), never)).resolves.toBeUndefined();
    await expect(waitHealthy(healthcheckSchema.parse({ command: 'echo not ready >&2; exit 3', ...quick }), never)).rejects.toThrow(
      'health check command "echo not ready >&2; exit 3" failed 2 times: exited with code 3: not ready',
    );
    const started = Date.now();
    await expect(waitHealthy(healthcheckSchema.parse({ command: 'sleep 30', ...quick, timeout: 0.2, retries: 0 }), never)).rejects.toThrow(
      'health check command "sleep 30" failed 1 times: did not finish within 0.2s',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops waiting when the deployment is cancelled', async () => {
    const controller = new AbortController();
    const checking = waitHealthy(healthcheckSchema.parse({ tcp: await unusedPort(), interval: 1, retries: 100 }), controller.signal);
    setTimeout(() => controller.abort('cancelled'), 200);
    await expect(checking).rejects.toThrow('stopped: the deployment was cancelled');
  });
});
