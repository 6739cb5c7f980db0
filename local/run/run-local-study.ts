/**
 * One study on the embedded local platform, end to end: plan for provider
 * `local`, take the run directory, start the platform and the run's watchdog,
 * walk the plan with the real driver bundle, stop every instance, write the
 * ground truth, then the report. `resumeLocalRun` (resume-local-run.ts)
 * continues a run that stopped, through the same segment runner.
 *
 * Results land in `<out>/<study>/<run>/` in the bucket layout (plan.json,
 * run.json, steps/<step>/<shard>.jsonl), exactly as `curtain fetch` leaves a
 * cloud run, with the local run's own state in `local-run/`; the ground truth
 * goes to `<out>/.ground-truth/<study>/<run>.json`.
 */
import { setMaxListeners } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PlanRefusedError } from '../../experiments/errors';
import { PHASED_METRICS } from '../../experiments/latency-phase';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import { formatSets, parseSets, resolveStudy } from '../../experiments/resolve-study';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { currentOrigin } from '../../probe-runtime/build/source-identity';
import { studyReference } from '../../experiments/study-reference';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import type { RunManifest, RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { makeDriverDeps } from '../../probe-runtime/driver/host';
import { runDriverEvent } from '../../probe-runtime/driver/run-driver-event';
import { createLocalDirSink } from '../../probe-runtime/driver/sinks/local-dir';
import type { CpuQuotaStatus } from '../cpu/cgroup-cpu';
import type { IoLimitStatus } from '../io/blkio';
import { describeFaults, FaultOptions } from '../faults';
import { GroundTruth, groundTruthJournalPath, groundTruthPath } from '../ground-truth';
import { LocalPlatform, type PlatformStats } from '../platform/local-platform';
import { resolveProfile, type PlatformProfile } from '../profiles';
import { Random } from '../random';
import { defaultTimeScale, NOMINAL_STEP_OVERHEAD, TimeScale, type TimeScaleChoice } from '../time-scale';
import type { DriverCommand } from '../orchestrator/driver-process';
import { measureDriverStartup } from '../orchestrator/driver-startup';
import { walkPlan, type OrchestratorEvent, type ResumePoint, type RunFailure } from '../orchestrator/walk-plan';
import { checkMethod, MethodCheck, methodCheckSection } from '../method-check/method-check';
import { claimNewRunDirectory, runDirectoryIn } from '../run-state/claim-run-dir';
import { closeLocalRun } from '../run-state/close-run';
import { selfIdentity } from '../run-state/process-identity';
import { partialDir, SCRATCH_PREFIX } from '../run-state/run-dir-layout';
import { RunJournal } from '../run-state/run-journal';
import type { HeldLock } from '../run-state/run-lock';
import { writeScratchOwner, type ScratchOwner } from '../run-state/scratch-owner';
import { RunWatchdog } from '../watchdog/run-watchdog';
import { FLOOR_PROFILE_SET, floorDefinition, floorFromRecords, type FloorSamples, LoadSampler, machineReport, recordMachine } from './machine-report';
import { loadWriteReport, type ReportResult } from './report-bridge';
import { summarizeRun, type RecordSummary } from './run-summary';
import { bundleFile, bundleHashes, instanceCommands, type RuntimeBundles } from './runtime-bundles';

/** Once told to stop, a driver awaits answers in flight this long before it records them as abandoned. */
export const DRIVER_STOP_GRACE_MS = 2000;
/** How long the watchdog lets drivers of a dead run write their shards before it kills them. */
const WATCHDOG_DRIVER_GRACE_MS = DRIVER_STOP_GRACE_MS + 4000;

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
  /** Send again requests a dead driver may have sent (recorded as re-sent); default: record them as of unknown fate. */
  resend?: boolean;
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
  /** The report was stopped by Ctrl-C (the run itself had ended). */
  reportInterrupted: boolean;
  /** A Ctrl-C or SIGTERM was received and honoured (the run, or its report, stopped early): exit 130. */
  signalled: boolean;
  /** 0 for `curtain run`, n for the n-th `curtain resume`. */
  segment: number;
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
  const plan = options.plan ?? planLocalRun(options);
  const profile = resolveProfile(options.profile, options.profileSet ?? {});
  const faults = FaultOptions.parse({ ...profile.faults, ...(options.faults ?? {}) });
  checkRuntimes(plan, options.bundles);

  const run = options.run ?? newRunId();
  const outDir = path.resolve(options.outDir);
  const runDir = runDirectoryIn(outDir, plan.study.id, run);
  // Recorded in run.json (origin): every option as it took effect; `curtain resume` reads it back.
  const origin = (scale: TimeScaleChoice) =>
    currentOrigin('run', {
      target: 'local',
      study: studyReference(options.study),
      set: options.typed?.set ?? formatSets(options.sets ?? {}),
      profile: profile.name,
      profileSet: options.typed?.profileSet ?? formatSets(options.profileSet ?? {}),
      fault: options.typed?.fault ?? formatSets(options.faults ?? {}),
      seed: options.seed ?? DEFAULT_SEED,
      timeScale: scale.scale,
      timeScaleGiven: options.timeScale !== undefined,
      maxInvocations: options.maxInvocations ?? null,
      cpuQuota: options.cpuQuota ?? 'auto',
      ioLimit: options.ioLimit ?? 'auto',
      bundles: path.resolve(options.bundles.root) === REPO_ROOT ? null : path.resolve(options.bundles.root),
    });
  const lock = await claimNewRunDirectory(runDir, { resumable: true });
  return runSegment({
    ...options,
    began,
    plan,
    run,
    outDir,
    runDir,
    lock,
    profile,
    faults,
    scale: options.timeScale !== undefined ? { scale: options.timeScale, reason: 'set with --time-scale' } : null,
    seed: options.seed ?? DEFAULT_SEED,
    origin,
    resend: options.resend ?? false,
    segment: 0,
  });
}

/** Refuses a plan whose runtimes this machine (or these bundles) cannot start, before anything runs. */
export function checkRuntimes(plan: StudyPlan, bundles: RuntimeBundles): void {
  const runtimes = instanceCommands(bundles);
  const needed = [...new Set(plan.functions.map((f) => f.runtime))];
  const missing = needed.filter((r) => runtimes.problems[r]).map((r) => `${r}: ${runtimes.problems[r]}`);
  if (missing.length > 0) {
    throw new PlanRefusedError(plan.study.id, 'this machine', [
      ...missing,
      ...(needed.length > 1 ? ['run the other runtime only with --set runtimes=... (catalog studies) or functions.runtime=... (definition files)'] : []),
    ]);
  }
}

/** Whether a driver bundle keeps shard journals (drivers of older versions do not, and their deaths are then of unknown fate). */
export function driverKeepsJournals(bundles: RuntimeBundles): boolean {
  try {
    return readFileSync(bundleFile(bundles, 'driver-local'), 'utf8').includes('CURTAIN_PARTIAL_DIR');
  } catch {
    return false;
  }
}

export interface SegmentInput extends Omit<LocalRunOptions, 'profile' | 'faults' | 'study'> {
  began: number;
  plan: StudyPlan;
  run: string;
  outDir: string;
  runDir: string;
  lock: HeldLock;
  profile: PlatformProfile;
  faults: FaultOptions;
  /** The time scale; null: the plan's default, chosen from a driver start-up measured here (time-scale.ts). */
  scale: TimeScaleChoice | null;
  seed: number;
  /** run.json's `origin` (code, dependencies, every option of the run) once the scale is known; a resume passes the run's own on. */
  origin: (scale: TimeScaleChoice) => RunOrigin;
  resend: boolean;
  segment: number;
  resume?: ResumePoint;
  /** Failures of earlier segments that still hold (a resumed run keeps them in run.json). */
  carriedFailures?: RunFailure[];
}

/** One walk of a plan (all of it, or the rest of it for a resume) on a fresh platform, with its watchdog. */
export async function runSegment(input: SegmentInput): Promise<LocalRunResult> {
  const { plan, run, runDir, outDir, lock, profile, faults } = input;
  const log = input.log ?? (() => undefined);
  const interrupt = input.interrupt ?? new AbortController().signal;
  // Every driver process of a burst listens to it at once (a burst may have many shards).
  setMaxListeners(0, interrupt);
  const scratch = await mkdtemp(path.join(os.tmpdir(), SCRATCH_PREFIX));
  const owner: ScratchOwner = { v: 1, owner: selfIdentity(), watchdog: null, runDir, cgroups: [] };
  const watchdog = RunWatchdog.start({ owner: owner.owner, scratch, runDir, driverGraceMs: WATCHDOG_DRIVER_GRACE_MS }, log);
  owner.watchdog = watchdog.identity;
  writeScratchOwner(scratch, owner);
  lock.setScratch(scratch);
  let platform: LocalPlatform | null = null;
  let finished = false;
  const truthJournal = openTruthJournal(outDir, plan.study.id, run);
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
      bundles: bundleHashes(input.bundles),
    };
    await writeFile(planFile, `${JSON.stringify(plan, null, 2)}\n`);
    await writeFile(deploymentFile, `${JSON.stringify(deployment, null, 2)}\n`);
    const driverEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', CURTAIN_PLAN_FILE: planFile, CURTAIN_DEPLOYMENT_FILE: deploymentFile, CURTAIN_RESULTS_DIR: outDir };
    const driverArgs = [bundleFile(input.bundles, 'driver-local')];
    // Waits are scheduled on the platform clock around the real steps: measure what a step costs here, now.
    const driverStartupMs = plan.steps.some((s) => s.kind === 'wait') ? await measureDriverStartup({ command: process.execPath, args: driverArgs, env: driverEnv }) : null;
    const scale =
      input.scale ?? defaultTimeScale(plan, profile, driverStartupMs === null ? NOMINAL_STEP_OVERHEAD : { driverStartupMs, measured: true });
    const timeScale = new TimeScale(scale.scale);
    const origin = input.origin(scale);
    input.onTimeScale?.(scale);

    platform = await LocalPlatform.start({
      profile,
      timeScale,
      faults,
      functions: plan.functions,
      runtimes: instanceCommands(input.bundles).commands,
      workDir: path.join(scratch, 'platform'),
      seed: input.seed,
      cpuQuota: input.cpuQuota,
      cgroupParent: input.cgroupParent,
      ioLimit: input.ioLimit,
      blkioParent: input.blkioParent,
      children: watchdog.hooks,
      truthLog: (truth) => truthJournal.write({ ...truth, segment: input.segment, answeredAt: Date.now() }),
    });
    const live = platform;
    for (const root of live.cgroupRoots()) watchdog.cgroup(root);
    owner.cgroups = live.cgroupRoots();
    writeScratchOwner(scratch, owner);
    input.onPlatform?.(() => live.stats());
    log(
      `local platform: profile ${profile.name}, ${timeScale.describe()}, CPU quota ${live.cpuQuota.applied ? 'applied' : `not applied (${live.cpuQuota.reason})`}, per-host disk bandwidth ${live.ioLimit.applied ? 'applied' : `not applied (${live.ioLimit.reason})`}`,
    );

    const localSection: NonNullable<RunManifest['local']> = {
      profile: profile.name,
      timeScale: timeScale.scale,
      cpuQuota: live.cpuQuota,
      faults: describeFaults(faults),
      ...(profile.modelsAsOf ? { modelsAsOf: profile.modelsAsOf } : {}),
      constructed: constructedMetrics(profile),
    };
    const profileSet = origin.options.target === 'local' ? origin.options.profileSet : [];
    const provenance = { local: localSection, origin, notes: runNotes(profile, profileSet, timeScale, scale.reason, live.cpuQuota, live.ioLimit) };
    const driver: DriverCommand = {
      command: process.execPath,
      args: driverArgs,
      cwd: staging,
      env: {
        ...driverEnv,
        CURTAIN_LOCAL_ENDPOINT: live.endpoint,
        CURTAIN_RUN_PROVENANCE: JSON.stringify(provenance),
        CURTAIN_PARTIAL_DIR: partialDir(runDir),
        CURTAIN_STOP_GRACE_MS: String(DRIVER_STOP_GRACE_MS),
      },
    };
    const sink = createLocalDirSink(outDir);
    // The machine's floor before the run (and after it, below), for plans that report latencies, and its load during it.
    // A resumed segment measures them again (run.json keeps the last segment's). The floor is a run of its own (own
    // run directory, lock and watchdog, in this segment's scratch); it is auxiliary, so its failure costs only the floor.
    const floorConcurrency = widestBurst(plan);
    const floorProfileSet = { ...(input.profileSet ?? parseSets(profileSet)), ...FLOOR_PROFILE_SET };
    const measureFloor = async (tag: string): Promise<FloorSamples | null> => {
      if (input.measureMachine === false || !PHASED_METRICS[plan.analysis.kind] || interrupt.aborted) return null;
      try {
        const file = path.join(scratch, `floor-${tag}.json`);
        await writeFile(file, JSON.stringify(floorDefinition([...new Set(plan.functions.map((f) => f.runtime))], floorConcurrency)));
        const floor = await runLocalStudy({
          study: file,
          profile: profile.name,
          profileSet: floorProfileSet,
          outDir: path.join(scratch, `floor-${tag}`),
          bundles: input.bundles,
          interrupt,
          cpuQuota: 'off',
          cgroupParent: input.cgroupParent,
          // The floor is the machine's, not the modelled platform's: no per-host disk bandwidth either.
          ioLimit: 'off',
          report: false,
          measureMachine: false,
        });
        return await floorFromRecords(floor.runDir);
      } catch (error) {
        log(`the machine's latency floor (${tag} the run) could not be measured: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
    };
    const floorBefore = await measureFloor('before');
    const load = new LoadSampler();
    await load.start();
    const walked = await walkPlan({
      plan,
      run,
      runDir,
      driver,
      sink,
      journal: new RunJournal(runDir),
      update: (key, change, generation) => live.update(key, change, generation),
      arrivals: (step, since) => live.arrivals(step, since),
      driverJournals: driverKeepsJournals(input.bundles),
      resend: input.resend,
      resume: input.resume,
      carriedFailures: input.carriedFailures,
      // The same driver code, in this process: run.json is closed even when no driver process can be.
      finishInProcess: async (event) => {
        await runDriverEvent(event, makeDriverDeps({ plan, deployment }, { invoker: { name: 'none', invoke: () => Promise.reject(new Error('no sends')) }, sink, provenance }));
      },
      timeScale,
      interrupt,
      driverCrash: faults.driverCrash,
      faultRandom: new Random(faults.seed + 1 + input.segment),
      driverStartupMs,
      onEvent: input.onEvent,
      children: watchdog.hooks,
    });
    finished = true;

    const loadSeen = await load.stop();
    await platform.stop();
    const floorAfter = floorBefore ? await measureFloor('after') : null;
    await recordMachine(runDir, machineReport(floorBefore, floorAfter, floorConcurrency, loadSeen)).catch((error: unknown) =>
      log(`run.json: the machine's floor and load could not be recorded (${error instanceof Error ? error.message : String(error)})`),
    );
    const truth = GroundTruth.parse(platform.groundTruth({ study: plan.study.id, run }));
    const truthFile = groundTruthPath(outDir, plan.study.id, run, input.segment);
    await mkdir(path.dirname(truthFile), { recursive: true });
    // Exclusive: a ground truth file is never overwritten (the run directory was new, so neither is it).
    await writeFile(truthFile, `${JSON.stringify(truth)}\n`, { flag: 'wx' });

    const records = await summarizeRun(runDir);
    const report = await writeRunReport(runDir, input, { truth, profile, segment: input.segment }, interrupt, log);
    lock.release();
    return {
      plan,
      run,
      runDir,
      status: walked.status,
      stepsCompleted: walked.stepsCompleted,
      failures: walked.failures,
      profile,
      timeScale: timeScale.scale,
      timeScaleReason: scale.reason,
      cpuQuota: platform.cpuQuota,
      ioLimit: platform.ioLimit,
      faults: describeFaults(faults),
      groundTruthPath: truthFile,
      groundTruth: truth,
      records,
      ...report,
      signalled: interrupt.aborted,
      segment: input.segment,
      elapsedMs: performance.now() - input.began,
    };
  } finally {
    await platform?.stop();
    truthJournal.close();
    // An internal error out of the walk must not leave run.json `running`.
    if (!finished) await closeLocalRun(runDir, `curtain (pid ${process.pid}) after an internal error`).catch(() => undefined);
    await watchdog.finish();
    await rm(scratch, { recursive: true, force: true });
    lock.release();
  }
}

/**
 * The report of a finished segment, with the method check against this segment's ground truth as its
 * appendix (also written to report/method-check.json). A resumed run's segments ran on different
 * platforms, each with its own ground truth, while the analysis reads the whole run: the check is then
 * not made, and the report says why.
 */
async function writeRunReport(
  runDir: string,
  input: Pick<LocalRunOptions, 'report'>,
  truthOf: { truth: GroundTruth; profile: PlatformProfile; segment: number },
  interrupt: AbortSignal,
  log: (line: string) => void,
): Promise<{ report: ReportResult | null; methodCheck: MethodCheck | null; reportNote: string | null; reportInterrupted: boolean }> {
  const none = (reportNote: string, reportInterrupted = false) => ({ report: null, methodCheck: null, reportNote, reportInterrupted });
  if (input.report === false) return none('report skipped (--no-report)');
  if (interrupt.aborted) return none(`report skipped: the run was interrupted; write it with \`curtain report ${runDir}\``);
  const { truth, profile, segment } = truthOf;
  let methodCheck: MethodCheck | null = null;
  try {
    const report = await loadWriteReport()(runDir, {
      log,
      signal: interrupt,
      appendix: (analysis) => {
        if (segment > 0) {
          return [
            {
              title: 'Method check (local platform only)',
              body: `Not made: this run was resumed (${segment} time(s)), each segment on a new platform with its own ground truth (\`.ground-truth/\`), while the analysis reads the whole run; a check against one segment's truth would judge the method on evidence it did not see.`,
            },
          ];
        }
        methodCheck = checkMethod(analysis, truth, profile);
        return [methodCheckSection(methodCheck, profile)];
      },
    });
    if (methodCheck) await writeFile(path.join(path.dirname(report.reportPath), 'method-check.json'), `${JSON.stringify(MethodCheck.parse(methodCheck), null, 2)}\n`);
    return { report, methodCheck, reportNote: null, reportInterrupted: false };
  } catch (error) {
    if (interrupt.aborted) return none(`the report was stopped (Ctrl-C); the records are complete: write it with \`curtain report ${runDir}\``, true);
    return none(`the report could not be written: ${error instanceof Error ? error.message : String(error)} (the records are complete; retry with \`curtain report ${runDir}\`)`);
  }
}

/** The ground-truth journal: one line per answered request, written synchronously before the answer leaves. */
function openTruthJournal(outDir: string, study: string, run: string): { write(line: object): void; close(): void } {
  const file = groundTruthJournalPath(outDir, study, run);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  let open = true;
  return {
    write(line) {
      if (open) writeSync(fd, `${JSON.stringify(line)}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
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
