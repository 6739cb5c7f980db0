/**
 * Opens a run directory in the bucket layout (probe-runtime/contracts/bucket-layout.ts):
 * validates plan.json and run.json with their schemas, checks that plan.json still
 * matches its hash, and lists the result shards.
 * A run that cannot be analysed at all (no plan, an edited plan) is an InputFileError
 * naming the file; a missing or invalid run.json is reported, not fatal, because the
 * records and the plan are still worth reading. Nothing is read before it is checked
 * (guarded-file.ts): links leaving the run, non-regular files and oversized files are refused.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputFileError, formatProblem, problemsFromZod } from '../../experiments/errors';
import { planIntegrityProblem } from '../../experiments/plan-integrity';
import { StudyPlan } from '../../experiments/plan-schema';
import type { z } from 'zod';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { TwinRecord } from '../../probe-runtime/contracts/twin-record';
import { fileKind, isInside, readGuardedText } from './guarded-file';

/** No plan of any catalog study comes near this (the largest is a few MB); a larger plan.json is not a plan. */
export const MAX_PLAN_BYTES = 64 * 1024 * 1024;
/** run.json holds provenance, notes and one failure per failed shard at most. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** twin.json holds a few lines per identity and action, and one per denied call. */
export const MAX_TWIN_RECORD_BYTES = 16 * 1024 * 1024;

export interface ShardFile {
  path: string;
  /** Path relative to the run directory, as reports print it: steps/<stepId>/<shard>.jsonl. */
  relative: string;
  stepId: string;
}

export interface RunFiles {
  dir: string;
  plan: StudyPlan;
  manifest: RunManifest | null;
  /** twin.json of a run made by an offline twin (its API calls per identity); null for any other run. @default null */
  twin?: TwinRecord | null;
  /** The offline twin that made the run: twin.json's target, `unknown` when twin.json is there but unreadable, null for any other run. @default null */
  madeByTwin?: string | null;
  /** Problems with the run's files that do not stop the analysis (missing run.json, stray files). */
  notes: string[];
  shards: ShardFile[];
}

const SHARD_FILE = /^[0-9]{3,}\.jsonl$/;

export async function openRun(runDir: string): Promise<RunFiles> {
  const dir = path.resolve(runDir);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new InputFileError(runDir, 'not a run directory (expected <study>/<run>/ with plan.json, run.json and steps/)');
  const notes: string[] = [];
  const plan = await readPlanFile(dir);
  if (!plan) throw new InputFileError(path.join(runDir, 'plan.json'), `missing: a run directory holds the plan it ran${await runsBelow(dir)}`);
  const integrity = planIntegrityProblem(plan);
  if (integrity) throw new InputFileError(path.join(runDir, 'plan.json'), integrity);
  let manifest: RunManifest | null = null;
  try {
    manifest = await readManifestFile(dir);
    if (!manifest) notes.push('run.json is missing: provenance, run status and (for local runs) the time scale are unknown');
  } catch (error) {
    notes.push(`run.json was ignored: ${(error as Error).message}`);
  }
  if (manifest && manifest.planHash !== plan.hash) {
    notes.push(`run.json names plan ${manifest.planHash.slice(0, 12)} but plan.json is ${plan.hash.slice(0, 12)}`);
  }
  if (manifest) notes.push(...runHistoryNotes(manifest));
  let twin: TwinRecord | null = null;
  let madeByTwin: string | null = null;
  try {
    twin = await readJsonFile(dir, 'twin.json', TwinRecord, 'twin record', { maxBytes: MAX_TWIN_RECORD_BYTES, sizeReason: `any twin record (at most ${MAX_TWIN_RECORD_BYTES} bytes)` });
  } catch (error) {
    notes.push(`twin.json was ignored: ${(error as Error).message}`);
    madeByTwin = 'unknown';
  }
  if (twin) madeByTwin = twin.target;
  const shards = await listShards(dir, notes);
  return { dir, plan, manifest, twin, madeByTwin, notes, shards };
}

/** What run.json says about how the run went that a reader of its results must know. */
function runHistoryNotes(m: RunManifest): string[] {
  const notes: string[] = [];
  if (m.status === 'running') notes.push('run.json says the run is still running: it is in progress, or its process died without closing it (`curtain close` closes a local run honestly); the records may be incomplete');
  for (const r of m.resumes ?? []) {
    notes.push(`The run was resumed at step ${r.fromStep + 1} on ${r.at} on a new platform: instances of earlier steps were gone, so steps from there on started with no warm instance${r.resend ? '; requests of unknown fate were sent again (--resend)' : ''}.`);
  }
  for (const s of m.shardSends ?? []) {
    const sends = s.sends.map((x) => x.outcome).join(', ');
    notes.push(`Step ${s.step + 1} shard ${s.shard} needed ${s.sends.length} driver(s) (${sends})${s.resent ? `; ${s.resent} request(s) sent again` : ''}${s.unresolved ? `; ${s.unresolved} of unknown fate` : ''}.`);
  }
  return notes;
}

/** A hint when the user named a study (or results) directory instead of one of its runs. */
async function runsBelow(dir: string): Promise<string> {
  const found: string[] = [];
  const walk = async (at: string, depth: number) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || found.length >= 5) continue;
      const child = path.join(at, entry.name);
      if (await stat(path.join(child, 'plan.json')).catch(() => null)) found.push(child);
      else if (depth > 0) await walk(child, depth - 1);
    }
  };
  await walk(dir, 1);
  return found.length > 0 ? `; runs found below it: ${found.sort().join(', ')}` : '';
}

/** plan.json of a run directory, read guarded and validated (its integrity is the caller's to check); null when absent. */
export function readPlanFile(dir: string): Promise<StudyPlan | null> {
  return readJsonFile(dir, 'plan.json', StudyPlan, 'plan', { maxBytes: MAX_PLAN_BYTES, sizeReason: `any plan (at most ${MAX_PLAN_BYTES} bytes)` });
}

/** run.json of a run directory, read guarded and validated; null when absent. */
export function readManifestFile(dir: string): Promise<RunManifest | null> {
  return readJsonFile(dir, 'run.json', RunManifest, 'run manifest', { maxBytes: MAX_MANIFEST_BYTES, sizeReason: `any run manifest (at most ${MAX_MANIFEST_BYTES} bytes)` });
}

async function readJsonFile<S extends z.ZodType>(
  dir: string,
  name: string,
  schema: S,
  subject: string,
  limits: { maxBytes: number; sizeReason: string },
): Promise<z.output<S> | null> {
  const file = path.join(dir, name);
  const text = await readGuardedText(dir, file, file, limits);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(file, `invalid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = problemsFromZod(result.error).slice(0, 5).map(formatProblem);
    throw new InputFileError(file, `not a valid ${subject}: ${problems.join('; ')}`);
  }
  return result.data;
}

async function listShards(dir: string, notes: string[]): Promise<ShardFile[]> {
  const stepsDir = path.join(dir, 'steps');
  await checkDirectory(dir, stepsDir, 'steps');
  const stepDirs = await readdir(stepsDir, { withFileTypes: true }).catch(() => null);
  if (!stepDirs) {
    notes.push('steps/ is missing: the run wrote no results');
    return [];
  }
  const shards: ShardFile[] = [];
  for (const entry of stepDirs.sort((a, b) => a.name.localeCompare(b.name))) {
    const stepDir = path.join(stepsDir, entry.name);
    if (!entry.isDirectory() && !entry.isSymbolicLink()) {
      notes.push(`ignored steps/${entry.name}: not a step directory`);
      continue;
    }
    if (!(await checkDirectory(dir, stepDir, `steps/${entry.name}`))) {
      notes.push(`ignored steps/${entry.name}: not a step directory`);
      continue;
    }
    const files = (await readdir(stepDir)).sort();
    for (const name of files) {
      const relative = `steps/${entry.name}/${name}`;
      if (!SHARD_FILE.test(name)) {
        notes.push(`ignored ${relative}: not a shard file (<shard>.jsonl)`);
        continue;
      }
      // Named like a shard, so it must be one: anything else is refused rather than skipped quietly.
      const info = await lstat(path.join(stepDir, name));
      const kind = info.isSymbolicLink() ? null : fileKind(info);
      if (kind) throw new InputFileError(path.join(dir, relative), `not a regular file (${kind}): refused`);
      shards.push({ path: path.join(stepDir, name), relative, stepId: entry.name });
    }
  }
  return shards;
}

/** Whether `target` is a directory inside the run; a link leaving the run is refused. */
async function checkDirectory(dir: string, target: string, shown: string): Promise<boolean> {
  const info = await lstat(target).catch(() => null);
  if (!info) return false;
  if (info.isSymbolicLink()) {
    const resolved = await realpath(target).catch(() => null);
    const root = await realpath(dir);
    if (resolved === null || !isInside(root, resolved)) {
      throw new InputFileError(path.join(dir, shown), `a symbolic link to ${resolved ?? 'nothing'}, outside the run directory: refused`);
    }
    return (await stat(resolved)).isDirectory();
  }
  return info.isDirectory();
}
