import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsOptionsOf } from './tls';

describe('httpsOptionsOf', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls-'));
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves HTTPS with both files, HTTP with neither or when disabled', () => {
    const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    expect(httpsOptionsOf('HUB', { ...files, disabled: false })).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY'), handshakeTimeout: 10_000 });
    expect(httpsOptionsOf('HUB', { ...files, disabled: true })).toBeUndefined();
    expect(httpsOptionsOf('HUB', { disabled: false })).toBeUndefined();
  });

  it('names the variable at fault', () => {
    expect(() => httpsOptionsOf('MIDTIER', { cert: join(dir, 'cert.pem'), disabled: false })).toThrow(
      'MIDTIER_TLS_CERT and MIDTIER_TLS_KEY go together: give both for HTTPS, or neither (or MIDTIER_DISABLE_HTTPS=true) for HTTP',
    );
    expect(() => httpsOptionsOf('HUB', { cert: join(dir, 'cert.pem'), key: join(dir, 'missing.pem'), disabled: false })).toThrow(
      `HUB_TLS_KEY: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    );
  });
});
