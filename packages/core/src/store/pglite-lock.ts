import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { StoreError } from '../errors.js';

/** A held lock on an embedded PGlite directory. */
export interface PgliteLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file `<dir>.lock` for an embedded PGlite store. PGlite is one process's database: a second
 * process opening the same directory would corrupt it, so it gets a clear StoreError instead. A lock left by
 * a dead process is taken over. Released on `release()` and at process exit.
 */
export function acquirePgliteLock(dir: string): PgliteLock {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`Could not create the lock file ${path}`, { cause: error });
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StoreError(
          `The embedded store ${dir} is in use by process ${pid} (a running 'sluice scheduler'?). PGlite serves one process at a time: ` +
            'stop that process, or set SLUICE_DATABASE_URL to a Postgres database so several processes can share the store.',
        );
      }
      if (pid === process.pid) {
        throw new StoreError(`The embedded store ${dir} is already open in this process; close it first.`);
      }
      try {
        unlinkSync(path);
      } catch {
        // raced with another process taking it over
      }
    }
  }
  throw new StoreError(`Could not take the lock on the embedded store ${dir}`);
}
