/**
 * A synthetic-run generator for analysis tests: builds schema-valid
 * InvocationRecords from a ground truth the test chooses (hosts with
 * fingerprints, instances on hosts, latencies, task values) for a real plan,
 * and writes them in the bucket layout. Every record and the run manifest are
 * validated with the contracts' zod schemas before they are written, so a test
 * can never pass on data the real pipeline could not produce.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import type { ProviderId } from '../../../experiments/schema';
import { seededRandom } from '../../../experiments/catalog/common';
import { planKey, runManifestKey, shardKey } from '../../../probe-runtime/contracts/bucket-layout';
import { InvocationRecord, type InvocationStatus } from '../../../probe-runtime/contracts/invocation-record';
import type { BackgroundReport, HostFingerprint, ProbeResponse, TaskResult } from '../../../probe-runtime/contracts/probe-wire';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';

export interface SyntheticHost {
  fingerprint: HostFingerprint;
}

export interface SyntheticInstance {
  id: string;
  host: SyntheticHost;
  startedAt: number;
  invocations: number;
  generation: string | null;
  memoryMb: number | null;
  runtime: 'nodejs' | 'python';
  /** Set by a background task; reported by later invocations. */
  background: BackgroundReport | null;
}

export interface HostOptions {
  bootTime?: number | null;
  cgroupStyle?: 'sandbox-root' | 'docker' | 'v2' | 'none';
  cpuModel?: string;
  cpuCount?: number;
  memTotalKb?: number;
  kernel?: string;
  hostname?: string | null;
  privateIp?: string | null;
  hypervisorUuid?: string | null;
  dmiProductUuid?: string | null;
}

export interface RecordOptions {
  instance?: SyntheticInstance;
  status?: InvocationStatus;
  latencyMs?: number;
  /** Driver send time; default: the run clock, advanced by each record. */
  sentAt?: number;
  task?: TaskResult;
  /** Override the generation the instance reports. */
  generation?: string | null;
  /** Handler duration on the instance, ms (receive to respond); default: the probe's 1 ms plus barrier wait and task. */
  handlerMs?: number;
  /** Time the probe waited at the burst's barrier, inside the handler. */
  barrierWaitMs?: number;
  /** Task duration, inside the handler. */
  taskMs?: number;
  /** Leave out timing.barrierStartedAt, as probes before it was added did. */
  legacyTiming?: boolean;
}

export interface SyntheticRunOptions {
  runId?: string;
  /** Local platform profile for provider `local` (run.json local.profile). */
  profile?: string;
  /** More of run.json's `local` section: modelsAsOf, constructed metrics, the machine's floor and load. */
  local?: Pick<NonNullable<RunManifest['local']>, 'modelsAsOf' | 'constructed' | 'machine'>;
  timeScale?: number;
  startMs?: number;
  seed?: number;
}

export function catalogPlan(study: string, provider: ProviderId, sets: Record<string, unknown> = {}): StudyPlan {
  return planStudy(buildCatalogStudy(study, sets), { provider });
}

export class SyntheticRun {
  readonly runId: string;
  private readonly random: () => number;
  private clock: number;
  private hostCount = 0;
  private instanceCount = 0;
  private readonly lines = new Map<string, string[]>();
  /** Extra raw lines appended to a shard after the records (malformed-line tests). */
  private readonly rawTails = new Map<string, string>();

  constructor(
    readonly plan: StudyPlan,
    private readonly options: SyntheticRunOptions = {},
  ) {
    this.runId = options.runId ?? '20261126T120000Z-synth';
    this.random = seededRandom(options.seed ?? 7);
    this.clock = options.startMs ?? Date.UTC(2026, 10, 26, 12, 0, 0);
  }

  get now(): number {
    return this.clock;
  }

  /** Advance the run clock (waits between bursts). */
  advance(ms: number): void {
    this.clock += ms;
  }

  burst(label: string | null, nth = 0): BurstStep {
    const bursts = this.plan.steps.filter((s): s is BurstStep => s.kind === 'burst' && (label === null || s.label === label));
    const step = bursts[nth];
    if (!step) throw new Error(`the plan has no burst #${nth} labelled ${label}`);
    return step;
  }

  bursts(label?: string): BurstStep[] {
    return this.plan.steps.filter((s): s is BurstStep => s.kind === 'burst' && (label === undefined || s.label === label));
  }

  host(o: HostOptions = {}): SyntheticHost {
    const n = ++this.hostCount;
    const style = o.cgroupStyle ?? 'sandbox-root';
    const root = `sandbox-root-${n.toString(36).padStart(6, 'a')}`;
    const cgroup =
      style === 'sandbox-root'
        ? ['3:cpu,cpuacct:/' + root + '/sandbox-' + String(n).padStart(6, '0'), '1:name=systemd:/']
        : style === 'docker'
          ? [`4:memory:/docker/${this.hex(64)}`]
          : style === 'v2'
            ? ['0::/']
            : null;
    return {
      fingerprint: {
        bootTime: o.bootTime === undefined ? 1_764_000_000 + n * 3600 : o.bootTime,
        cgroup,
        cpuModel: o.cpuModel ?? 'Intel(R) Xeon(R) CPU E5-2666 v3 @ 2.90GHz',
        cpuCount: o.cpuCount ?? 2,
        memTotalKb: o.memTotalKb ?? 3_932_160,
        kernel: o.kernel ?? '4.14.47-56.37.amzn1.x86_64',
        hostname: o.hostname === undefined ? `ip-10-0-${Math.floor(n / 250)}-${(n % 250) + 1}` : o.hostname,
        privateIp: o.privateIp === undefined ? `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}` : o.privateIp,
        hypervisorUuid: o.hypervisorUuid ?? null,
        dmiProductUuid: o.dmiProductUuid ?? null,
      },
    };
  }

  /** A docker-style container's cgroup differs per instance; give each instance its own copy when asked. */
  instance(host: SyntheticHost, o: { memoryMb?: number | null; runtime?: 'nodejs' | 'python'; generation?: string | null; startedAt?: number; perInstanceCgroup?: boolean; fingerprint?: Partial<HostFingerprint> } = {}): SyntheticInstance {
    const fp = { ...host.fingerprint, ...(o.fingerprint ?? {}) };
    if (o.perInstanceCgroup && fp.cgroup) fp.cgroup = fp.cgroup.map((l) => l.replace(/[0-9a-f]{64}$/, this.hex(64)));
    return {
      id: `i-${(++this.instanceCount).toString(16).padStart(8, '0')}${this.hex(8)}`,
      host: { fingerprint: fp },
      startedAt: o.startedAt ?? this.clock,
      invocations: 0,
      generation: o.generation === undefined ? 'g0' : o.generation,
      memoryMb: o.memoryMb === undefined ? null : o.memoryMb,
      runtime: o.runtime ?? 'nodejs',
      background: null,
    };
  }

  /** Adds the record of request `request` of `step`; returns it. */
  record(step: BurstStep, request: number, o: RecordOptions = {}): InvocationRecord {
    const status = o.status ?? (o.instance ? 'ok' : 'error');
    const target = step.targets[request % step.targets.length]!;
    const sentAt = o.sentAt ?? this.tick();
    const latencyMs = o.latencyMs ?? 20;
    let response: ProbeResponse | null = null;
    if (status === 'ok') {
      const inst = o.instance;
      if (!inst) throw new Error('an ok record needs an instance');
      inst.invocations += 1;
      const barrierWaitMs = o.barrierWaitMs ?? 0;
      const taskMs = o.taskMs ?? 0;
      const handlerMs = o.handlerMs ?? (o.barrierWaitMs !== undefined || o.taskMs !== undefined ? 1 + barrierWaitMs + taskMs : Math.min(5, latencyMs / 2));
      const receivedAt = sentAt + (latencyMs - handlerMs) / 2;
      const respondedAt = receivedAt + handlerMs;
      // The probe's order: fingerprint (0.5 ms), barrier, task, then its bookkeeping until the response.
      const barrierStartedAt = receivedAt + 0.5;
      const taskStartedAt = barrierStartedAt + barrierWaitMs;
      const taskEndedAt = taskStartedAt + taskMs;
      const barrier = step.barrierMs > 0 || barrierWaitMs > 0;
      const task: TaskResult = o.task ?? { name: step.task.name, ok: true, error: null, values: {} };
      const backgroundWork = inst.background;
      if (task.name === 'background' && task.ok) {
        inst.background = { startedInvocation: inst.invocations, startedAt: respondedAt, durationMs: 'durationMs' in step.task ? (step.task.durationMs as number) : 60_000, unitsDone: 0, workMs: 0, lastProgressAt: null, running: true };
      }
      response = {
        v: 1,
        probe: 'node@1',
        runtime: this.plan.functions.find((f) => f.key === target)?.runtime ?? inst.runtime,
        runtimeVersion: 'synthetic',
        instance: { id: inst.id, startedAt: inst.startedAt, invocation: inst.invocations, cold: inst.invocations === 1, tmpMarkerFound: false },
        host: inst.host.fingerprint,
        cpuDelta: { user: 1, nice: 0, system: 1, idle: 10, iowait: 0, irq: 0, softirq: 0, steal: 0 },
        providerIds: { instance: inst.id },
        generation: o.generation === undefined ? inst.generation : o.generation,
        memoryMb: inst.memoryMb,
        timing: {
          receivedAt,
          ...(o.legacyTiming ? {} : { barrierStartedAt: barrier ? barrierStartedAt : null }),
          barrierReleasedAt: barrier ? taskStartedAt : null,
          taskStartedAt,
          taskEndedAt,
          respondedAt,
        },
        overheadMs: { fingerprint: 0.5, total: handlerMs - barrierWaitMs - taskMs },
        task,
        backgroundWork,
      };
    }
    const record = InvocationRecord.parse({
      v: 1,
      study: this.plan.study.id,
      run: this.runId,
      planHash: this.plan.hash,
      provider: this.plan.provider,
      step: step.index,
      stepId: step.id,
      label: step.label,
      shard: Math.floor(request / step.requestsPerShard),
      request,
      target,
      attempts: status === 'skipped' ? 0 : 1,
      sentAt: status === 'skipped' ? null : sentAt,
      receivedAt: status === 'skipped' ? null : sentAt + latencyMs,
      latencyMs: status === 'skipped' ? null : latencyMs,
      status,
      error: status === 'ok' ? null : `synthetic ${status}`,
      transportStatus: status === 'ok' ? 200 : status === 'throttled' ? 429 : null,
      response,
    });
    const key = shardKey(this.plan.study.id, this.runId, step.id, record.shard);
    const list = this.lines.get(key) ?? [];
    list.push(JSON.stringify(record));
    this.lines.set(key, list);
    return record;
  }

  /** Set what an instance's background work has done so far (what its next invocation reports). */
  backgroundProgress(instance: SyntheticInstance, workMs: number, running = false, lastPause: BackgroundReport['lastPause'] = null): void {
    if (!instance.background) throw new Error('no background work started');
    instance.background = { ...instance.background, workMs, unitsDone: Math.round(workMs * 10), lastProgressAt: instance.background.startedAt + workMs, running, lastPause };
  }

  /** Appends raw text (no newline added) after a shard's records. */
  appendRaw(step: BurstStep, shard: number, text: string): void {
    const key = shardKey(this.plan.study.id, this.runId, step.id, shard);
    this.rawTails.set(key, (this.rawTails.get(key) ?? '') + text);
    if (!this.lines.has(key)) this.lines.set(key, []);
  }

  /** Writes the run under `root` in the bucket layout; returns the run directory. */
  write(root: string): string {
    const study = this.plan.study.id;
    const put = (key: string, text: string) => {
      const file = path.join(root, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    };
    put(planKey(study, this.runId), JSON.stringify(this.plan, null, 2));
    const manifest = RunManifest.parse({
      v: 1,
      study,
      run: this.runId,
      provider: this.plan.provider,
      region: this.plan.region,
      planHash: this.plan.hash,
      tool: { name: 'curtain', version: '0.1.0' },
      bundles: { probe: null, driver: null, pythonProbe: null },
      templateHash: null,
      startedAt: new Date(this.options.startMs ?? Date.UTC(2026, 10, 26, 12, 0, 0)).toISOString(),
      endedAt: new Date(this.clock).toISOString(),
      status: 'completed',
      stepsTotal: this.plan.steps.length,
      stepsCompleted: this.plan.steps.length,
      failures: [],
      notes: [],
      ...(this.plan.provider === 'local'
        ? {
            local: {
              profile: this.options.profile ?? 'aws-2018',
              timeScale: this.options.timeScale ?? 1,
              cpuQuota: { applied: false, reason: 'synthetic run' },
              faults: [],
              ...this.options.local,
            },
          }
        : {}),
    });
    put(runManifestKey(study, this.runId), JSON.stringify(manifest, null, 2));
    for (const [key, lines] of this.lines) put(key, lines.map((l) => `${l}\n`).join('') + (this.rawTails.get(key) ?? ''));
    return path.join(root, study, this.runId);
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }

  private hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.random() * 16).toString(16);
    return s;
  }

  /** A uniform draw in [lo, hi) from the run's seeded generator. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }
}

export function taskResult(name: string, values: TaskResult['values'], ok = true): TaskResult {
  return { name, ok, error: ok ? null : 'synthetic failure', values };
}
