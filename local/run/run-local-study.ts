/**
 * One study on the embedded local platform, end to end: plan for provider
 * `local`, start the platform, walk the plan with the real driver bundle,
 * stop every instance, write the ground truth, then the report.
 *
 * Results land in `<out>/<study>/<run>/` in the bucket layout (plan.json,
 * run.json, steps/<step>/<shard>.jsonl), exactly as `curtain fetch` leaves a
 * cloud run; the ground truth goes to `<out>/.ground-truth/<study>/<run>.json`.
 */
import { setMaxListeners } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PlanRefusedError } from '../../experiments/errors';
import { PHASED_METRICS } from '../../experiments/latency-phase';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import { formatSets, resolveStudy } from '../../experiments/resolve-study';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { currentOrigin } from '../../probe-runtime/build/source-identity';
import { studyReference } from '../../experiments/study-reference';
import { newRunId, runPrefix } from '../../probe-runtime/contracts/bucket-layout';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { createLocalDirSink } from '../../probe-runtime/driver/sinks/local-dir';
import type { CpuQuotaStatus } from '../cpu/cgroup-cpu';
import type { IoLimitStatus } from '../io/blkio';
import { describeFaults, FaultOptions } from '../faults';
import { GroundTruth, groundTruthPath } from '../ground-truth';
import { LocalPlatform, type PlatformStats } from '../platform/local-platform';
import { resolveProfile, type PlatformProfile } from '../profiles';
import { Random } from '../random';
import { defaultTimeScale, NOMINAL_STEP_OVERHEAD, TimeScale, type TimeScaleChoice } from '../time-scale';
import type { DriverCommand } from '../orchestrator/driver-process';
import { measureDriverStartup } from '../orchestrator/driver-startup';
import { walkPlan, type OrchestratorEvent, type RunFailure } from '../orchestrator/walk-plan';
import { checkMethod, MethodCheck, methodCheckSection } from '../method-check/method-check';
import { FLOOR_PROFILE_SET, floorDefinition, floorFromRecords, type FloorSamples, LoadSampler, machineReport, recordMachine } from './machine-report';
import { loadWriteReport, type ReportResult } from './report-bridge';
import { summarizeRun, type RecordSummary } from './run-summary';
import { bundleFile, bundleHashes, instanceCommands, type RuntimeBundles } from './runtime-bundles';

export interface LocalRunOptions {
  /** A catalog study id or a definition file. */
  study: string;
  /** The plan of `study` with `sets`, when the caller has made it already (planLocalRun); planned here otherwise. */
  plan?: StudyPlan;
  sets?: Record<string, unknown>;
  profile?: string;
  /** Dotted-path overrides of the profile (`--profile-set`). */
  profileSet?: Record<string, unknown>;
  /** Waits and platform timers run this many times faster; default: per plan (time-scale.ts). */
  timeScale?: number;
  /** Results root (default ./curtain-results). */
  outDir: string;
  /** Faults layered over the profile's. */
  faults?: Partial<FaultOptions>;
  seed?: number;
  run?: string;
  /**
   * The --set, --profile-set and --fault pairs exactly as typed, recorded in
   * run.json (`origin.options`); by default they are written back from
   * `sets`, `profileSet` and `faults`.
   */
  typed?: { set?: string[]; profileSet?: string[]; fault?: string[] };
  maxInvocations?: number;
  /** The bundles to run (built by the caller: ensureRuntimeBuilt()). */
  bundles: RuntimeBundles;
  /** Ctrl-C: stop after the running step; everything recorded stays valid. */
  interrupt?: AbortSignal;
  cpuQuota?: 'auto' | 'off';
  cgroupParent?: string;
  ioLimit?: 'auto' | 'off';
  blkioParent?: string;
  /** Write the report through the analysis (default true). */
  report?: boolean;
  /** Measure this machine's latency floor for plans that report latencies (default true; the floor run itself does not). */
  measureMachine?: boolean;
  onEvent?: (event: OrchestratorEvent) => void;
  /** The time scale, once chosen (the default is chosen from a driver start measured on this machine). */
  onTimeScale?: (choice: TimeScaleChoice) => void;
  /** Gets a function to read live platform numbers once the platform runs (progress display). */
  onPlatform?: (stats: () => PlatformStats) => void;
  log?: (line: string) => void;
}

export interface LocalRunResult {
  plan: StudyPlan;
  run: string;
  runDir: string;
  status: RunManifest['status'];
  stepsCompleted: number;
  failures: RunFailure[];
  profile: PlatformProfile;
  timeScale: number;
  timeScaleReason: string;
  cpuQuota: CpuQuotaStatus;
  ioLimit: IoLimitStatus;
  faults: string[];
  groundTruthPath: string;
  groundTruth: GroundTruth;
  records: RecordSummary;
  report: ReportResult | null;
  /** The method check against the ground truth (in the report and report/method-check.json); null without a report. */
  methodCheck: MethodCheck | null;
  /** Why there is no report, when there is none. */
  reportNote: string | null;
  elapsedMs: number;
}

/** Seed of placement and platform timers when --seed is not given. */
export const DEFAULT_SEED = 2018;

/** A plan over its budget (exit code 2 in the CLI). */
export class PlanOverBudgetError extends Error {
  constructor(readonly reasons: string[]) {
    super(`plan refused: over budget: ${reasons.join('; ')}`);
    this.name = 'PlanOverBudgetError';
  }
}

/** The plan a local run executes, with its budget checked. */
export function planLocalRun(options: Pick<LocalRunOptions, 'study' | 'sets' | 'maxInvocations'>): StudyPlan {
  const { definition } = resolveStudy(options.study, options.sets ?? {});
  const plan = planStudy(definition, { provider: 'local', budget: { maxInvocations: options.maxInvocations } });
  if (plan.budget.verdict === 'over') throw new PlanOverBudgetError(plan.budget.reasons);
  return plan;
}

export async function runLocalStudy(options: LocalRunOptions): Promise<LocalRunResult> {
  const began = performance.now();
  const log = options.log ?? (() => undefined);
  const plan = options.plan ?? planLocalRun(options);
  const profile = resolveProfile(options.profile, options.profileSet ?? {});
  const faults = FaultOptions.parse({ ...profile.faults, ...(options.faults ?? {}) });

  const runtimes = instanceCommands(options.bundles);
  const needed = [...new Set(plan.functions.map((f) => f.runtime))];
  const missing = needed.filter((r) => runtimes.problems[r]).map((r) => `${r}: ${runtimes.problems[r]}`);
  if (missing.length > 0) {
    throw new PlanRefusedError(plan.study.id, 'this machine', [
      ...missing,
      ...(needed.length > 1 ? ['run the other runtime only with --set runtimes=... (catalog studies) or functions.runtime=... (definition files)'] : []),
    ]);
  }

  const run = options.run ?? newRunId();
  const outDir = path.resolve(options.outDir);
  const runDir = path.join(outDir, ...runPrefix(plan.study.id, run).split('/'));
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'curtain-local-'));
  const interrupt = options.interrupt ?? new AbortController().signal;
  // Every driver process of a burst listens to it at once (a burst may have many shards).
  setMaxListeners(0, interrupt);
  let platform: LocalPlatform | null = null;
  try {
    const staging = path.join(scratch, 'driver');
    await mkdir(staging, { recursive: true });
    const planFile = path.join(staging, 'plan.json');
    const deploymentFile = path.join(staging, 'deployment.json');
    const deployment: Deployment = {
      v: 1,
      provider: 'local',
      region: plan.region,
      planHash: plan.hash,
      targets: Object.fromEntries(plan.functions.map((f) => [f.key, f.key])),
      bundles: bundleHashes(options.bundles),
    };
    await writeFile(planFile, `${JSON.stringify(plan, null, 2)}\n`);
    await writeFile(deploymentFile, `${JSON.stringify(deployment, null, 2)}\n`);
    const driverEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', CURTAIN_PLAN_FILE: planFile, CURTAIN_DEPLOYMENT_FILE: deploymentFile, CURTAIN_RESULTS_DIR: outDir };
    const driverArgs = [bundleFile(options.bundles, 'driver-local')];
    // Waits are scheduled on the platform clock around the real steps: measure what a step costs here, now.
    const driverStartupMs = plan.steps.some((s) => s.kind === 'wait') ? await measureDriverStartup({ command: process.execPath, args: driverArgs, env: driverEnv }) : null;
    const scaleChoice =
      options.timeScale !== undefined
        ? { scale: options.timeScale, reason: 'set with --time-scale' }
        : defaultTimeScale(plan, profile, driverStartupMs === null ? NOMINAL_STEP_OVERHEAD : { driverStartupMs, measured: true });
    const timeScale = new TimeScale(scaleChoice.scale);
    options.onTimeScale?.(scaleChoice);

    platform = await LocalPlatform.start({
      profile,
      timeScale,
      faults,
      functions: plan.functions,
      runtimes: runtimes.commands,
      workDir: path.join(scratch, 'platform'),
      seed: options.seed ?? DEFAULT_SEED,
      cpuQuota: options.cpuQuota,
      cgroupParent: options.cgroupParent,
      ioLimit: options.ioLimit,
      blkioParent: options.blkioParent,
    });
    const live = platform;
    options.onPlatform?.(() => live.stats());
    log(
      `local platform: profile ${profile.name}, ${timeScale.describe()}, CPU quota ${platform.cpuQuota.applied ? 'applied' : `not applied (${platform.cpuQuota.reason})`}, per-host disk bandwidth ${platform.ioLimit.applied ? 'applied' : `not applied (${platform.ioLimit.reason})`}`,
    );

    const origin = currentOrigin('run', {
      target: 'local',
      study: studyReference(options.study),
      set: options.typed?.set ?? formatSets(options.sets ?? {}),
      profile: profile.name,
      profileSet: options.typed?.profileSet ?? formatSets(options.profileSet ?? {}),
      fault: options.typed?.fault ?? formatSets(options.faults ?? {}),
      seed: options.seed ?? DEFAULT_SEED,
      timeScale: timeScale.scale,
      timeScaleGiven: options.timeScale !== undefined,
      maxInvocations: options.maxInvocations ?? null,
      cpuQuota: options.cpuQuota ?? 'auto',
      ioLimit: options.ioLimit ?? 'auto',
      bundles: path.resolve(options.bundles.root) === REPO_ROOT ? null : path.resolve(options.bundles.root),
    });
    const localSection: NonNullable<RunManifest['local']> = {
      profile: profile.name,
      timeScale: timeScale.scale,
      cpuQuota: platform.cpuQuota,
      faults: describeFaults(faults),
      ...(profile.modelsAsOf ? { modelsAsOf: profile.modelsAsOf } : {}),
      constructed: constructedMetrics(profile),
    };
    const driver: DriverCommand = {
      command: process.execPath,
      args: driverArgs,
      env: {
        ...driverEnv,
        CURTAIN_LOCAL_ENDPOINT: platform.endpoint,
        CURTAIN_RUN_PROVENANCE: JSON.stringify({
          local: localSection,
          origin,
          notes: runNotes(profile, origin.options.target === 'local' ? origin.options.profileSet : [], timeScale, scaleChoice.reason, platform.cpuQuota, platform.ioLimit),
        }),
      },
    };
    // The machine's floor before the run (and after it, below), for plans that report latencies, and its load during it.
    const floorConcurrency = widestBurst(plan);
    const measureFloor = async (tag: string): Promise<FloorSamples | null> => {
      if (options.measureMachine === false || !PHASED_METRICS[plan.analysis.kind]) return null;
      const file = path.join(scratch, `floor-${tag}.json`);
      await writeFile(file, JSON.stringify(floorDefinition(needed, floorConcurrency)));
      const floor = await runLocalStudy({
        study: file,
        profile: options.profile,
        profileSet: { ...options.profileSet, ...FLOOR_PROFILE_SET },
        outDir: path.join(scratch, `floor-${tag}`),
        bundles: options.bundles,
        interrupt,
        cpuQuota: 'off',
        cgroupParent: options.cgroupParent,
        // The floor is the machine's, not the modelled platform's: no per-host disk bandwidth either.
        ioLimit: 'off',
        report: false,
        measureMachine: false,
      });
      return floorFromRecords(floor.runDir);
    };
    const floorBefore = await measureFloor('before');
    const load = new LoadSampler();
    await load.start();
    const walked = await walkPlan({
      plan,
      run,
      driver,
      sink: createLocalDirSink(outDir),
      update: (key, change, generation) => live.update(key, change, generation),
      timeScale,
      interrupt,
      driverCrash: faults.driverCrash,
      faultRandom: new Random(faults.seed + 1),
      driverStartupMs,
      onEvent: options.onEvent,
    });

    const loadSeen = await load.stop();
    await platform.stop();
    const floorAfter = floorBefore ? await measureFloor('after') : null;
    await recordMachine(runDir, machineReport(floorBefore, floorAfter, floorConcurrency, loadSeen)).catch((error: unknown) =>
      log(`run.json: the machine's floor and load could not be recorded (${error instanceof Error ? error.message : String(error)})`),
    );
    const truth = GroundTruth.parse(platform.groundTruth({ study: plan.study.id, run }));
    const truthFile = groundTruthPath(outDir, plan.study.id, run);
    await mkdir(path.dirname(truthFile), { recursive: true });
    await writeFile(truthFile, `${JSON.stringify(truth)}\n`);

    const records = await summarizeRun(runDir);
    let report: ReportResult | null = null;
    let methodCheck: MethodCheck | null = null;
    let reportNote: string | null = null;
    if (options.report === false) reportNote = 'report skipped (--no-report)';
    else {
      try {
        report = await loadWriteReport()(runDir, {
          log,
          appendix: (analysis) => {
            methodCheck = checkMethod(analysis, truth, profile);
            return [methodCheckSection(methodCheck, profile)];
          },
        });
        if (methodCheck) await writeFile(path.join(path.dirname(report.reportPath), 'method-check.json'), `${JSON.stringify(MethodCheck.parse(methodCheck), null, 2)}\n`);
      } catch (error) {
        reportNote = `the report could not be written: ${error instanceof Error ? error.message : String(error)} (the records are complete; retry with \`curtain report ${runDir}\`)`;
      }
    }
    return {
      plan,
      run,
      runDir,
      status: walked.status,
      stepsCompleted: walked.stepsCompleted,
      failures: walked.failures,
      profile,
      timeScale: timeScale.scale,
      timeScaleReason: scaleChoice.reason,
      cpuQuota: platform.cpuQuota,
      ioLimit: platform.ioLimit,
      faults: describeFaults(faults),
      groundTruthPath: truthFile,
      groundTruth: truth,
      records,
      report,
      methodCheck,
      reportNote,
      elapsedMs: performance.now() - began,
    };
  } finally {
    await platform?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Most requests one burst step has in flight at once. */
function widestBurst(plan: StudyPlan): number {
  return Math.max(1, ...plan.steps.map((s) => (s.kind === 'burst' ? Math.min(s.requests, s.concurrency) : 1)));
}

/** The profile's `determines` links with each knob's value, for run.json (claims on these metrics are "by construction"). */
function constructedMetrics(profile: PlatformProfile): NonNullable<RunManifest['local']>['constructed'] {
  return Object.entries(profile.determines).map(([knob, metrics]) => ({
    knob,
    value: JSON.stringify(knob.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], profile)),
    metrics,
  }));
}

function runNotes(profile: PlatformProfile, profileSet: readonly string[], timeScale: TimeScale, scaleReason: string, cpu: CpuQuotaStatus, io: IoLimitStatus): string[] {
  // With --profile-set the profile's description no longer holds as written: the note says so rather than contradict the run.
  const overrides = profileSet.length > 0 ? ` modified by --profile-set ${profileSet.join(', ')}` : '';
  const described = overrides ? `${overrides}; unmodified, it is: ${profile.description}` : `: ${profile.description}`;
  const notes = [
    `Run on Curtain's embedded local platform: real instance processes on emulated hosts (profile ${profile.name}${described}). Host signals (boot time, CPU model, cgroup lines, addresses) are emulated; see docs/local-platform.md.`,
    `Time scale ${timeScale.scale} (${scaleReason}): ${timeScale.describe()}.`,
  ];
  if (profile.models) {
    notes.push(
      `The ${profile.name} profile models ${profile.models}: claims about ${profile.models} are compared with this run` +
        (overrides ? `, although the profile was${overrides} (the comparison holds only as far as the overrides leave the modelled behaviour intact).` : '.'),
    );
  }
  if (!cpu.applied) notes.push(`No per-instance CPU quota: ${cpu.reason}. CPU-share results reflect the machine's scheduler only.`);
  if ((profile.io.hostMBps !== null || profile.io.hostIops !== null) && !io.applied) {
    notes.push(`No per-host disk limits: ${io.reason}. I/O results (and the covert channel) reflect this machine's one disk, not co-residency.`);
  }
  return notes;
}
