/**
 * The embedded local platform: real instance processes on emulated hosts,
 * behind an HTTP front door on loopback (probe-runtime/contracts/http-invoke.ts).
 *
 * A request is admitted against the account-wide concurrency limit (else 429),
 * queued on its function, and dispatched to an idle instance of the function's
 * current configuration (most recently used first), or to a new instance that
 * the placement policy puts on a host, within the profile's scale-out limits.
 * Instances are frozen between requests where the profile says so, reaped after
 * their idle timeout or maximum lifetime (platform timers, time-scaled), and
 * replaced after a configuration update immediately or lazily.
 */
import { setMaxListeners } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { configurationAfter, INITIAL_GENERATION } from '../../experiments/plan-queries';
import type { PlanFunction } from '../../experiments/plan-schema';
import type { ConfigChange } from '../../experiments/schema';
import { ProbeRequest } from '../../probe-runtime/contracts/probe-wire';
import os from 'node:os';
import { openCpuCgroups, type CpuCgroups, type CpuQuotaStatus } from '../cpu/cgroup-cpu';
import { openIoCgroups, type IoCgroups, type IoLimitStatus } from '../io/blkio';
import type { FaultOptions } from '../faults';
import type { ChildHooks } from '../run-state/child-hooks';
import { GROUND_TRUTH_VERSION, type GroundTruth, type GroundTruthInvocation } from '../ground-truth';
import { HostPool, type Host } from '../hosts/host-pool';
import type { RuntimeCommands } from '../instances/runtime-commands';
import { HostBandwidth } from '../net/host-bandwidth';
import { netTaskUrl } from '../net/net-endpoint';
import type { PlatformProfile } from '../profiles';
import { Random } from '../random';
import type { TimeScale } from '../time-scale';
import { startFrontDoor, type FrontDoor, type HttpReply } from './front-door';
import { hostGroundTruth, instanceGroundTruth, type EndReason, type Instance } from './instance';
import { invokeInstance } from './invoke-instance';
import { startInstanceProcess } from './start-instance';
import { instancesToStart } from './scale-out';

export interface PlatformOptions {
  profile: PlatformProfile;
  timeScale: TimeScale;
  faults: FaultOptions;
  functions: PlanFunction[];
  runtimes: RuntimeCommands;
  /** Scratch directory for host trees and instance files; removed on stop. */
  workDir: string;
  /** Seed of placement, host identities and drawn timers. */
  seed: number;
  /** `off` runs without CPU quotas even where cgroups are available. */
  cpuQuota?: 'auto' | 'off';
  /** Parent of the platform's cgroup (tests point it elsewhere to simulate a machine without cgroups). */
  cgroupParent?: string;
  /** `off` runs without per-host disk bandwidth even where the blkio controller is available. */
  ioLimit?: 'auto' | 'off';
  /** Parent of the platform's blkio group (tests point it elsewhere to simulate a machine without it). */
  blkioParent?: string;
  /** How long an instance may take to say ready, real ms. */
  readyTimeoutMs?: number;
  /** Instance processes as they start and exit (the run's watchdog ends them should curtain die). */
  children?: ChildHooks;
  /** Each request's ground truth once it is answered, before the answer leaves (a journal that survives a kill). */
  truthLog?: (invocation: GroundTruthInvocation) => void;
}

interface FunctionConfig {
  key: string;
  tenant: string;
  runtime: PlanFunction['runtime'];
  memoryMb: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  generation: string;
}

interface FunctionState {
  config: FunctionConfig;
  instances: Set<Instance>;
  queue: Pending[];
  /** Real time until which idle old-generation instances may still answer (lazy updates). */
  staleUntil: number;
  staleTimer: NodeJS.Timeout | null;
}

interface Pending {
  request: ProbeRequest;
  /** The new instance started for this request (Lambda semantics: a cold start serves the request that caused it). */
  boundTo: Instance | null;
  receivedAt: number;
  queueTimer: NodeJS.Timeout | null;
  respond: (reply: HttpReply) => void;
  truth: GroundTruthInvocation;
}

export interface PlatformStats {
  instances: number;
  starting: number;
  busy: number;
  hosts: number;
  inFlight: number;
  queued: number;
  instancesStarted: number;
  invocations: number;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;

export class LocalPlatform {
  private readonly functions = new Map<string, FunctionState>();
  private readonly allInstances: Instance[] = [];
  private readonly invocations: GroundTruthInvocation[] = [];
  private readonly updates: GroundTruth['updates'] = [];
  private readonly random: Random;
  private readonly faultRandom: Random;
  private readonly pool: HostPool;
  private readonly links = new Map<string, HostBandwidth>();
  private readonly hostTokens = new Map<string, string>();
  /** Starting instances and the request each was started for. */
  private readonly bindings = new Map<Instance, Pending>();
  private frontDoor: FrontDoor | null = null;
  private inFlight = 0;
  private stopping = false;
  private instanceSeq = 0;
  /** Starts still in progress: stop() waits for them before removing the scratch files they write. */
  private readonly boots = new Set<Promise<void>>();
  /** Cuts the provisioning delays of starts in progress short when the platform stops. */
  private readonly stopSignal = new AbortController();

  private constructor(
    private readonly options: PlatformOptions,
    private readonly cgroups: CpuCgroups | null,
    readonly cpuQuota: CpuQuotaStatus,
    private readonly io: IoCgroups | null,
    readonly ioLimit: IoLimitStatus,
  ) {
    // Every start in progress on a new host waits on this signal at once: not a leak.
    setMaxListeners(0, this.stopSignal.signal);
    this.random = new Random(options.seed);
    this.faultRandom = new Random(options.faults.seed);
    this.pool = new HostPool(options.profile, options.workDir, this.random, options.faults, cgroups, io);
    for (const f of options.functions) {
      this.functions.set(f.key, {
        config: {
          key: f.key,
          tenant: f.tenant,
          runtime: f.runtime,
          memoryMb: f.memoryMb,
          timeoutSeconds: f.timeoutSeconds,
          env: { ...f.env },
          generation: f.env.CURTAIN_GENERATION ?? INITIAL_GENERATION,
        },
        instances: new Set(),
        queue: [],
        staleUntil: 0,
        staleTimer: null,
      });
    }
  }

  /** Prepares the scratch directory, CPU cgroups and blkio groups, and opens the front door on 127.0.0.1. */
  static async start(options: PlatformOptions): Promise<LocalPlatform> {
    const { profile } = options;
    await mkdir(path.join(options.workDir, 'instances'), { recursive: true });
    const wantsQuota =
      profile.cpu.vcpuForMemory !== 'none' || profile.hostTypes.some((t) => t.cpuFactor < 1) || profile.cpu.coresPerVcpu < 1 || options.faults.slowHosts > 0;
    const opened =
      options.cpuQuota === 'off'
        ? { cgroups: null, status: { applied: false, reason: 'CPU quotas were turned off for this run' } }
        : await openCpuCgroups(options.cgroupParent);
    const status: CpuQuotaStatus = wantsQuota ? opened.status : { applied: false, reason: `the ${profile.name} profile sets no CPU quota` };
    if (!wantsQuota) opened.cgroups?.close();
    const cpu = wantsQuota ? opened.cgroups : null;
    const io =
      profile.io.hostMBps === null && profile.io.hostIops === null
        ? { cgroups: null, status: { applied: false, reason: `the ${profile.name} profile sets no per-host disk limits` } }
        : options.ioLimit === 'off'
          ? { cgroups: null, status: { applied: false, reason: 'per-host disk bandwidth was turned off for this run' } }
          : await openIoCgroups(options.workDir, cpu ? path.basename(cpu.root) : `curtain-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, options.blkioParent);
    const platform = new LocalPlatform(options, cpu, status, io.cgroups, io.status);
    platform.frontDoor = await startFrontDoor({
      invoke: (key, body) => platform.invoke(key, body),
      netLink: (token) => platform.links.get(token) ?? null,
    });
    platform.pool.startClockRefresh();
    activePlatforms.add(platform);
    return platform;
  }

  /** Base URL the driver appends `/invoke/<functionKey>` to (CURTAIN_LOCAL_ENDPOINT). */
  get endpoint(): string {
    if (!this.frontDoor) throw new Error('platform not started');
    return this.frontDoor.endpoint;
  }

  stats(): PlatformStats {
    const live = this.allInstances.filter((i) => i.state !== 'dead');
    return {
      instances: live.length,
      starting: live.filter((i) => i.state === 'starting').length,
      busy: live.filter((i) => i.state === 'busy').length,
      hosts: this.pool.live().filter((h) => h.instances.size > 0).length,
      inFlight: this.inFlight,
      queued: [...this.functions.values()].reduce((s, f) => s + f.queue.length, 0),
      instancesStarted: this.allInstances.length,
      invocations: this.invocations.length,
    };
  }

  /** The cgroup directories this platform created, CPU and blkio (removed by stop(); by the run's watchdog should curtain die). */
  cgroupRoots(): string[] {
    return [this.cgroups?.root, this.io?.root].filter((root): root is string => root !== undefined);
  }

  /** Pids of instance processes that have not exited yet. */
  livePids(): number[] {
    return this.allInstances.filter((i) => i.process?.alive).map((i) => i.process!.pid);
  }

  /** Requests of a step that reached the platform at or after `since` (epoch ms): what a driver that died had sent. */
  arrivals(step: number, since: number): Set<number> {
    const reached = new Set<number>();
    for (let i = this.invocations.length - 1; i >= 0; i--) {
      const truth = this.invocations[i]!;
      if (truth.receivedAt < since) break;
      if (truth.step === step && truth.request !== null) reached.add(truth.request);
    }
    return reached;
  }

  /** Applies a plan update step: new configuration generation, memory or environment. */
  update(functionKey: string, change: ConfigChange, generation: string): void {
    const fn = this.functions.get(functionKey);
    if (!fn) throw new Error(`update of unknown function "${functionKey}"`);
    fn.config = { ...fn.config, ...configurationAfter(fn.config, { change, generation }), generation };
    this.replaceInstances(fn, describeChange(change));
  }

  /**
   * Sets a function's memory and environment as a whole, as Lambda's
   * UpdateFunctionConfiguration does (the AWS twin, twins/aws/): a new
   * generation whose instances replace the old ones as after an update step.
   */
  reconfigure(functionKey: string, config: { memoryMb: number; env: Record<string, string> }, generation: string): void {
    const fn = this.functions.get(functionKey);
    if (!fn) throw new Error(`update of unknown function "${functionKey}"`);
    fn.config = { ...fn.config, memoryMb: config.memoryMb, env: { ...config.env }, generation };
    this.replaceInstances(fn, `configuration ${generation}`);
  }

  private replaceInstances(fn: FunctionState, change: string): void {
    const functionKey = fn.config.key;
    const generation = fn.config.generation;
    const now = Date.now();
    const { mode, staleWindowSeconds } = this.options.profile.lifecycle.update;
    const windowMs = mode === 'lazy' ? this.options.timeScale.realMs(staleWindowSeconds * 1000) : 0;
    this.updates.push({ function: functionKey, generation, change, at: now, staleUntil: now + windowMs });
    if (fn.staleTimer) clearTimeout(fn.staleTimer);
    fn.staleTimer = null;
    if (windowMs <= 0) {
      fn.staleUntil = 0;
      this.retireOldGenerations(fn);
    } else {
      fn.staleUntil = now + windowMs;
      fn.staleTimer = setTimeout(() => {
        fn.staleTimer = null;
        this.retireOldGenerations(fn);
      }, windowMs);
      fn.staleTimer.unref();
    }
    this.schedule(fn);
  }

  /** Handles POST /invoke/<key>: resolves with the HTTP reply once the request is answered. */
  invoke(functionKey: string, body: unknown): Promise<HttpReply> {
    const fn = this.functions.get(functionKey);
    if (!fn) return Promise.resolve(reply(404, { error: `no function "${functionKey}" on this platform` }));
    const parsed = ProbeRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return Promise.resolve(reply(400, { error: `invalid probe request: ${issue.path.join('.') || '(root)'}: ${issue.message}` }));
    }
    const request = parsed.data;
    const receivedAt = Date.now();
    const truth: GroundTruthInvocation = {
      step: request.step,
      request: request.request,
      attempt: request.attempt,
      target: functionKey,
      instance: null,
      host: null,
      outcome: 'rejected',
      stale: false,
      cold: false,
      receivedAt,
      queuedMs: 0,
      fault: null,
    };
    this.invocations.push(truth);
    // The truth is logged once the outcome is final and before the answer leaves the front door.
    const logged = (answer: Promise<HttpReply>): Promise<HttpReply> =>
      this.options.truthLog ? answer.then((r) => (this.options.truthLog!(truth), r)) : answer;
    if (request.target !== functionKey) {
      return logged(Promise.resolve(reply(400, { error: `request target "${request.target}" does not match the invoked function "${functionKey}"` })));
    }
    if (this.stopping) {
      truth.outcome = 'stopped';
      return logged(Promise.resolve(reply(503, { error: 'the local platform is shutting down' })));
    }
    if (this.inFlight >= this.options.profile.scaling.accountConcurrency) {
      truth.outcome = 'throttled';
      return logged(
        Promise.resolve(reply(429, { error: `account concurrency limit of ${this.options.profile.scaling.accountConcurrency} in-flight requests reached` })),
      );
    }
    this.inFlight += 1;
    return logged(new Promise<HttpReply>((resolve) => {
      const pending: Pending = {
        request,
        boundTo: null,
        receivedAt,
        queueTimer: null,
        truth,
        respond: (r) => {
          this.inFlight -= 1;
          resolve(r);
        },
      };
      const queueLimitMs = fn.config.timeoutSeconds * 1000;
      pending.queueTimer = setTimeout(() => {
        const index = fn.queue.indexOf(pending);
        if (index < 0) return;
        fn.queue.splice(index, 1);
        this.unbind(pending);
        truth.outcome = 'queue-timeout';
        truth.queuedMs = Date.now() - receivedAt;
        pending.respond(reply(429, { error: `no instance became available within the function timeout (${fn.config.timeoutSeconds} s)` }));
      }, queueLimitMs);
      pending.queueTimer.unref();
      fn.queue.push(pending);
      this.schedule(fn);
    }));
  }

  /** Ends every instance, answers what is still waiting, closes the front door and removes the scratch files. */
  async stop(): Promise<void> {
    if (this.stopping && !this.frontDoor) return;
    this.stopping = true;
    this.stopSignal.abort();
    for (const fn of this.functions.values()) {
      if (fn.staleTimer) clearTimeout(fn.staleTimer);
      for (const pending of fn.queue.splice(0)) {
        if (pending.queueTimer) clearTimeout(pending.queueTimer);
        pending.truth.outcome = 'stopped';
        pending.respond(reply(503, { error: 'the local platform is shutting down' }));
      }
    }
    await Promise.all(this.allInstances.filter((i) => i.state !== 'dead').map((i) => this.end(i, 'shutdown')));
    await Promise.allSettled([...this.boots]);
    await Promise.all(this.allInstances.filter((i) => i.state !== 'dead').map((i) => this.end(i, 'shutdown')));
    await Promise.all(this.allInstances.map((i) => i.process?.exited));
    this.pool.stopClockRefresh();
    await this.frontDoor?.close();
    this.frontDoor = null;
    this.cgroups?.close();
    this.io?.close();
    await rm(this.options.workDir, { recursive: true, force: true, maxRetries: 3 });
    activePlatforms.delete(this);
  }

  /** Synchronous last resort (process exit): SIGKILL every instance. */
  killAllNow(): void {
    for (const i of this.allInstances) i.process?.killNow();
  }

  groundTruth(meta: { study: string; run: string }): GroundTruth {
    return {
      v: GROUND_TRUTH_VERSION,
      study: meta.study,
      run: meta.run,
      profile: this.options.profile.name,
      model: this.options.profile,
      timeScale: this.options.timeScale.scale,
      cpuQuotaApplied: this.cpuQuota.applied,
      ioLimitApplied: this.ioLimit.applied,
      machine: {
        cores: os.cpus().length,
        peakOccupiedHostCores: this.pool.peakOccupiedCores,
        cpuQuotaReason: this.cpuQuota.reason,
        ioLimitReason: this.ioLimit.reason,
      },
      hosts: this.pool.all().map((h) => hostGroundTruth(h, this.cpuQuota.applied)),
      instances: this.allInstances.map(instanceGroundTruth),
      invocations: this.invocations,
      updates: this.updates,
    };
  }

  // ---- routing -------------------------------------------------------------

  /**
   * Gives waiting requests to idle instances, then to starting instances that
   * serve no request yet, then starts instances for the rest within the limits,
   * each bound to the request it is started for.
   */
  private schedule(fn: FunctionState): void {
    if (this.stopping) return;
    const nextUnbound = () => fn.queue.find((p) => p.boundTo === null);
    for (let pending = nextUnbound(); pending; pending = nextUnbound()) {
      const instance = this.pickIdle(fn);
      if (!instance) break;
      this.takeFromQueue(fn, pending);
      void this.dispatch(fn, instance, pending);
    }
    const current = [...fn.instances].filter((i) => i.generation === fn.config.generation && i.retiring === null && i.state !== 'dead');
    for (const instance of current) {
      const pending = instance.state === 'starting' && !this.bindings.has(instance) ? nextUnbound() : undefined;
      if (pending) this.bind(pending, instance);
    }
    const toStart = instancesToStart({
      unboundQueued: fn.queue.filter((p) => p.boundTo === null).length,
      queued: fn.queue.length,
      live: current.length,
      busy: current.filter((i) => i.state === 'busy').length,
      maxInstancesPerFunction: this.options.profile.scaling.maxInstancesPerFunction,
      scaleOutFraction: this.options.profile.scaling.scaleOutFraction,
    });
    for (let n = 0; n < toStart; n++) {
      const pending = nextUnbound();
      const instance = this.startInstance(fn);
      if (pending) this.bind(pending, instance);
    }
  }

  private bind(pending: Pending, instance: Instance): void {
    pending.boundTo = instance;
    this.bindings.set(instance, pending);
  }

  private unbind(pending: Pending): void {
    if (pending.boundTo) this.bindings.delete(pending.boundTo);
    pending.boundTo = null;
  }

  private takeFromQueue(fn: FunctionState, pending: Pending): void {
    const index = fn.queue.indexOf(pending);
    if (index >= 0) fn.queue.splice(index, 1);
    this.unbind(pending);
  }

  /** Most recently used idle instance; within a lazy update's window, sometimes an idle stale one. */
  private pickIdle(fn: FunctionState): Instance | undefined {
    const idle = [...fn.instances].filter((i) => i.state === 'idle' && i.retiring === null).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    const current = idle.find((i) => i.generation === fn.config.generation);
    if (Date.now() < fn.staleUntil) {
      const stale = idle.find((i) => i.generation !== fn.config.generation);
      if (stale && this.random.chance(this.options.profile.lifecycle.update.staleProbability)) return stale;
    }
    return current;
  }

  private async dispatch(fn: FunctionState, instance: Instance, pending: Pending): Promise<void> {
    if (pending.queueTimer) clearTimeout(pending.queueTimer);
    const now = Date.now();
    const truth = pending.truth;
    truth.instance = instance.id;
    truth.host = instance.host.identity.id;
    truth.queuedMs = now - pending.receivedAt;
    truth.stale = instance.generation !== fn.config.generation;
    truth.cold = instance.invocations === 0;
    instance.state = 'busy';
    instance.invocations += 1;
    instance.lastUsedAt = now;
    if (instance.idleTimer) clearTimeout(instance.idleTimer);
    instance.idleTimer = null;
    const proc = instance.process!;
    proc.thaw();
    if (instance.host.identity.slow && this.options.faults.slowHostDelayMs > 0) await sleep(this.options.faults.slowHostDelayMs);

    const fault = this.drawFault();
    truth.fault = fault;
    const timeoutMs = fn.config.timeoutSeconds * 1000;
    const outcome = await invokeInstance(proc, this.withNetUrl(pending.request, instance.host), timeoutMs, fault);

    if (outcome === 'timeout') {
      truth.outcome = 'timeout';
      await this.end(instance, 'timeout');
      pending.respond(reply(504, { error: `function timed out after ${fn.config.timeoutSeconds} s` }));
      return;
    }
    if (outcome instanceof Error) {
      const shutdown = this.stopping || instance.endReason === 'shutdown';
      truth.outcome = shutdown ? 'stopped' : 'crashed';
      await this.end(instance, shutdown ? 'shutdown' : 'crashed');
      pending.respond(shutdown ? reply(503, { error: 'the local platform is shutting down' }) : reply(502, { error: outcome.message }));
      return;
    }
    if (outcome.kind === 'error') {
      truth.outcome = 'function-error';
      pending.respond(reply(500, { error: outcome.error }));
    } else {
      truth.outcome = 'ok';
      instance.probeInstanceId ??= probeInstanceIdOf(outcome.response);
      pending.respond({ status: 200, body: outcome.response });
    }
    this.afterInvocation(fn, instance);
  }

  private afterInvocation(fn: FunctionState, instance: Instance): void {
    if (ended(instance)) return;
    if (instance.retiring) {
      void this.end(instance, instance.retiring);
      return;
    }
    instance.state = 'idle';
    instance.lastUsedAt = Date.now();
    this.armIdleTimer(instance);
    this.schedule(fn);
    // Freeze only if the scheduler did not hand it the next request straight away.
    if (instance.state === 'idle' && this.options.profile.lifecycle.freezeBetweenInvocations) instance.process?.freeze();
  }

  private drawFault(): 'crash' | 'hang' | null {
    const { crash, hang } = this.options.faults;
    if (crash + hang <= 0) return null;
    const x = this.faultRandom.float();
    if (x < crash) return 'crash';
    if (x < crash + hang) return 'hang';
    return null;
  }

  /** The net task's endpoint, when the request leaves it to the provider target. */
  private withNetUrl(request: ProbeRequest, host: Host): ProbeRequest {
    if (request.task.name !== 'net' || request.task.url) return request;
    let token = this.hostTokens.get(host.identity.id);
    if (!token) {
      token = this.random.alnum(16);
      this.hostTokens.set(host.identity.id, token);
      this.links.set(token, new HostBandwidth(this.options.profile.network.hostMbps));
    }
    return { ...request, task: { ...request.task, url: netTaskUrl(this.endpoint, token, request.task.direction, request.task.megabytes) } };
  }

  // ---- instance lifecycle --------------------------------------------------

  private startInstance(fn: FunctionState): Instance {
    const { profile } = this.options;
    this.instanceSeq += 1;
    const id = `i${String(this.instanceSeq).padStart(4, '0')}`;
    const placement = this.pool.place(id, fn.config.tenant, fn.config.memoryMb);
    const lifetime = profile.lifecycle.maxLifetimeHours;
    const instance: Instance = {
      id,
      fn: fn.config.key,
      tenant: fn.config.tenant,
      runtime: fn.config.runtime,
      memoryMb: fn.config.memoryMb,
      generation: fn.config.generation,
      host: placement.host,
      newHost: placement.newHost,
      hostsWithRoom: placement.hostsWithRoom,
      state: 'starting',
      retiring: null,
      process: null,
      cgroupPath: null,
      cpuQuotaVcpus: null,
      cpuQuotaCores: null,
      initUnderQuota: false,
      initThrottling: null,
      cpuThrottling: null,
      idleTimeoutMs: this.random.between(profile.lifecycle.idleTimeoutMinutes) * 60_000,
      maxLifetimeMs: lifetime ? this.random.between(lifetime) * 3_600_000 : null,
      idleTimer: null,
      lifetimeTimer: null,
      startedAt: Date.now(),
      readyAt: null,
      endedAt: null,
      endReason: null,
      invocations: 0,
      lastUsedAt: 0,
      probeInstanceId: null,
      startFailureReported: false,
    };
    fn.instances.add(instance);
    this.allInstances.push(instance);
    const boot = this.boot(fn, instance, { ...fn.config }).catch((error: unknown) => this.startFailed(fn, instance, error));
    this.boots.add(boot);
    void boot.finally(() => this.boots.delete(boot));
    return instance;
  }

  private async boot(fn: FunctionState, instance: Instance, config: FunctionConfig): Promise<void> {
    const { profile, faults, runtimes, workDir } = this.options;
    const delayMs = (instance.newHost ? profile.lifecycle.newHostDelayMs : 0) + Math.round(this.random.between(profile.lifecycle.initDelayMs));
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
    if (ended(instance) || this.stopping) return;

    const proc = await startInstanceProcess(
      { profile, workDir, runtimes, cgroups: this.cgroups, io: this.io, random: this.random, readyTimeoutMs: this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS },
      instance,
      config,
      (started) => {
        instance.process = started;
        this.options.children?.spawned(started.pid, 'instance');
        void started.exited.then(() => {
          this.options.children?.exited(started.pid);
          this.onExit(fn, instance);
        });
        if (this.faultRandom.chance(faults.startFailure)) started.killNow();
      },
    );
    if (ended(instance)) return;

    instance.readyAt = Date.now();
    instance.state = 'idle';
    if (instance.maxLifetimeMs !== null) {
      instance.lifetimeTimer = setTimeout(() => {
        if (instance.state === 'idle') void this.end(instance, 'lifetime');
        else if (instance.state !== 'dead') instance.retiring ??= 'lifetime';
      }, this.options.timeScale.realMs(instance.maxLifetimeMs));
      instance.lifetimeTimer.unref();
    }
    if (instance.retiring) {
      await this.end(instance, instance.retiring);
      return;
    }
    const bound = this.bindings.get(instance);
    if (bound) {
      this.takeFromQueue(fn, bound);
      void this.dispatch(fn, instance, bound);
      return;
    }
    this.armIdleTimer(instance);
    this.schedule(fn);
    if (instance.state === 'idle' && profile.lifecycle.freezeBetweenInvocations) proc.freeze();
  }

  /** A start that failed answers the request it was started for, so a broken bundle shows as errors rather than a hang. */
  private startFailed(fn: FunctionState, instance: Instance, error: unknown): void {
    if (instance.startFailureReported) return;
    if (instance.endReason !== null && instance.endReason !== 'start-failed') return; // ended on purpose while starting
    instance.startFailureReported = true;
    const pending = this.bindings.get(instance);
    if (pending) this.takeFromQueue(fn, pending);
    void this.end(instance, 'start-failed');
    if (pending) {
      if (pending.queueTimer) clearTimeout(pending.queueTimer);
      pending.truth.outcome = 'start-failed';
      pending.truth.instance = instance.id;
      pending.truth.host = instance.host.identity.id;
      pending.truth.queuedMs = Date.now() - pending.receivedAt;
      const message = error instanceof Error ? error.message : String(error);
      pending.respond(reply(502, { error: `instance failed to start: ${message}` }));
    }
    this.schedule(fn);
  }

  private onExit(fn: FunctionState, instance: Instance): void {
    if (ended(instance)) return;
    // A crash during an invocation is reported by the dispatch; here only unexpected exits of idle or starting instances.
    if (instance.state === 'starting') return; // boot()'s catch reports it
    if (instance.state === 'idle') void this.end(instance, 'exited').then(() => this.schedule(fn));
  }

  private armIdleTimer(instance: Instance): void {
    if (instance.idleTimer) clearTimeout(instance.idleTimer);
    instance.idleTimer = setTimeout(() => {
      if (instance.state === 'idle') void this.end(instance, 'idle');
    }, this.options.timeScale.realMs(instance.idleTimeoutMs));
    instance.idleTimer.unref();
  }

  private retireOldGenerations(fn: FunctionState): void {
    for (const instance of fn.instances) {
      if (instance.generation === fn.config.generation || instance.state === 'dead') continue;
      if (instance.state === 'idle') void this.end(instance, 'replaced');
      else instance.retiring ??= 'replaced';
      // A request waiting for an old instance to start waits for a new one instead.
      const bound = this.bindings.get(instance);
      if (bound) this.unbind(bound);
    }
  }

  /** Ends an instance: SIGKILL its process group, free its host memory and cgroup. Idempotent. */
  private async end(instance: Instance, reason: EndReason): Promise<void> {
    if (instance.state === 'dead') {
      await instance.process?.exited;
      return;
    }
    instance.state = 'dead';
    instance.endReason = reason;
    instance.endedAt = Date.now();
    if (instance.idleTimer) clearTimeout(instance.idleTimer);
    if (instance.lifetimeTimer) clearTimeout(instance.lifetimeTimer);
    instance.idleTimer = instance.lifetimeTimer = null;
    this.pool.release(instance.host, instance.id, instance.memoryMb);
    this.functions.get(instance.fn)?.instances.delete(instance);
    const bound = this.bindings.get(instance);
    if (bound) this.unbind(bound);
    if (instance.process) await instance.process.kill();
    if (instance.cgroupPath && this.cgroups) {
      instance.cpuThrottling = await this.cgroups.throttling(instance.cgroupPath);
      await this.cgroups.removeInstance(instance.cgroupPath);
    }
    const fn = this.functions.get(instance.fn);
    if (fn && reason !== 'shutdown') this.schedule(fn);
  }
}

/** Platforms of this process, so an exit handler can SIGKILL their instances if the process dies abruptly. */
const activePlatforms = new Set<LocalPlatform>();
process.once('exit', () => {
  for (const p of activePlatforms) p.killAllNow();
});

/** Re-reads the state after an await (the instance may have been ended meanwhile). */
function ended(instance: Instance): boolean {
  return instance.state === 'dead';
}

function reply(status: number, body: { error: string }): HttpReply {
  return { status, body };
}

function probeInstanceIdOf(response: unknown): string | null {
  const id = (response as { instance?: { id?: unknown } } | null)?.instance?.id;
  return typeof id === 'string' ? id : null;
}

function describeChange(change: ConfigChange): string {
  switch (change.kind) {
    case 'refresh':
      return 'refresh';
    case 'memory':
      return `memory=${change.memoryMb}`;
    case 'env':
      return `env ${change.name}`;
  }
}
