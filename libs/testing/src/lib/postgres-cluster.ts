import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './wait';

/** The newest of Debian's PostgreSQL server binaries, when installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'))
    .find((candidate) => existsSync(join(candidate, 'initdb')));
}

/**
 * A PostgreSQL cluster of the test's own, from Debian's binaries, that the test may stop and start again: for faults
 * the machine's shared server must never see.
 */
export class PostgresCluster {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** postgres://…/postgres on the cluster, for createTestDatabase. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries are not installed (Debian: apt-get install -y postgresql)');
    const dir = mkdtempSync(join(tmpdir(), 'thresh-fault-pg-'));
    if (process.getuid?.() === 0) {
      // initdb refuses to run as root: the cluster belongs to the postgres user.
      chmodSync(dir, 0o755);
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    }
    const cluster = new PostgresCluster(bin, dir, await freePort());
    cluster.run(`${bin}/initdb -D ${dir}/data -A trust -U postgres`);
    cluster.start();
    return cluster;
  }

  start(): void {
    this.run(`${this.bin}/pg_ctl -D ${this.dir}/data -o "-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off" -l ${this.dir}/log -w start`);
  }

  /** fast: connections are cut, as in a restart of the server; immediate: as in a crash. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run(`${this.bin}/pg_ctl -D ${this.dir}/data -m ${mode} -w stop`);
  }

  remove(): void {
    try {
      this.stop('immediate');
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(command: string): void {
    if (process.getuid?.() === 0) execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe' });
    else execFileSync('sh', ['-c', command], { stdio: 'pipe' });
  }
}
