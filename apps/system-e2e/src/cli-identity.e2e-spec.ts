import { runThresh } from '@thresh/testing';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, RunningSystem, startSystem, temporaryHome } from './support/system';

describe('thresh auth, key and audit against the built hub', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };
  const thresh = (args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}) => runThresh(args, { ...env, ...extraEnv }, input);
  const json = async <T>(args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const result = await thresh([...args, '--json'], undefined, extraEnv);
    if (result.code !== 0) throw new Error(`thresh ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    system = await startSystem('cliidentity');
  });

  afterAll(async () => {
    await system?.stop();
    home.remove();
  });

  it('says plainly when nobody is logged in', async () => {
    const token = await thresh(['auth', 'token']);
    expect(token.code).toBe(1);
    expect(token.stderr).toContain('Not logged in');
    const whoami = await thresh(['auth', 'whoami']);
    expect(whoami.code).toBe(3);
  });

  it('refuses a wrong password with exit 3 and stores nothing', async () => {
    const result = await thresh(['auth', 'login', '--hub', system.hubUrl, '--username', 'admin', '--password-stdin'], 'wrong password\n');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Invalid username or password');
    expect((await thresh(['auth', 'token'])).code).toBe(1);
  });

  it('logs in from a script and keeps the token in a 0600 file', async () => {
    const login = await thresh(['auth', 'login', '--hub', system.hubUrl, '--username', 'admin', '--password-stdin'], `${ADMIN_PASSWORD}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${system.hubUrl} as admin (admin)`);
    expect(statSync(join(home.path, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect((await thresh(['auth', 'token'])).stdout.trim()).toMatch(/^thresh_cli_default_/);
    expect(await json(['auth', 'whoami'])).toEqual(expect.objectContaining({ username: 'admin', role: 'admin', account: 'default' }));

    // The stored token is for that hub only.
    const elsewhere = await thresh(['key', 'list', '--hub', 'http://127.0.0.1:9']);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain('Not logged in');
  });

  it('creates, checks, lists, rotates and revokes keys, for CI provisioning', async () => {
    const created = await json<{ id: string; key: string; type: string }>(['key', 'create', '--type', 'agent', '--name', 'ci-runner']);
    expect(created.key).toMatch(/^thresh_live_default_/);

    expect(await json(['key', 'check', created.key])).toEqual({ valid: true, type: 'agent', account: 'default' });
    const typo = await thresh(['key', 'check', created.key.slice(0, -1) + (created.key.endsWith('a') ? 'b' : 'a')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('checksum');

    const listed = await json<{ id: string; name: string }[]>(['key', 'list']);
    expect(listed.map((key) => key.name)).toContain('ci-runner');
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect((await thresh(['key', 'list'])).stdout).toMatch(/ci-runner\s+agent\s+thresh_live_default_\w{4}…\s+active/);

    const rotated = await json<{ id: string; key: string }>(['key', 'rotate', created.id]);
    expect(rotated.key).not.toBe(created.key);
    expect((await thresh(['key', 'list'])).stdout).toContain('rotated (works until');
    const revoked = await json<{ revokedAt: string }>(['key', 'revoke', rotated.id]);
    expect(revoked.revokedAt).not.toBeNull();

    const missing = await thresh(['key', 'revoke', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(4);
    const badType = await thresh(['key', 'create', '--type', 'root', '--name', 'x']);
    expect(badType.code).toBe(2);
  });

  it('shows the audit trail of those changes', async () => {
    const trail = await json<{ items: { action: string; actor: string }[] }>(['audit', '--actor', 'admin']);
    expect(trail.items.map((event) => event.action)).toEqual(expect.arrayContaining(['auth.login', 'key.create', 'key.rotate', 'key.revoke']));
  });

  it('honours THRESH_TOKEN for pipelines, and logout revokes the stored token', async () => {
    const token = (await thresh(['auth', 'token'])).stdout.trim();
    const pipelineHome = temporaryHome();
    try {
      const pipeline = { THRESH_HOME: pipelineHome.path, THRESH_TOKEN: token, THRESH_HUB: system.hubUrl };
      expect((await runThresh(['auth', 'token'], pipeline)).stdout.trim()).toBe(token);
      expect((await runThresh(['auth', 'whoami'], pipeline)).code).toBe(0);

      expect((await thresh(['auth', 'logout'])).code).toBe(0);
      expect((await thresh(['auth', 'token'])).code).toBe(1);
      const after = await runThresh(['auth', 'whoami'], pipeline);
      expect(after.code).toBe(3);
      expect(after.stderr).toContain('revoked');
    } finally {
      pipelineHome.remove();
    }
  });
});
