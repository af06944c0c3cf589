// The baseline server of the memory, reconnect and REST figures: a bare Socket.IO server (the socket.io package) on the
// agents' namespace with the same handshake auth shape and socket options as the midtier's agent gateway, and the same
// REST paths, that acknowledges every request at once and does nothing else: no hub, no database, no validation.
// Usage: node -r @swc-node/register libs/testing/scripts/bench/bare-server.ts [port=0]   (prints {"port":…} once listening)
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const json = (response: ServerResponse, status: number, body?: unknown) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};
const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
};

const http = createServer(async (request, response) => {
  // Socket.IO answers its own path; everything else is the REST side.
  const path = (request.url ?? '').split('?')[0];
  if (path.startsWith('/socket.io/')) return;
  try {
    if (path === '/health') return json(response, 200, { status: 'ok' });
    if (!path.startsWith('/api/agent/')) return json(response, 404, { code: 'not_found', message: 'no such path' });
    if (!/^Bearer thresh_live_/.test(request.headers.authorization ?? '')) return json(response, 401, { code: 'unauthorized', message: 'no agent key' });
    const body = request.method === 'POST' ? await readBody(request) : {};
    switch (path) {
      case '/api/agent/register':
        return json(response, 200, { nodeId: randomUUID(), nodeName: body.nodeName, lastSeq: null });
      case '/api/agent/metrics':
        return json(response, 200, { accepted: body.samples?.length ?? 0 });
      case '/api/agent/commands':
        return json(response, 200, { commands: [], cancelled: [] });
      case '/api/agent/command-updates':
        return json(response, 200, { accepted: true });
      case '/api/agent/unregister':
        return json(response, 204);
      default:
        return json(response, 404, { code: 'not_found', message: 'no such path' });
    }
  } catch (error) {
    json(response, 500, { code: 'internal', message: (error as Error).message });
  }
});

// The agent gateway's options (libs/server/agent-gateway/src/lib/agents.gateway.ts).
const io = new Server(http, { pingInterval: 25_000, pingTimeout: 20_000, maxHttpBufferSize: 4 * 1024 * 1024 });
const agents = io.of('/agents');
agents.use((socket, next) => {
  const key = socket.handshake.auth?.key;
  if (typeof key === 'string' && key.startsWith('thresh_live_')) return next();
  next(new Error('unauthorized'));
});
agents.on('connection', (socket) => {
  socket.on('agent:register', (registration, ack) => {
    socket.data.agentId = registration?.agentId;
    ack?.({ ok: true, nodeId: randomUUID(), nodeName: registration?.nodeName, lastSeq: null });
  });
  socket.on('metrics:report', (report, ack) => ack?.({ ok: true, accepted: report?.samples?.length ?? 0 }));
  socket.on('command:update', (_update, ack) => ack?.({ ok: true, accepted: true }));
});

http.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ port: (http.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
