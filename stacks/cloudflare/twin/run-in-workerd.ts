/**
 * `curtain run <study> --target cloudflare`: the study's synthesized Workers
 * run in workerd on this machine through miniflare's API. The same bundles
 * and the same modules the stack uploads (probe-cloudflare per function with
 * its environment as bindings; driver-cloudflare with plan.txt and
 * deployment.txt, the R2 bucket, one service binding per probe and the
 * `CurtainRun` Workflow) are given to miniflare, which runs them in workerd
 * with its local R2 and Workflows. Nothing of ours stands between the driver
 * and the probes: each probe Worker runs in its own workerd on a loopback
 * port, which the driver's binding of the same name reaches (probe-fleet.ts).
 * Update steps call the Workers API as deployed; here a loopback endpoint
 * serves that call and deploys the new version into the probe's workerd
 * (workers-api.ts).
 *
 * The run is started as `curtain start` starts it (a Workflow instance named
 * after the run, through the driver's fetch handler), followed through
 * run.json in the bucket, and the bucket's `<study>/<run>/` is copied to
 * `<outDir>/<study>/<run>/`. workerd is ended by PID when the run ends or
 * fails, and by an exit handler should curtain exit at once (a second Ctrl-C).
 * When the run is stopped (`signal`), the wait ends and what the bucket holds
 * is copied all the same (the caller closes run.json: twins/run-dir.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { driverBundleName, probeBundleName } from '../../../probe-runtime/contracts/bundle-manifest';
import { newRunId, runManifestKey, runPrefix } from '../../../probe-runtime/contracts/bucket-layout';
import { driverDeploymentFiles } from '../../../probe-runtime/contracts/deployment';
import type { BundleSet } from '../../../probe-runtime/build/bundle-set';
import { TargetError } from '../../../targets/target-errors';
import { cloudflareDeployment } from '../cloudflare-study-stack';
import { readBundleModule } from '../bundle-module';
import { COMPATIBILITY_FLAGS, cloudflareNames } from '../names';
import { type ProbeFleet, startProbeFleet } from './probe-fleet';
import { dropStopSignalListenersSince, killWorkerdChildren, stopSignalListeners } from './workerd-processes';
import { type LoopbackWorkersApi, startLoopbackWorkersApi } from './workers-api';

type MiniflareModule = typeof import('miniflare');

export interface WorkerdRunOptions {
  /** Results root: the run is written to <outDir>/<study>/<run>/ in the bucket layout. */
  readonly outDir: string;
  /** The probe and driver bundles to run. */
  readonly bundles: BundleSet;
  /** Run id. @default a new one (newRunId) */
  readonly run?: string;
  /** Stops waiting for the run: what it wrote so far is copied. */
  readonly signal?: AbortSignal;
  log(line: string): void;
}

/**
 * The parts of miniflare's worker and R2 proxies used here. miniflare types them with
 * @cloudflare/workers-types, which is not a dependency, so they are narrowed to what is called.
 */
interface WorkerProxy {
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; text(): Promise<string> }>;
}
interface R2Proxy {
  get(key: string): Promise<{ text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> } | null>;
  list(options: { prefix: string; cursor?: string }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }>;
}

function loadMiniflare(): MiniflareModule {
  try {
    return require('miniflare') as MiniflareModule;
  } catch (error) {
    throw new TargetError(`curtain: miniflare (workerd) is not installed: run \`npm ci\` in the repository (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}

/** How long to wait for the run to close: the plan's own estimate, doubled, plus start-up. */
function deadlineMs(plan: StudyPlan): number {
  return (plan.duration.estimatedSeconds * 2 + 120) * 1000;
}

export async function runInWorkerd(plan: StudyPlan, options: WorkerdRunOptions): Promise<{ readonly runDir: string }> {
  const { Miniflare } = loadMiniflare();
  const run = options.run ?? newRunId();
  const study = plan.study.id;
  const probe = readBundleModule(options.bundles, probeBundleName('cloudflare'));
  const files = driverDeploymentFiles(plan, cloudflareDeployment(plan, { bundles: options.bundles }));
  const compatibilityDate = plan.functions[0]!.runtimeVersion;
  const bucket = cloudflareNames.resultsBucket(study);
  const driverName = cloudflareNames.driver(study);

  options.log(`curtain run ${study} --target cloudflare: ${plan.functions.length} probe Workers and the driver in workerd (miniflare), run ${run}`);
  let fleet: ProbeFleet | undefined;
  let api: LoopbackWorkersApi | undefined;
  let mf: InstanceType<MiniflareModule['Miniflare']> | undefined;
  // Should curtain exit without unwinding (a second Ctrl-C): end every workerd by PID on the way out.
  const onExit = () => void killWorkerdChildren();
  process.once('exit', onExit);
  const signalListeners = stopSignalListeners();
  try {
    fleet = await startProbeFleet(Miniflare, plan.functions, probe, compatibilityDate).catch((error: unknown) => {
      throw workerdFailed(error);
    });
    api = await startLoopbackWorkersApi(fleet.workers, options.log);
    mf = new Miniflare({
      name: driverName,
      modules: [
        { type: 'ESModule', path: 'index.js', contents: readBundleModule(options.bundles, driverBundleName('cloudflare')) },
        { type: 'Text', path: 'plan.txt', contents: files['plan.json'] },
        { type: 'Text', path: 'deployment.txt', contents: files['deployment.json'] },
      ],
      compatibilityDate,
      compatibilityFlags: COMPATIBILITY_FLAGS,
      bindings: { CURTAIN_BUCKET: bucket, CLOUDFLARE_ACCOUNT_ID: api.account, CLOUDFLARE_API_TOKEN: api.token, CLOUDFLARE_API_BASE: api.base },
      r2Buckets: { [cloudflareNames.resultsBinding]: bucket },
      // The deployed driver's bindings are service bindings; here each reaches its probe's workerd over loopback.
      serviceBindings: Object.fromEntries(fleet.workers.map((w, i) => [cloudflareNames.probeBinding(i), { external: { address: w.address, http: {} } }])),
      workflows: { [cloudflareNames.workflowBinding]: { name: cloudflareNames.workflow(study), className: cloudflareNames.workflowClass } },
    });
    const driver = (await mf.getWorker(driverName)) as unknown as WorkerProxy;
    // Every workerd is up (miniflare has registered its exit hook): a Ctrl-C from here on is the caller's (options.signal).
    dropStopSignalListenersSince(signalListeners);
    const runDir = path.join(options.outDir, study, run);
    if (options.signal?.aborted) {
      options.log(`curtain run: stopped before run ${run} started: nothing was sent`);
      return { runDir };
    }
    const started = await driver.fetch('http://driver.internal/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run }) });
    if (started.status !== 202) throw new TargetError(`curtain: the driver Worker refused to start run ${run}: HTTP ${started.status} ${(await started.text()).slice(0, 300)}`);
    const results = (await mf.getR2Bucket(cloudflareNames.resultsBinding, driverName)) as unknown as R2Proxy;
    const status = await waitForClose(
      async () => {
        const object = await results.get(runManifestKey(study, run));
        return object ? ((JSON.parse(await object.text()) as { status?: string }).status ?? null) : null;
      },
      deadlineMs(plan),
      (s) => options.log(`curtain run: run.json status ${s}`),
      options.signal,
    );
    let copied = 0;
    let cursor: string | undefined;
    do {
      const page = await results.list({ prefix: runPrefix(study, run), cursor });
      for (const object of page.objects) {
        const body = await results.get(object.key);
        if (!body) continue;
        const file = path.join(options.outDir, ...object.key.split('/'));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(await body.arrayBuffer()));
        copied += 1;
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    options.log(`curtain run: run ${run} ${status}; ${copied} objects copied from R2 to ${runDir}`);
    return { runDir };
  } catch (error) {
    throw error instanceof TargetError ? error : workerdFailed(error);
  } finally {
    process.off('exit', onExit);
    const disposed = Promise.all([mf?.dispose().catch(() => undefined), fleet?.dispose(), api?.close()]);
    await Promise.race([disposed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    const killed = killWorkerdChildren();
    if (killed.length > 0) options.log(`curtain run: ended workerd ${killed.join(', ')} (SIGKILL) after dispose`);
  }
}

/** workerd (or miniflare) failing, as one line naming it and what to do. */
function workerdFailed(error: unknown): TargetError {
  const first = (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return new TargetError(`curtain: workerd (the Workers runtime, from miniflare's @cloudflare/workerd-linux-64) failed: ${first}; reinstall with \`npm ci\` if it is missing`, 'failed');
}

/** run.json's status once it is closed; `stopped (…)` when the signal ends the wait first. */
async function waitForClose(status: () => Promise<string | null>, timeoutMs: number, log: (status: string) => void, signal?: AbortSignal): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < until) {
    const now = await status();
    if (now !== last && now !== null) log(now);
    last = now;
    if (now !== null && now !== 'running') return now;
    if (signal?.aborted) return `stopped (run.json ${now ?? 'absent'})`;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new TargetError(`curtain: the run did not close within ${Math.round(timeoutMs / 1000)} s (run.json status ${last ?? 'absent'})`);
}
