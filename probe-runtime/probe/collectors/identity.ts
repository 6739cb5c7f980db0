/**
 * Instance identity: a random id and start time made when the instance
 * initialises, an invocation counter, and a marker file in the instance's tmp
 * dir. The paper used the marker to tell cold from warm; a separate process
 * finding a marker means the platform reused the sandbox's /tmp for a new
 * instance life (tmpMarkerFound), which is itself worth recording.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceIdentity } from '../../contracts/probe-wire';
import { nowMs, roundMs } from '../clock';

export const TMP_MARKER_FILE = '.curtain-probe-instance';

/**
 * A random version-4 UUID from Math.random (seeded by V8 from the OS's entropy).
 * Only uniqueness matters for an instance id, not unpredictability, and loading
 * node:crypto would add measurably to every local cold start.
 */
export function randomInstanceId(): string {
  const hex = (digits: number) => {
    let out = '';
    for (let i = 0; i < digits; i++) out += ((Math.random() * 16) | 0).toString(16);
    return out;
  };
  const variant = (8 + ((Math.random() * 4) | 0)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

export interface InstanceTracker {
  readonly id: string;
  readonly startedAt: number;
  /** The identity for the next invocation (counts it). */
  next(): InstanceIdentity;
}

export function createInstanceTracker(tmpDir: string): InstanceTracker {
  const id = randomInstanceId();
  const startedAt = roundMs(nowMs());
  const marker = join(tmpDir, TMP_MARKER_FILE);
  const tmpMarkerFound = existsSync(marker);
  try {
    writeFileSync(marker, JSON.stringify({ id, startedAt }));
  } catch {
    // A read-only or missing tmp dir must not stop the probe; the next life
    // will simply not find a marker.
  }
  let invocation = 0;
  return {
    id,
    startedAt,
    next() {
      invocation += 1;
      return { id, startedAt, invocation, cold: invocation === 1, tmpMarkerFound };
    },
  };
}
