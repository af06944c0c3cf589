import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** An HTTP proxy that passes plain requests on and refuses every WebSocket upgrade, as some corporate proxies do. */
export class WebSocketBlockingProxy {
  /** Upgrades refused so far. */
  refusedUpgrades = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<WebSocketBlockingProxy> {
    const upstream = new URL(target);
    const server = createServer((incoming, outgoing) => {
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.writeHead(502).end());
      // A client that hangs up (a long poll it gave up on) ends the forwarded request too.
      outgoing.on('close', () => forwarded.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new WebSocketBlockingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('upgrade', (_request, socket) => {
      proxy.refusedUpgrades += 1;
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
