import { AGENT_NAMESPACE, generateCredential } from '@thresh/protocol';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { SocketLink } from './socket-link';

describe('SocketLink', () => {
  it('answers the requests still waiting at once when it stops, so a stopping agent does not wait out their timeouts', async () => {
    const http = createServer();
    const server = new Server(http);
    // A midtier that takes reports and never acknowledges them.
    server.of(AGENT_NAMESPACE).on('connection', (socket) => socket.on('metrics:report', () => undefined));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const link = new SocketLink({
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      apiKey: generateCredential('agent', 'default'),
      tlsVerify: true,
      reconnectDelaySeconds: 1,
    });
    try {
      await new Promise<void>((connected) =>
        link.start({ connected, disconnected: () => undefined, error: () => undefined, commandRun: () => undefined, commandCancel: () => undefined }),
      );
      const report = link.report({ agentId: '6f1c3c52-2a7e-4c1e-9d55-8f0f3c7d2b11', samples: [] });
      const stoppedAt = Date.now();
      await link.stop('shutdown');

      await expect(report).resolves.toEqual({ ok: false, error: { code: 'hub_unavailable', message: 'metrics:report abandoned: the agent is stopping' } });
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
