/**
 * Who owns a run, in a form that survives pid reuse: a pid alone names a
 * different process once the owner died and the kernel handed the number out
 * again, so an owner is its pid, its start time (field 22 of /proc/<pid>/stat,
 * clock ticks since boot) and the boot it started in. An owner is alive only
 * when all three still match. Where /proc is missing (not Linux), the start
 * time is null and liveness falls back to the pid.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

export const ProcessIdentity = z.strictObject({
  pid: z.number().int().positive(),
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); null where /proc is not readable. */
  startTime: z.number().int().min(0).nullable(),
  /** /proc/sys/kernel/random/boot_id; null where not readable. */
  bootId: z.string().nullable(),
  host: z.string(),
});
export type ProcessIdentity = z.output<typeof ProcessIdentity>;

let cachedBootId: string | null | undefined;

export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** The start time of a process, or null when it does not exist (or /proc is not readable). */
export function processStartTime(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]);
  return Number.isInteger(start) ? start : null;
}

/** The process state letter (R, S, T, Z, ...) or null when it does not exist. */
export function processState(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function identityOf(pid: number): ProcessIdentity {
  return { pid, startTime: processStartTime(pid), bootId: bootId(), host: os.hostname() };
}

export function selfIdentity(): ProcessIdentity {
  return identityOf(process.pid);
}

/**
 * Whether the process an identity names is still running. Conservative towards "alive" for what
 * this machine cannot judge: another host's process (a run directory on a shared disk) is treated as alive.
 */
export function isAlive(identity: ProcessIdentity): boolean {
  if (identity.host !== os.hostname()) return true;
  if (identity.bootId !== null && bootId() !== null && identity.bootId !== bootId()) return false;
  if (!pidExists(identity.pid)) return false;
  if (identity.startTime === null) return true;
  const now = processStartTime(identity.pid);
  // A zombie still has its start time; it has exited all the same.
  return now === identity.startTime && processState(identity.pid) !== 'Z';
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
