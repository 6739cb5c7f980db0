/**
 * `curtain resume <run-dir>`: continues a local run that was interrupted,
 * killed or left failed, on a new platform, from the first burst step that
 * still has requests to send, with the run's own plan (its hash checked) and
 * options. What is sent:
 *   - every request recorded as `skipped` (never sent);
 *   - with `resend`, every request of unknown fate (`error` with 0 attempts: a
 *     driver died after it began sending), recorded with `priorSends`.
 * Records already written are kept; each shard is completed in place, so the
 * run ends with exactly one record per planned request. Updates before the
 * resume point are applied to the new platform, waits before it are not
 * repeated; run.json lists the resume (`resumes`) and the report says the
 * platform was restarted.
 */
import { shardRequestRange } from '../../experiments/expand-schedule';
import { InputFileError } from '../../experiments/errors';
import type { StudyPlan } from '../../experiments/plan-schema';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { manifestText } from '../../probe-runtime/driver/run-manifest';
import { parseSets } from '../../experiments/resolve-study';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { parseFaultOptions, type FaultOptions } from '../faults';
import type { PlatformProfile } from '../profiles';
import type { TimeScaleChoice } from '../time-scale';
import type { ResumePoint, ShardWork } from '../orchestrator/walk-plan';
import { resolveProfile } from '../profiles';
import { closeLocalRun, readRunDocuments } from '../run-state/close-run';
import { acquireRunLock } from '../run-state/run-lock';
import { readShardRecords } from '../run-state/shard-evidence';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkRuntimes, runSegment, type LocalRunOptions, type LocalRunResult } from './run-local-study';
import { bundleHashes, type RuntimeBundles } from './runtime-bundles';

export interface ResumeOptions extends Pick<LocalRunOptions, 'interrupt' | 'report' | 'onEvent' | 'onPlatform' | 'log' | 'cgroupParent' | 'blkioParent'> {
  /** The bundles to run: they must be the bytes the run started with (hashes in run.json). */
  bundles: RuntimeBundles;
  /** Send again the requests of unknown fate (recorded as re-sent). */
  resend?: boolean;
}

/** The options a run was made with, read back from run.json's `origin` (every option of `curtain run` as it took effect). */
export interface RecordedRunOptions {
  origin: RunOrigin;
  profile: PlatformProfile;
  faults: FaultOptions;
  seed: number;
  scale: TimeScaleChoice;
  cpuQuota: 'auto' | 'off';
  ioLimit: 'auto' | 'off';
  /** `--bundles` of the run, null for the checkout's own. */
  bundlesRoot: string | null;
}

export function recordedRunOptions(manifest: RunManifest): RecordedRunOptions {
  const origin = manifest.origin;
  if (!origin || origin.options.target !== 'local') {
    throw new InputFileError('run.json', 'has no record of the options its local run was made with (origin): a run made by an older curtain cannot be resumed; start a new run');
  }
  const o = origin.options;
  const profile = resolveProfile(o.profile, parseSets(o.profileSet));
  return {
    origin,
    profile,
    faults: parseFaultOptions(o.fault, profile.faults),
    seed: o.seed,
    scale: { scale: o.timeScale, reason: o.timeScaleGiven ? 'set with --time-scale' : 'the per-plan default when the run started' },
    cpuQuota: o.cpuQuota,
    ioLimit: o.ioLimit,
    bundlesRoot: o.bundles,
  };
}

/** What a resume would send, per burst step and shard; fromStep is the first step with work. */
export function resumeWork(plan: StudyPlan, runDir: string, run: string, resend: boolean): ResumePoint {
  const work = new Map<number, Map<number, ShardWork>>();
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    for (let shard = 0; shard < step.shards; shard++) {
      const records = readShardRecords(runDir, plan, run, step, shard);
      const { start, end } = shardRequestRange(step, shard);
      const only: ShardWork['only'] = [];
      for (let request = start; request < end; request++) {
        const record = records?.get(request);
        if (!record) throw new InputFileError(path.join(runDir, 'steps', step.id), `shard ${shard} has no record of request ${request}: close the run first (curtain close)`);
        if (record.status === 'skipped') only.push({ request, priorSends: record.priorSends ?? 0 });
        else if (resend && record.status === 'error' && record.attempts === 0) only.push({ request, priorSends: (record.priorSends ?? 0) + 1 });
      }
      if (only.length === 0) continue;
      if (!work.has(step.index)) work.set(step.index, new Map());
      work.get(step.index)!.set(shard, { only });
    }
  }
  const fromStep = work.size > 0 ? Math.min(...work.keys()) : plan.steps.length;
  return { fromStep, work };
}

export async function resumeLocalRun(runDir: string, options: ResumeOptions): Promise<LocalRunResult> {
  const began = performance.now();
  const lock = acquireRunLock(runDir, 'resume');
  let handedOver = false;
  try {
    let { plan, manifest } = await readRunDocuments(runDir);
    if (!plan) throw new InputFileError(path.join(runDir, 'plan.json'), 'missing: this run never started (nothing to resume)');
    if (!manifest) throw new InputFileError(path.join(runDir, 'run.json'), 'missing: only a local run written by curtain run can be resumed');
    if (manifest.provider !== 'local' || !manifest.local) throw new InputFileError(runDir, `a ${manifest.provider} run: only local runs are resumed here (a cloud run is resumed by its orchestrator)`);
    const recorded = recordedRunOptions(manifest);
    if (manifest.status === 'completed') throw new InputFileError(runDir, 'the run is completed: there is nothing to resume');
    if (manifest.status === 'running') {
      // Its owner is dead (we hold the lock): close it first, so every shard is on disk.
      await closeLocalRun(runDir, `curtain resume (pid ${process.pid})`);
      ({ manifest } = await readRunDocuments(runDir));
      if (!manifest) throw new InputFileError(path.join(runDir, 'run.json'), 'missing after closing the run');
    }
    checkBundles(manifest, options.bundles);
    checkRuntimes(plan, options.bundles);
    const resend = options.resend ?? false;
    const point = resumeWork(plan, runDir, manifest.run, resend);
    const reworked = new Set([...point.work].flatMap(([step, shards]) => [...shards.keys()].map((shard) => `${step}/${shard}`)));
    // Earlier failures stay unless this resume redoes their shard (which then fails afresh or not at all).
    const carriedFailures = manifest.failures.filter((f) => f.shard === null || !reworked.has(`${f.step}/${f.shard}`));
    const resumes = [...(manifest.resumes ?? []), { at: new Date().toISOString(), fromStep: point.fromStep, resend }];
    reopen(runDir, {
      ...manifest,
      status: 'running',
      endedAt: null,
      resumes,
      notes: [
        ...manifest.notes,
        `Resumed at step ${point.fromStep} on a new platform (${resumes[resumes.length - 1]!.at}): instances of earlier steps were gone, so steps from there on started with no warm instance whatever the plan intended.`,
      ],
    });
    options.log?.(
      `curtain resume ${plan.study.id}/${manifest.run}: from step ${point.fromStep + 1} of ${plan.steps.length}, ${[...point.work.values()].reduce((n, shards) => n + [...shards.values()].reduce((m, w) => m + w.only.length, 0), 0)} request(s) to send${resend ? ' (requests of unknown fate included: --resend)' : ''}`,
    );
    handedOver = true;
    return await runSegment({
      ...options,
      began,
      plan,
      run: manifest.run,
      outDir: path.dirname(path.dirname(runDir)),
      runDir,
      lock,
      profile: recorded.profile,
      faults: recorded.faults,
      scale: recorded.scale,
      seed: recorded.seed,
      origin: () => recorded.origin,
      cpuQuota: recorded.cpuQuota,
      ioLimit: recorded.ioLimit,
      resend,
      segment: resumes.length,
      resume: point,
      carriedFailures,
    });
  } finally {
    if (!handedOver) lock.release();
  }
}

/** The bundles must be the bytes the run started with: a resumed run never mixes probe or driver versions. */
function checkBundles(manifest: RunManifest, bundles: RuntimeBundles): void {
  const here = bundleHashes(bundles);
  const differ = (['probe', 'driver', 'pythonProbe'] as const).filter((k) => manifest.bundles[k] !== null && manifest.bundles[k] !== here[k]);
  if (differ.length > 0) {
    throw new InputFileError(
      'run.json',
      `the run started with other bundles (${differ.map((k) => `${k} ${manifest.bundles[k]!.slice(0, 12)}…, here ${here[k]?.slice(0, 12) ?? 'none'}…`).join('; ')}): resume with --bundles DIR holding the run's bundles, or start a new run`,
    );
  }
}

function reopen(runDir: string, manifest: RunManifest): void {
  const file = path.join(runDir, 'run.json');
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, manifestText(RunManifest.parse(manifest)));
  renameSync(temp, file);
}
