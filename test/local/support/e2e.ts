/** Helpers of the end-to-end tests: a study run for real on the local platform, read back from disk. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';
import { GroundTruth } from '../../../local/ground-truth';
import { liveDriverPids } from '../../../local/orchestrator/driver-process';
import { runLocalStudy, type LocalRunOptions, type LocalRunResult } from '../../../local/run/run-local-study';
import { isAlive } from '../helpers';
import { testRuntimeBundles } from './runtime-bundles';
import { scratchDir } from '../../support/scratch-dirs';

export interface E2eRun {
  result: LocalRunResult;
  records: InvocationRecord[];
  manifest: RunManifest;
  truth: GroundTruth;
}

export async function runStudy(study: string, sets: Record<string, unknown>, options: Partial<LocalRunOptions> = {}): Promise<E2eRun> {
  const outDir = scratchDir('curtain-e2e-');
  const result = await runLocalStudy({ study, sets, outDir, bundles: await testRuntimeBundles(), report: false, ...options });
  return {
    result,
    records: readRecords(result.runDir),
    manifest: RunManifest.parse(JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8'))),
    // Read back from the file the platform wrote, validated by its schema.
    truth: GroundTruth.parse(JSON.parse(readFileSync(result.groundTruthPath, 'utf8'))),
  };
}

/** Every line of every shard, each validated against the record schema. */
export function readRecords(runDir: string): InvocationRecord[] {
  const stepsDir = path.join(runDir, 'steps');
  const records: InvocationRecord[] = [];
  for (const step of readdirSync(stepsDir).sort()) {
    for (const shard of readdirSync(path.join(stepsDir, step)).sort()) {
      const lines = readFileSync(path.join(stepsDir, step, shard), 'utf8').split('\n').filter(Boolean);
      records.push(...lines.map((line) => InvocationRecord.parse(JSON.parse(line))));
    }
  }
  return records;
}

/** Exactly one record per (burst step, request) the plan asked for, and nothing else. */
export function expectOneRecordPerPlannedRequest(plan: StudyPlan, records: InvocationRecord[]): void {
  const planned = new Set<string>();
  for (const step of plan.steps) if (step.kind === 'burst') for (let r = 0; r < step.requests; r++) planned.add(`${step.index}/${r}`);
  const seen = records.map((r) => `${r.step}/${r.request}`);
  expect(seen.length).toBe(planned.size);
  expect(new Set(seen).size).toBe(seen.length);
  for (const key of seen) expect(planned.has(key)).toBe(true);
}

/** No instance process and no driver process of the run is still alive. */
export function expectNoProcessLeft(truth: GroundTruth): void {
  const pids = truth.instances.map((i) => i.pid).filter((p): p is number => p !== null);
  expect(pids.filter(isAlive)).toEqual([]);
  expect(liveDriverPids()).toEqual([]);
}

export function okRecords(records: InvocationRecord[]): (InvocationRecord & { response: NonNullable<InvocationRecord['response']> })[] {
  return records.filter((r) => r.status === 'ok' && r.response !== null) as (InvocationRecord & { response: NonNullable<InvocationRecord['response']> })[];
}

/** The platform's instance behind a response (the probe reports CURTAIN_LOCAL_INSTANCE_ID among its provider ids). */
export function truthInstanceOf(truth: GroundTruth, probeInstanceId: string): GroundTruth['instances'][number] {
  const found = truth.instances.find((i) => i.probeInstanceId === probeInstanceId);
  if (!found) throw new Error(`no ground-truth instance for probe instance ${probeInstanceId}`);
  return found;
}
