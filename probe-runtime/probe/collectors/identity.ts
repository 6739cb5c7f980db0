/**
 * Instance identity: a random id and start time made when the instance
 * initialises, an invocation counter, and a marker file in the instance's tmp
 * dir. The paper used the marker to tell cold from warm; a separate process
 * finding a marker means the platform reused the sandbox's /tmp for a new
 * instance life (tmpMarkerFound), which is itself worth recording.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceIdentity } from '../../contracts/probe-wire';
import { nowMs, roundMs } from '../clock';

export const TMP_MARKER_FILE = '.curtain-probe-instance';

export interface InstanceTracker {
  readonly id: string;
  readonly startedAt: number;
  /** The identity for the next invocation (counts it). */
  next(): InstanceIdentity;
}

export function createInstanceTracker(tmpDir: string): InstanceTracker {
  const id = randomUUID();
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
