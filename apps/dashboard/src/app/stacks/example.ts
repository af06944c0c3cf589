/** The README's hello-stack (examples/stacks/hello-stack.json): three process services, each up once the one before is healthy. */
export const EXAMPLE_STACK = {
  name: 'hello-stack',
  onFailure: 'rollback',
  services: {
    store: {
      command: "exec node -e \"require('net').createServer((s) => { s.on('error', () => {}); s.end('pong'); }).listen(17301, '127.0.0.1')\"",
      ports: [17301],
      healthcheck: {
        tcp: 17301,
        interval: 0.5
      }
    },
    api: {
      command: "exec node -e \"const [host, port] = process.env.STORE.split(':'); require('http').createServer((q, r) => { const s = require('net').connect(Number(port), host); let d = ''; s.on('data', (c) => (d += c)); s.on('end', () => r.end('store says ' + d)); s.on('error', (e) => { r.statusCode = 502; r.end(e.message); }); }).listen(17302, '127.0.0.1')\"",
      ports: [17302],
      dependsOn: ['store'],
      env: {
        STORE: '${store.host}:${store.port}'
      },
      healthcheck: {
        http: 'http://127.0.0.1:17302/',
        interval: 0.5
      }
    },
    web: {
      command: "exec node -e \"require('http').createServer((q, r) => fetch(process.env.API_URL).then((a) => a.text()).then((t) => r.end('Hello! The API says: ' + t + '\\n'))).listen(17303, '127.0.0.1')\"",
      ports: [17303],
      dependsOn: ['api'],
      env: {
        API_URL: 'http://${api.host}:${api.port}/'
      },
      healthcheck: {
        http: 'http://127.0.0.1:17303/',
        interval: 0.5
      }
    }
  }
} as const;

/** The example as the editor shows it first. */
export const EXAMPLE_TEXT = JSON.stringify(EXAMPLE_STACK, null, 2);
