/**
 * Opens a run directory in the bucket layout (probe-runtime/contracts/bucket-layout.ts):
 * validates plan.json and run.json with their schemas and lists the result shards.
 * A run that cannot be analysed at all (no plan) is an InputFileError naming the
 * file; a missing or invalid run.json is reported, not fatal, because the records
 * and the plan are still worth reading.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputFileError, formatProblem, problemsFromZod } from '../../experiments/errors';
import { StudyPlan } from '../../experiments/plan-schema';
import type { z } from 'zod';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { TwinRecord } from '../../probe-runtime/contracts/twin-record';

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
  const plan = await readJsonFile(path.join(dir, 'plan.json'), StudyPlan, 'plan');
  if (!plan) throw new InputFileError(path.join(runDir, 'plan.json'), `missing: a run directory holds the plan it ran${await runsBelow(dir)}`);
  let manifest: RunManifest | null = null;
  try {
    manifest = await readJsonFile(path.join(dir, 'run.json'), RunManifest, 'run manifest');
    if (!manifest) notes.push('run.json is missing: provenance, run status and (for local runs) the time scale are unknown');
  } catch (error) {
    notes.push(`run.json was ignored: ${(error as Error).message}`);
  }
  if (manifest && manifest.planHash !== plan.hash) {
    notes.push(`run.json names plan ${manifest.planHash.slice(0, 12)} but plan.json is ${plan.hash.slice(0, 12)}`);
  }
  let twin: TwinRecord | null = null;
  try {
    twin = await readJsonFile(path.join(dir, 'twin.json'), TwinRecord, 'twin record');
  } catch (error) {
    notes.push(`twin.json was ignored: ${(error as Error).message}`);
  }
  const shards = await listShards(dir, notes);
  return { dir, plan, manifest, twin, notes, shards };
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

async function readJsonFile<S extends z.ZodType>(file: string, schema: S, subject: string): Promise<z.output<S> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputFileError(file, (error as Error).message);
  }
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
  const stepDirs = await readdir(stepsDir, { withFileTypes: true }).catch(() => null);
  if (!stepDirs) {
    notes.push('steps/ is missing: the run wrote no results');
    return [];
  }
  const shards: ShardFile[] = [];
  for (const entry of stepDirs.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) {
      notes.push(`ignored steps/${entry.name}: not a step directory`);
      continue;
    }
    const files = (await readdir(path.join(stepsDir, entry.name))).sort();
    for (const name of files) {
      const relative = `steps/${entry.name}/${name}`;
      if (!SHARD_FILE.test(name)) {
        notes.push(`ignored ${relative}: not a shard file (<shard>.jsonl)`);
        continue;
      }
      shards.push({ path: path.join(stepsDir, entry.name, name), relative, stepId: entry.name });
    }
  }
  return shards;
}
