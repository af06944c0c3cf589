import { AGENT_NAMESPACE, AgentToMidtierEvents, MidtierToAgentEvents } from '@thresh/protocol';
import { agentRegistration, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { Server } from 'socket.io';
import { FakeRestMidtier } from '../test/fake-rest-midtier';
import { measuredSample, sampleBufferIn } from '../test/measurements';
import { missingSettings } from './agent-launch';
import { AgentConfig, CONFIG_DEFAULTS, parseConfigValue } from './agent-config';
import { AgentRuntime } from './agent-runtime';
import { agentStateWhen } from '../test/agent-state-when';

jest.setTimeout(10_000);

const API_KEY = 'thresh_live_default_tlstests';
/** A private CA, and a certificate for 127.0.0.1 it signed: what a midtier behind an in-house PKI serves. */
async function privatePki(): Promise<{ caCert: string; serverKey: string; serverCert: string }> {
  const ca = await generate([{ name: 'commonName', value: 'Thresh Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { caCert: ca.cert, serverKey: server.private, serverCert: server.cert };
}

describe('AgentRuntime over HTTPS with a certificate from a private CA', () => {
  let pki: { caCert: string; serverKey: string; serverCert: string };
  let home: string;
  let caFile: string;
  let midtier: FakeRestMidtier;
  let socketServer: Server<AgentToMidtierEvents, MidtierToAgentEvents> | undefined;
  let socketReports: number;
  let runtime: AgentRuntime | undefined;
  const registration = agentRegistration();

  const startRuntime = (config: Partial<AgentConfig>, options: { failoverTimeoutMs?: number; primaryProbeIntervalMs?: number } = {}): AgentRuntime => {
    const buffer = sampleBufferIn(home);
    const started = new AgentRuntime({
      config: { ...CONFIG_DEFAULTS, 'midtier-url': midtier.url, 'api-key': API_KEY, 'metrics-interval': 1, 'reconnect-delay': 1, 'poll-interval': 1, ...config },
      registration,
      buffer,
      collect: async () => measuredSample(),
      log: () => undefined,
      keepNodeCredential: () => undefined,
      ...options,
    });
    started.start();
    runtime = started;
    return started;
  };
  /** The /agents namespace on the same HTTPS server, as the midtier has it. */
  const acceptSocketIo = (): void => {
    socketServer = new Server<AgentToMidtierEvents, MidtierToAgentEvents>(midtier.server, { transports: ['websocket'] });
    socketServer.of(AGENT_NAMESPACE).on('connection', (socket) => {
      socket.on('agent:register', (registered, ack) => ack({ ok: true, nodeId: randomUUID(), nodeName: registered.nodeName, lastSeq: null }));
      socket.on('metrics:report', (report, ack) => {
        socketReports += report.samples.length;
        ack({ ok: true, accepted: report.samples.length });
      });
    });
  };

  beforeAll(async () => {
    pki = await privatePki();
  });

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'agent-tls-'));
    process.env['THRESH_HOME'] = home;
    caFile = join(home, 'ca.pem');
    writeFileSync(caFile, pki.caCert);
    midtier = new FakeRestMidtier(API_KEY, { tls: { key: pki.serverKey, cert: pki.serverCert } });
    await midtier.start();
    socketReports = 0;
  });

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await socketServer?.close();
    socketServer = undefined;
    await midtier.stop();
    delete process.env['THRESH_HOME'];
    rmSync(home, { recursive: true, force: true });
  });

  describe.each(['rest', 'socketio'] as const)('transport %s', (transport) => {
    const reported = () => (transport === 'rest' ? midtier.reports.length : socketReports) > 0;

    beforeEach(() => {
      if (transport === 'socketio') acceptSocketIo();
    });

    it('verifying without tls-ca, says the certificate comes from a CA it does not know, and how to trust it', async () => {
      startRuntime({ transport });
      const state = await agentStateWhen('the TLS failure', (candidate) => candidate.lastError !== null);
      expect(state.status).toBe('disconnected');
      expect(state.lastError).toBe(
        `TLS: the certificate of ${new URL(midtier.url).host} is signed by a CA not known here (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ` +
          'trust its CA with "thresh agent config set tls-ca <file>", or set tls-verify false',
      );
      expect(midtier.registrations).toEqual([]);
    });

    it('connects and reports with tls-ca naming the private CA', async () => {
      startRuntime({ transport, 'tls-ca': caFile });
      await agentStateWhen('connected', (candidate) => candidate.status === 'connected');
      await waitFor('samples over TLS', reported);
    });

    it('connects and reports with tls-verify false', async () => {
      startRuntime({ transport, 'tls-verify': false });
      await agentStateWhen('connected', (candidate) => candidate.status === 'connected');
      await waitFor('samples over TLS', reported);
    });
  });

  it('says when an https:// URL leads to a server that speaks plain HTTP', async () => {
    const plain = new FakeRestMidtier(API_KEY);
    await plain.start();
    try {
      startRuntime({ transport: 'rest', 'midtier-url': plain.url.replace('http:', 'https:') });
      const state = await agentStateWhen('the TLS failure', (candidate) => candidate.lastError !== null);
      expect(state.lastError).toBe(`TLS: ${new URL(plain.url).host} does not speak TLS (EPROTO): it serves plain HTTP, so use http:// in the URL`);
    } finally {
      await runtime?.stop();
      await plain.stop();
    }
  });

  it('checks the health of an HTTPS primary against tls-ca before failing back to it', async () => {
    const fallback = new FakeRestMidtier(API_KEY);
    await fallback.start();
    try {
      const config = { transport: 'rest', 'tls-ca': caFile, 'auto-failover': true, 'fallback-url': fallback.url, 'failback-delay': 1 } as const;
      startRuntime(config, { failoverTimeoutMs: 500, primaryProbeIntervalMs: 200 });
      await agentStateWhen('connected to the primary', (candidate) => candidate.status === 'connected' && candidate.target === 'primary');
      await midtier.stop();
      await agentStateWhen('connected to the fallback', (candidate) => candidate.status === 'connected' && candidate.target === 'fallback');
      const checksBefore = midtier.healthChecks;
      await midtier.start();
      await agentStateWhen('back on the primary', (candidate) => candidate.status === 'connected' && candidate.target === 'primary');
      expect(midtier.healthChecks).toBeGreaterThan(checksBefore);
    } finally {
      await runtime?.stop();
      await fallback.stop();
    }
  });

  it('accepts as tls-ca only a file that holds a PEM certificate, and notices when it is gone', () => {
    expect(parseConfigValue('tls-ca', caFile)).toBe(caFile);
    expect(() => parseConfigValue('tls-ca', join(home, 'missing.pem'))).toThrow(`Invalid value for tls-ca: ${join(home, 'missing.pem')} does not exist`);
    const notPem = join(home, 'key.txt');
    writeFileSync(notPem, 'not a certificate');
    expect(() => parseConfigValue('tls-ca', notPem)).toThrow(`Invalid value for tls-ca: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    rmSync(caFile);
    expect(missingSettings({ ...CONFIG_DEFAULTS, 'midtier-url': 'https://midtier:5000', 'api-key': API_KEY, 'tls-ca': caFile })).toEqual([
      `tls-ca: ${caFile} does not exist: thresh agent config set tls-ca <file>`,
    ]);
  });
});
