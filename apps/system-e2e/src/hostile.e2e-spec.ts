import {
  Ack,
  AGENT_NAMESPACE,
  AGENT_REST_PREFIX,
  AuditEvent,
  CommandResponse,
  generateCredential,
  MAX_SEQ_AHEAD,
  MIDTIER_NAMESPACE,
  NodeEnvironmentsResponse,
  NodeMetricsResponse,
  NodeResponse,
  RegisteredNode,
} from '@thresh/protocol';
import { agentRegistration, freePort, getJson, metricSample, runThresh, startApp, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { get as httpsGet } from 'node:https';
import { connect as netConnect } from 'node:net';
import { io, Manager, ManagerOptions, Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

const ENROLLMENT = 'hostile-suite-enrollment-secret-0123456789';

/** A client holding a real key of the fleet's account, and nothing else. */
async function connect(url: string, namespace: string, key: string): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { auth: { key }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Every attack of a holder of a real agent key (the one a whole fleet shares) or a real midtier key, against the built
 * hub, midtier and PostgreSQL with a real agent as the victim: each refused, and nothing changed, beside the path that works.
 */
describe('hostile clients with real keys, against the built hub, midtier and PostgreSQL', () => {
  let system: RunningSystem;
  const victimHome = temporaryHome();
  const twinHome = temporaryHome();
  let agentKey: string;
  let victim: NodeResponse;
  const sockets: Socket[] = [];
  /** A real agent of the fleet asking for the node name "victim": the victim itself, or a machine after its name. */
  const startVictimLike = (home: { path: string }) =>
    startAgent(home, [
      ['midtier-url', system.midtierUrl],
      ['api-key', agentKey],
      ['metrics-interval', '1'],
      ['node-name', 'victim'],
    ]);
  const api = (path: string) => system.api.request<NodeResponse>('GET', path).then((response) => response.body);

  beforeAll(async () => {
    system = await startSystem('hostile', { hubEnv: { HUB_CREDENTIAL_FAILURE_LIMIT: '10' } });
    agentKey = await system.api.createKey('agent', 'the whole fleet');
    await startVictimLike(victimHome);
    victim = await waitFor('the victim online', async () => {
      const node = await api('/api/nodes/victim');
      return node?.status === 'online' ? node : undefined;
    }, 30_000);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await runThresh(['agent', 'stop'], { THRESH_HOME: victimHome.path });
    await runThresh(['agent', 'stop'], { THRESH_HOME: twinHome.path });
    await system?.stop();
    victimHome.remove();
    twinHome.remove();
  });

  const attackerSocket = async (url = system.midtierUrl, namespace = AGENT_NAMESPACE, key = agentKey) => {
    const socket = await connect(url, namespace, key);
    sockets.push(socket);
    return socket;
  };

  /** The victim is still itself: online under its name, its agent answering the questions put to it, and no one else. */
  const expectVictimUnharmed = async (listeners: Socket[]) => {
    const heard: unknown[] = [];
    for (const socket of listeners) {
      socket.on('command:run', (command: unknown) => heard.push(command));
      socket.on('command:dispatch', (command: unknown) => heard.push(command));
    }
    const node = await api('/api/nodes/victim');
    expect({ status: node.status, agentId: node.agentId, identity: node.identity }).toEqual({ status: 'online', agentId: victim.agentId, identity: 'credential' });
    const asked = await system.api.request<NodeEnvironmentsResponse>('GET', '/api/nodes/victim/environments');
    expect({ status: asked.status, source: asked.body.source }).toEqual({ status: 200, source: 'node' });
    expect(heard).toEqual([]);
  };

  it('keeps the node credential the hub issued 0600 in THRESH_HOME', () => {
    const path = join(victimHome.path, 'identity.json');
    const identity = JSON.parse(readFileSync(path, 'utf8')) as { agentId: string; nodeCredential?: string };
    expect(identity).toEqual(expect.objectContaining({ agentId: victim.agentId, nodeCredential: expect.stringMatching(/^thresh_node_default_/) }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("refuses a claim on another node's agent id over the midtier's socket, and the node keeps its commands", async () => {
    const attacker = await attackerSocket();
    const claim: Ack<RegisteredNode> = await attacker.emitWithAck('agent:register', agentRegistration({ agentId: victim.agentId, nodeName: 'victim', enrollment: ENROLLMENT }));
    expect(claim).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('thresh node reset-identity victim') } });
    // A connection that registered nothing speaks for no node.
    const report: Ack<object> = await attacker.emitWithAck('metrics:report', { agentId: victim.agentId, samples: [metricSample({ seq: 10 ** 6 })] });
    expect(report).toEqual({ ok: false, error: expect.objectContaining({ code: 'forbidden' }) });
    await expectVictimUnharmed([attacker]);
    const refusals = (await system.api.request<{ items: AuditEvent[] }>('GET', '/api/audit?action=node.refuse')).body.items;
    expect(refusals[0]).toEqual(expect.objectContaining({ target: 'victim', details: expect.objectContaining({ reason: 'did not present the node credential' }) }));
  });

  it('refuses the same claim over REST, to the midtier and to the hub, and an unregister of the node: it stays online', async () => {
    for (const url of [system.midtierUrl, system.hubUrl]) {
      const call = (path: string, body?: object) =>
        fetch(`${url}${AGENT_REST_PREFIX}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
        });
      const claim = await call('/register', agentRegistration({ agentId: victim.agentId, nodeName: 'victim', nodeCredential: generateCredential('node', 'default') }));
      expect({ at: url, status: claim.status, message: ((await claim.json()) as { message: string }).message }).toEqual({
        at: url,
        status: 403,
        message: expect.stringContaining("presented a node credential that is not this node's"),
      });
      expect([(await call('/unregister', { agentId: victim.agentId })).status, (await call(`/commands?agentId=${victim.agentId}`)).status]).toEqual([409, 409]);
    }
    // Two metrics intervals on, the victim's samples still land: an unregister that got through would have shown by now.
    const refusedAt = Date.now();
    await waitFor('the victim reporting two intervals later', async () => Date.parse((await api('/api/nodes/victim')).lastSampleAt ?? '') >= refusedAt + 2000, 15_000);
    await expectVictimUnharmed([]);
  });

  it('gives a second node asking for a taken name the next free one, and commands addressed by the name still reach the first', async () => {
    await startVictimLike(twinHome);
    const status = await waitFor('the twin registered', async () => {
      const shown = JSON.parse((await runThresh(['agent', 'status', '--json'], { THRESH_HOME: twinHome.path })).stdout) as { status: string; nodeName: string };
      return shown.status === 'connected' ? shown : undefined;
    }, 30_000);
    expect(status.nodeName).toBe('victim-2');
    expect((await api('/api/nodes/victim-2')).status).toBe('online');
    await expectVictimUnharmed([]);
    const registered = (await system.api.request<{ items: AuditEvent[] }>('GET', '/api/audit?action=node.register')).body.items;
    expect(registered[0]).toEqual(expect.objectContaining({ target: expect.stringContaining('victim-2'), details: expect.objectContaining({ requestedName: 'victim' }) }));
    expect((await runThresh(['agent', 'stop'], { THRESH_HOME: twinHome.path })).code).toBe(0);
    // Only a rename moves a name, and a taken one is refused.
    const cli = { THRESH_TOKEN: system.api.token ?? '', THRESH_HUB: system.hubUrl };
    const taken = await runThresh(['node', 'rename', 'victim-2', 'victim'], cli);
    expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 6, stderr: expect.stringContaining('Another node is already named "victim"') });
    expect((await runThresh(['node', 'rename', 'victim-2', 'twin'], cli)).code).toBe(0);
    const renamed = (await system.api.request<{ items: AuditEvent[] }>('GET', '/api/audit?action=node.rename')).body.items;
    expect(renamed[0]).toEqual(expect.objectContaining({ actor: 'admin', details: { from: 'victim-2', to: 'twin' } }));
  });

  it('refuses a sample numbered impossibly far ahead, and stores the node\'s next samples as before', async () => {
    const own = await attackerSocket();
    const agentId = randomUUID();
    const registered: Ack<RegisteredNode> = await own.emitWithAck('agent:register', agentRegistration({ agentId, nodeName: 'wild-seq', enrollment: ENROLLMENT }));
    expect(registered.ok).toBe(true);
    const report = (seq: number, cpuPercent: number): Promise<Ack<{ accepted: number }>> =>
      own.emitWithAck('metrics:report', { agentId, samples: [metricSample({ seq, cpuPercent })] });
    expect((await report(Number.MAX_SAFE_INTEGER - 1, 99)).ok).toBe(true);
    expect((await report(1, 11)).ok).toBe(true);
    expect((await report(2, 12)).ok).toBe(true);
    const history = (await system.api.request<NodeMetricsResponse>('GET', '/api/nodes/wild-seq/metrics?resolution=raw')).body;
    expect(history.points.map((point) => point.cpuPercent).sort()).toEqual([11, 12]);
    expect((await api('/api/nodes/wild-seq')).cpuPercent).toBe(12);
    expect(system.hub.logs).toContain(`more than ${MAX_SEQ_AHEAD.toLocaleString('en-US')} past their node's last stored sequence number`);
  });

  describe('a midtier key of the same account, not the victim\'s midtier', () => {
    let rogue: Socket;

    beforeAll(async () => {
      rogue = await attackerSocket(system.hubUrl, MIDTIER_NAMESPACE, await system.api.createKey('midtier', 'stolen'));
    });

    it('hears no command of a node it does not carry, may not register it, store its samples, answer its commands or take it offline', async () => {
      const claim: Ack<RegisteredNode> = await rogue.emitWithAck('node:register', {
        key: agentKey,
        connectionId: 'rogue',
        registration: agentRegistration({ agentId: victim.agentId, nodeName: 'victim', enrollment: ENROLLMENT }),
      });
      expect(claim).toEqual({ ok: false, error: expect.objectContaining({ code: 'forbidden' }) });

      const before = (await system.api.request<NodeMetricsResponse>('GET', '/api/nodes/victim/metrics?resolution=raw')).body.points.length;
      const batch = await rogue.emitWithAck('metrics:batch', { samples: [{ ...metricSample({ seq: 10 ** 8, cpuPercent: 66.6 }), agentId: victim.agentId }] });
      expect(batch).toEqual({ ok: true, stored: 0, unknown: 1, refused: 0 });

      const created = await system.api.request<CommandResponse>('POST', '/api/nodes/victim/environments/nothing-here/stop');
      expect(created.status).toBe(202);
      const forged = await rogue.emitWithAck('command:update', { agentId: victim.agentId, update: { commandId: created.body.id, state: 'succeeded' } });
      expect(forged).toEqual({ ok: false, error: expect.objectContaining({ code: 'forbidden' }) });
      // The victim's own answer stands: it has no such environment.
      const outcome = await waitFor('the victim to answer', async () => {
        const command = (await system.api.request<CommandResponse>('GET', `/api/commands/${created.body.id}`)).body;
        return ['succeeded', 'failed'].includes(command.state) ? command : undefined;
      });
      expect(outcome.state).toBe('failed');

      const lastBefore = (await api('/api/nodes/victim')).lastSampleAt;
      rogue.emit('node:disconnected', { agentId: victim.agentId, connectionId: victim.agentId });
      // The victim's next sample lands after the forged disconnect: its own midtier still carries it.
      await waitFor('a sample of the victim after the forged disconnect', async () => (await api('/api/nodes/victim')).lastSampleAt !== lastBefore, 15_000);
      const after = (await system.api.request<NodeMetricsResponse>('GET', '/api/nodes/victim/metrics?resolution=raw')).body.points;
      expect(after.length).toBeGreaterThan(before);
      expect(after.map((point) => point.cpuPercent)).not.toContain(66.6);
      await expectVictimUnharmed([rogue]);
    });

    it('is audited when it connects, and so is a midtier refused at the door', async () => {
      const refused = await new Promise<string>((resolve) => {
        const socket = io(`${system.hubUrl}${MIDTIER_NAMESPACE}`, { auth: { key: generateCredential('midtier', 'default') }, transports: ['websocket'], reconnection: false, forceNew: true });
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
        setTimeout(() => socket.close(), 5000).unref();
      });
      expect(refused).toBe('Unknown credential');
      const audit = async (action: string) => (await system.api.request<{ items: AuditEvent[] }>('GET', `/api/audit?action=${action}`)).body.items;
      await waitFor('the refusal audited', async () => (await audit('midtier.refuse')).length > 0);
      expect((await audit('midtier.refuse'))[0]).toEqual(expect.objectContaining({ sourceAddress: expect.stringContaining('127.0.0.1'), details: { reason: 'Unknown credential' } }));
      expect((await audit('midtier.connect')).length).toBeGreaterThanOrEqual(2);
    });

    it('is no key-check oracle: its failures are limited per midtier key, whatever source it names, and logged escaped', async () => {
      const answers: string[] = [];
      for (let attempt = 0; attempt < 12; attempt++) {
        const answer: Ack<object> = await rogue.emitWithAck('agent:authenticate', {
          key: `thresh_live_default_${randomUUID().replace(/-/g, '').slice(0, 32)}abcdef`,
          source: `10.0.0.${attempt}\n[Nest] forged log line`,
        });
        answers.push(answer.ok ? 'ok' : answer.error.code);
      }
      expect(answers.slice(0, 10).every((code) => code === 'unauthorized')).toBe(true);
      expect(answers.slice(10)).toEqual(['rate_limited', 'rate_limited']);
      // The real agent key from the victim's midtier is still fine: the limit is this midtier key's alone.
      const agent = await attackerSocket();
      expect(agent.connected).toBe(true);
      expect(system.hub.logs).not.toMatch(/^\[Nest\] forged log line/m);
      expect(system.hub.logs).toContain('\\u000a[Nest] forged log line');
    });

  });

  it('keeps a node\'s own strings from driving the terminal: control characters refused at registration, stripped by the CLI', async () => {
    const own = await attackerSocket();
    const refused: Ack<RegisteredNode> = await own.emitWithAck('agent:register', agentRegistration({ nodeName: 'escapist', hostname: 'evil\u001b[2J', enrollment: ENROLLMENT }));
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'validation_failed' }) });
    const registered: Ack<RegisteredNode> = await own.emitWithAck('agent:register', agentRegistration({ nodeName: 'escapist', enrollment: ENROLLMENT }));
    expect(registered.ok).toBe(true);
    // The node answers a command of its own with output and an error full of escape codes.
    const handed = new Promise<{ id: string }>((resolve) => own.once('command:run', resolve));
    const created = await system.api.request<CommandResponse>('POST', '/api/nodes/escapist/environments/web/stop');
    const command = await handed;
    const hostile = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b6n';
    const answered: Ack<{ accepted: boolean }> = await own.emitWithAck('command:update', { commandId: command.id, state: 'failed', error: `failed ${hostile}`, output: `line 1\nline 2 ${hostile}` });
    expect(answered).toEqual({ ok: true, accepted: true });
    const shown = await runThresh(['command', 'info', created.body.id], { THRESH_TOKEN: system.api.token ?? '', THRESH_HUB: system.hubUrl });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('failed ]0;pwned[2J[31mred6n');
    expect(shown.stdout).toContain('| line 2 ]0;pwned[2J[31mred6n');
    expect(['\u001b', '\u0007', '\u009b'].filter((control) => shown.stdout.includes(control))).toEqual([]);
  });

  it('answers an oversized body 413, malformed JSON 400 and a body nested too deep 400, on the hub and the midtier alike', async () => {
    const send = async (url: string, body: string, method = 'POST') => {
      const response = await fetch(url, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${system.api.token}` }, body });
      return `${response.status} ${((await response.json()) as { code: string }).code}`;
    };
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const answers: Record<string, string> = {};
    for (const [label, url, method] of [
      ['hub login', `${system.hubUrl}/api/auth/login`, 'POST'],
      ['hub dashboard session', `${system.hubUrl}/api/auth/session`, 'POST'],
      ['hub node rename', `${system.hubUrl}/api/nodes/victim`, 'PATCH'],
      ['hub identity reset', `${system.hubUrl}/api/nodes/victim/reset-identity`, 'POST'],
      ['hub agent route', `${system.hubUrl}${AGENT_REST_PREFIX}/register`, 'POST'],
      ['midtier agent route', `${system.midtierUrl}${AGENT_REST_PREFIX}/register`, 'POST'],
    ]) {
      answers[`${label}: too large`] = await send(url, JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }), method);
      answers[`${label}: malformed`] = await send(url, '{"username": "admin",', method);
      answers[`${label}: too deep`] = await send(url, deep, method);
    }
    // None of them touched the victim: same name, still holding its credential.
    expect((await api('/api/nodes/victim')).identity).toBe('credential');
    expect(Object.values(answers).map((answer, index) => [Object.keys(answers)[index], answer])).toEqual(
      Object.keys(answers).map((label) => [label, label.endsWith('too large') ? '413 validation_failed' : '400 validation_failed']),
    );
  });

  describe('anonymous clients', () => {
    /** An engine connection that joins no namespace: what an idle anonymous client holds. */
    const idle = (url: string, localAddress: string) =>
      new Promise<Manager>((resolve, reject) => {
        const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false, localAddress } as Partial<ManagerOptions>);
        manager.open((error) => (error ? reject(error) : resolve(manager)));
      });
    const closedWithin = (manager: Manager) =>
      new Promise<number>((resolve) => {
        const opened = Date.now();
        manager.engine.once('close', () => resolve(Date.now() - opened));
      });

    it('finds no namespace that answers without a credential, the default one included', async () => {
      const refusals: string[] = [];
      for (const [url, namespaces] of [
        [system.hubUrl, ['/', AGENT_NAMESPACE, MIDTIER_NAMESPACE, '/dashboard']],
        [system.midtierUrl, ['/', AGENT_NAMESPACE]],
      ] as const) {
        for (const namespace of namespaces) {
          const socket = io(`${url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true });
          const outcome = await new Promise<string>((resolve) => {
            socket.once('connect', () => resolve('connected'));
            socket.once('connect_error', () => resolve('refused'));
          });
          socket.close();
          refusals.push(`${new URL(url).port}${namespace}: ${outcome}`);
        }
      }
      expect(refusals.every((line) => line.endsWith('refused'))).toBe(true);
    });

    it('lets a real agent in while 1,000 anonymous connections are held, refuses more than the cap from one address, and closes them all within 10 s', async () => {
      const held: Manager[] = [];
      try {
        for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) {
          held.push(...(await Promise.all(Array.from({ length: 250 }, () => idle(system.midtierUrl, address)))));
        }
        const closings = held.map(closedWithin);
        // A real agent, from yet another address, in the meantime.
        const agent = await attackerSocket();
        const registered: Ack<RegisteredNode> = await agent.emitWithAck('agent:register', agentRegistration({ nodeName: 'while-flooded', enrollment: ENROLLMENT }));
        expect(registered).toEqual(expect.objectContaining({ ok: true, nodeName: 'while-flooded' }));
        // One address holds at most 256 unauthenticated connections.
        const crowded = await Promise.all(Array.from({ length: 6 }, () => idle(system.midtierUrl, '127.0.0.2')));
        held.push(...crowded);
        await expect(idle(system.midtierUrl, '127.0.0.2')).rejects.toThrow();
        const lifetimes = await Promise.all(closings);
        expect(Math.max(...lifetimes)).toBeLessThan(13_000);
        expect(agent.connected).toBe(true);
      } finally {
        for (const manager of held) manager.engine?.close();
      }
    });

    it('closes a connection that sends more than 64 KiB before it authenticates, without reading it as a key', async () => {
      const socket = io(`${system.midtierUrl}${AGENT_NAMESPACE}`, { auth: { key: 'k'.repeat(100 * 1024) }, transports: ['websocket'], reconnection: false });
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        // A refusal would come as connect_error with the server's reason; a connection cut comes as the transport closing.
        socket.once('connect_error', () => resolve('answered'));
        socket.io.once('close', (reason) => resolve(`closed: ${reason}`));
      });
      socket.close();
      expect(outcome).toBe('closed: transport close');
      expect(system.midtier.logs).toMatch(/closed a connection from 127\.0\.0\.1: \d+ bytes before authenticating/);
    });

    it('closes silent TCP and TLS connections, and one that stops mid-header, within 20 s', async () => {
      // The same hub over HTTPS, on the same database, for the TLS handshake left open.
      const dir = mkdtempSync(join(tmpdir(), 'hostile-tls-'));
      const pem = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
        keySize: 2048,
        algorithm: 'sha256',
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      writeFileSync(join(dir, 'cert.pem'), pem.cert);
      writeFileSync(join(dir, 'key.pem'), pem.private);
      const tlsPort = await freePort();
      const tlsHub = startApp('hub-tls', 'hub/main.js', {
        DATABASE_URL: system.database.url,
        HUB_PORT: String(tlsPort),
        HUB_HOST: '127.0.0.1',
        HUB_TLS_CERT: join(dir, 'cert.pem'),
        HUB_TLS_KEY: join(dir, 'key.pem'),
        THRESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      });
      try {
        await waitFor('the HTTPS hub', async () => (await getJson(`https://127.0.0.1:${tlsPort}/health`, { ca: pem.cert })).status === 200, 30_000);
        // Over HTTPS the hub also asks browsers to come back over HTTPS only.
        const hsts = await new Promise<string | undefined>((resolve, reject) =>
          httpsGet(`https://127.0.0.1:${tlsPort}/health`, { ca: pem.cert }, (response) => {
            response.resume();
            resolve(response.headers['strict-transport-security']);
          }).on('error', reject),
        );
        expect(hsts).toMatch(/^max-age=\d+/);
        const silent = (port: number, payload?: string) =>
          new Promise<number>((resolve, reject) => {
            const socket = netConnect(port, '127.0.0.1');
            const opened = Date.now();
            socket.once('connect', () => payload && socket.write(payload));
            socket.once('close', () => resolve(Date.now() - opened));
            socket.once('error', reject);
            socket.resume();
          });
        const hubPort = Number(new URL(system.hubUrl).port);
        const lifetimes = await Promise.all([silent(hubPort), silent(hubPort, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'), silent(tlsPort)]);
        expect(lifetimes.map((lifetime) => lifetime < 20_000)).toEqual([true, true, true]);
      } finally {
        await tlsHub.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('lets a reinstalled machine claim its node once an operator reset its identity, keeping name and history', async () => {
    expect((await runThresh(['agent', 'stop'], { THRESH_HOME: victimHome.path })).code).toBe(0);
    await waitFor('the victim offline', async () => (await api('/api/nodes/victim')).status === 'offline');
    const cliHome = temporaryHome();
    const cli = { THRESH_HOME: cliHome.path };
    expect((await runThresh(['auth', 'login', '--hub', system.hubUrl, '--username', 'admin', '--password-stdin'], cli, `${ADMIN_PASSWORD}\n`)).code).toBe(0);
    const reset = await runThresh(['node', 'reset-identity', 'victim'], cli);
    expect(reset).toEqual(expect.objectContaining({ code: 0, stdout: expect.stringContaining('Node victim no longer holds a credential') }));
    expect((await api('/api/nodes/victim')).identity).toBe('claimable');

    // A fresh install: a new THRESH_HOME, so a new agent id, asking for the node's name.
    const reinstalled = temporaryHome();
    try {
      await startVictimLike(reinstalled);
      const claimed = await waitFor('the reinstalled machine online as victim', async () => {
        const node = await api('/api/nodes/victim');
        return node.status === 'online' && node.agentId !== victim.agentId ? node : undefined;
      }, 30_000);
      expect({ id: claimed.id, registeredAt: claimed.registeredAt, identity: claimed.identity }).toEqual({ id: victim.id, registeredAt: victim.registeredAt, identity: 'credential' });
      const audit = (await system.api.request<{ items: AuditEvent[] }>('GET', '/api/audit?action=node.reset_identity')).body.items;
      expect(audit[0]).toEqual(expect.objectContaining({ actor: 'admin', target: expect.stringContaining('victim') }));
    } finally {
      await runThresh(['agent', 'stop'], { THRESH_HOME: reinstalled.path });
      reinstalled.remove();
      cliHome.remove();
    }
  });
});

