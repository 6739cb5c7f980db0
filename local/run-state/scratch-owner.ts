/**
 * A run's scratch directory (`$TMPDIR/curtain-local-*`: host trees, instance
 * directories, the driver's staged plan) says who owns it in owner.json: the
 * process, its watchdog, the run directory and the cgroups it created. The
 * reaper of a later run removes the scratch (and what lives in it) of an owner
 * that is dead and whose watchdog is dead too; a directory without owner.json
 * (another version of curtain, a test platform) is never touched.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ProcessIdentity } from './process-identity';
import { SCRATCH_OWNER_FILE } from './run-dir-layout';

export const ScratchOwner = z.strictObject({
  v: z.literal(1),
  owner: ProcessIdentity,
  watchdog: ProcessIdentity.nullable(),
  /** The run directory (`<out>/<study>/<run>`) the scratch serves. */
  runDir: z.string(),
  /** cgroup directories the run created (every controller), removed with the run. */
  cgroups: z.array(z.string()),
});
export type ScratchOwner = z.output<typeof ScratchOwner>;

export function writeScratchOwner(scratch: string, owner: ScratchOwner): void {
  const file = path.join(scratch, SCRATCH_OWNER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(ScratchOwner.parse(owner), null, 2)}\n`);
  renameSync(temp, file);
}

export function readScratchOwner(scratch: string): ScratchOwner | null {
  try {
    return ScratchOwner.parse(JSON.parse(readFileSync(path.join(scratch, SCRATCH_OWNER_FILE), 'utf8')));
  } catch {
    return null;
  }
}
