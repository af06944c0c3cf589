import type { CommandUpdate } from '@thresh/protocol';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files';

export interface JournalEntry {
  id: string;
  kind: string;
  /** `running` left behind by an agent that stopped mid-command. */
  state: 'running' | 'finished';
  /** The outcome, kept until the hub acknowledged it. */
  outcome?: CommandUpdate;
  acknowledged: boolean;
}

const KEEP_MS = 2 * 86_400_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/** One small file per command: a command handed down twice runs once, and an outcome the hub did not hear is sent again. */
export class CommandJournal {
  private prunedAt = 0;

  constructor(private readonly folder: string) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  }

  get(id: string): JournalEntry | null {
    try {
      return JSON.parse(readFileSync(this.file(id), 'utf8')) as JournalEntry;
    } catch {
      return null;
    }
  }

  save(entry: JournalEntry): void {
    writeFileAtomic(this.file(entry.id), JSON.stringify(entry));
  }

  unacknowledged(): JournalEntry[] {
    return this.all().filter((entry) => entry.state === 'finished' && !entry.acknowledged);
  }

  /** Entries a previous run of the agent left running: they will never finish. */
  interrupted(): JournalEntry[] {
    return this.all().filter((entry) => entry.state === 'running');
  }

  /** Forgets acknowledged commands after two days (looking every ten minutes at most). */
  prune(now = Date.now()): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    for (const name of this.names()) {
      const file = join(this.folder, name);
      if (now - statSync(file).mtimeMs > KEEP_MS && this.get(name.replace(/\.json$/, ''))?.acknowledged) rmSync(file, { force: true });
    }
  }

  private all(): JournalEntry[] {
    return this.names()
      .map((name) => this.get(name.replace(/\.json$/, '')))
      .filter((entry): entry is JournalEntry => entry !== null);
  }

  private names(): string[] {
    return existsSync(this.folder) ? readdirSync(this.folder).filter((name) => name.endsWith('.json')) : [];
  }

  private file(id: string): string {
    return join(this.folder, `${id}.json`);
  }
}
