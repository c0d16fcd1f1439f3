import fs from 'node:fs';

/** Another process already has the embedded database open. */
export class PgliteLockedError extends Error {
  override name = 'PgliteLockedError';
}

/**
 * Takes an exclusive lock file holding this process's PID, because two processes writing one
 * PGlite directory corrupt it. A lock left by a process that no longer runs is taken over.
 * Returns the function that releases the lock.
 */
export function acquirePgliteLock(lockPath: string, dataDir: string): () => void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      const release = () => fs.rmSync(lockPath, { force: true });
      process.once('exit', release);
      return () => {
        process.removeListener('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
        throw new PgliteLockedError(
          `The embedded database in ${dataDir} is already open in process ${holder}. ` +
            `Stop that process (kill ${holder}) first, or set DATABASE_URL to use a PostgreSQL server, ` +
            'which any number of processes can share.',
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new PgliteLockedError(`Could not take the lock file ${lockPath}; remove it if no files-gateway process is running.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
