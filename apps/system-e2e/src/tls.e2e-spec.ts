import { runThresh, waitFor } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(120_000);

const run = promisify(execFile);

interface AgentStatus {
  status: string;
  lastError: string | null;
  nodeName: string | null;
}

/** A private CA, and a certificate it signed for the midtier on 127.0.0.1: what a company's own PKI hands out. */
async function privatePki(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const authority = await generate([{ name: 'commonName', value: 'Thresh Test CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: authority.private, cert: authority.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'midtier.pem'), key: join(dir, 'midtier-key.pem') };
  writeFileSync(files.ca, authority.cert);
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.private, { mode: 0o600 });
  return files;
}

describe('TLS between agents and their midtier: verified by default, a private CA trusted on request, checks off only when asked', () => {
  let system: RunningSystem;
  const pki = temporaryHome();
  const homes = { trusting: temporaryHome(), verifying: temporaryHome(), lax: temporaryHome() };
  const status = async (home: { path: string }) => JSON.parse((await runThresh(['agent', 'status', '--json'], { THRESH_HOME: home.path })).stdout) as AgentStatus;

  beforeAll(async () => {
    const files = await privatePki(pki.path);
    system = await startSystem('tls', { midtierTls: { cert: files.cert, key: files.key, ca: readFileSync(files.ca, 'utf8') } });
    const key = await system.api.createKey('agent');
    const settings: Record<keyof typeof homes, [string, string][]> = {
      trusting: [['tls-ca', files.ca]],
      verifying: [],
      lax: [['tls-verify', 'false']],
    };
    for (const [name, home] of Object.entries(homes) as [keyof typeof homes, { path: string }][]) {
      await startAgent(home, [['midtier-url', system.midtierUrl], ['api-key', key], ['reconnect-delay', '1'], ['node-name', `tls-${name}`], ...settings[name]]);
    }
  });

  afterAll(async () => {
    for (const home of Object.values(homes)) {
      await runThresh(['agent', 'stop'], { THRESH_HOME: home.path });
      home.remove();
    }
    await system?.stop();
    pki.remove();
  });

  it('serves HTTPS: curl -k reaches the midtier\'s /health, as the troubleshooting guide says', async () => {
    const { stdout } = await run('curl', ['-sk', `${system.midtierUrl}/health`]);
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ status: 'ok', hub: expect.objectContaining({ connected: true }) }));
  });

  it('connects an agent that trusts the private CA (tls-ca), verifying the certificate', async () => {
    await waitFor('the trusting agent connected', async () => (await status(homes.trusting)).status === 'connected', 30_000);
    await waitFor('its node online', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/tls-trusting')).body.status === 'online', 30_000);
  });

  it('refuses the certificate without the CA, and says why and what to do', async () => {
    const refused = await waitFor('the verifying agent to give its reason', async () => {
      const current = await status(homes.verifying);
      return current.lastError ? current : undefined;
    }, 30_000);
    expect(refused.status).not.toBe('connected');
    expect(refused.lastError).toMatch(/^TLS: /);
    expect(refused.lastError).toContain('tls-ca');
    const human = await runThresh(['agent', 'status'], { THRESH_HOME: homes.verifying.path });
    expect(human.stdout).toContain(refused.lastError as string);
    expect((await system.api.request('GET', '/api/nodes/tls-verifying')).status).toBe(404);
  });

  it('connects with tls-verify false, for a self-signed certificate its owner accepts', async () => {
    await waitFor('the lax agent connected', async () => (await status(homes.lax)).status === 'connected', 30_000);
  });
});
