/**
 * A cross-process lock around the bundle build (a directory created with
 * mkdir, which is atomic): parallel jest workers, `curtain run` and a stack
 * synthesis may all ask for the bundles at once, and exactly one must build.
 * A lock whose owner process is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const POLL_MS = 100;
const GIVE_UP_MS = 5 * 60_000;

function ownerAlive(lockDir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withBuildLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock just created may not have its pid file yet: only a lock older than a poll is judged.
      if (!ownerAlive(lockDir) && Date.now() - started > POLL_MS) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() - started > GIVE_UP_MS) throw new Error(`${lockDir}: another build has held the lock for over ${GIVE_UP_MS / 60_000} minutes`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  // Released on exit too: a build stopped by a signal (exit 130) must not hold the lock until it is judged stale.
  const release = () => rmSync(lockDir, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await work();
  } finally {
    release();
    process.off('exit', release);
  }
}
