/**
 * The `curtain run` options a later `curtain resume` needs to put the run back
 * on an equivalent platform (local-run/options.json). The plan itself is not
 * here: resume reads the run's own plan.json and checks its hash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { InputFileError } from '../../experiments/errors';
import { FaultOptions } from '../faults';
import { optionsFile } from './run-dir-layout';

export const LocalRunOptionsRecord = z.strictObject({
  v: z.literal(1),
  profile: z.string(),
  profileSet: z.record(z.string(), z.unknown()),
  /** The time scale the run used (chosen or set). */
  timeScale: z.number().positive(),
  timeScaleReason: z.string(),
  faults: FaultOptions,
  seed: z.number().int().min(0),
  cpuQuota: z.enum(['auto', 'off']),
  /** `--bundles` root, null for this checkout's bundles. */
  bundlesRoot: z.string().nullable(),
  /** Whether the driver bundle keeps shard journals (older drivers do not). */
  driverJournals: z.boolean(),
  /** `--resend` of the run. */
  resend: z.boolean(),
});
export type LocalRunOptionsRecord = z.output<typeof LocalRunOptionsRecord>;

export function writeRunOptions(runDir: string, record: LocalRunOptionsRecord): void {
  writeFileSync(optionsFile(runDir), `${JSON.stringify(LocalRunOptionsRecord.parse(record), null, 2)}\n`);
}

export function readRunOptions(runDir: string): LocalRunOptionsRecord | null {
  let text: string;
  try {
    text = readFileSync(optionsFile(runDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = LocalRunOptionsRecord.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputFileError(optionsFile(runDir), 'not the options of a local run (written by another version of curtain?)');
  return parsed.data;
}
