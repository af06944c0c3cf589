// The baseline of the command round trip: a raw Socket.IO echo over the same two hops as hub -> midtier -> agent.
//   node -r @swc-node/register libs/testing/scripts/bench/echo-relay.ts relay        a relay server (the midtier's place); prints {"port":…}
//   node -r @swc-node/register libs/testing/scripts/bench/echo-relay.ts echo <url>   an echo client (the agent's place); prints {"connected":true}
// The caller (the hub's place) connects to <url>/relay with auth { role: 'api' } and emits 'command' with an ack:
// the relay hands it to the echo client with an ack of its own, and passes the echo's answer back.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, Socket } from 'socket.io';
import { io } from 'socket.io-client';

const [mode, target] = process.argv.slice(2);

if (mode === 'relay') {
  const http = createServer();
  const relay = new Server(http, { maxHttpBufferSize: 4 * 1024 * 1024 }).of('/relay');
  let agent: Socket | undefined;
  relay.on('connection', (socket) => {
    if (socket.handshake.auth?.role === 'agent') {
      agent = socket;
      return;
    }
    socket.on('command', (command: unknown, ack: (answer: unknown) => void) => {
      if (!agent) return ack({ ok: false, error: 'no agent' });
      agent.timeout(30_000).emit('command:run', command, (error: Error | null, answer: unknown) => ack(error ? { ok: false, error: error.message } : answer));
    });
  });
  http.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (http.address() as AddressInfo).port })));
} else if (mode === 'echo') {
  const socket = io(`${target}/relay`, { auth: { role: 'agent' }, transports: ['websocket'] });
  socket.on('command:run', (command: { id?: string } | undefined, ack: (answer: unknown) => void) => ack({ ok: true, commandId: command?.id, state: 'succeeded' }));
  socket.once('connect', () => console.log(JSON.stringify({ connected: true })));
} else {
  console.error('usage: echo-relay.ts relay | echo <url>');
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
