import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function launcherAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A pid reused by another program does not hold the folder.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('launcher');
  } catch {
    return true;
  }
}

/** One npm start per data folder: a second one would start a second server on the same cluster. */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'launcher.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && launcherAlive(holder)) {
    throw new Error(`another npm start (pid ${holder}) is using ${dataDir}: stop it first, or set THRESH_DATA_DIR to another folder`);
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file);
    } catch {
      // Already gone.
    }
  };
}
