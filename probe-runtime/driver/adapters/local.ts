/**
 * The driver as a process on the embedded local platform (bundle driver-local).
 * The platform spawns one per driver call (start-run, each burst shard,
 * finish-run), exactly as a cloud orchestrator invokes its driver function.
 *
 * Protocol:
 *   stdin   one DriverEvent as JSON
 *   env     CURTAIN_PLAN_FILE        the run's plan.json (required)
 *           CURTAIN_RESULTS_DIR      the results root; files land in the bucket layout (required)
 *           CURTAIN_LOCAL_ENDPOINT   the platform's front door, e.g. http://127.0.0.1:7070 (bursts);
 *                                    probes are POSTed at <endpoint>/invoke/<target>
 *           CURTAIN_DEPLOYMENT_FILE  optional deployment.json; without it each plan function's
 *                                    target is its own key, and bundle hashes are null
 *           CURTAIN_RUN_PROVENANCE   optional JSON {notes?, local?, templateHash?, origin?} for run.json
 *           CURTAIN_PARTIAL_DIR      optional: keep a running journal of each shard in
 *                                    <dir>/<stepId>/<shard>.jsonl (shard-journal.ts), so the
 *                                    answers survive this process being killed
 *           CURTAIN_STOP_GRACE_MS    optional: once stopped, answers in flight are awaited this long,
 *                                    then recorded as abandoned (default: to their timeout)
 *   stdout  the summary as one JSON line (BurstShardSummary for bursts)
 *   stderr  on failure, one line: `driver-local: <message>`
 *   exit    0 done; 1 refused or invalid input/configuration (do not retry); 3 failed (e.g. a write)
 *   SIGTERM/SIGINT stop sending: the shard is still written, unsent requests as `skipped`,
 *           requests still in flight after the grace as abandoned (`error`).
 */
import { readFileSync } from 'node:fs';
import type { Deployment } from '../../contracts/deployment';
import { RunManifest } from '../../contracts/run-manifest';
import { loadDeploymentFile, loadPlanFile, requireEnv } from '../config/load-setup';
import { jsonFromEnv } from '../config/json-env';
import { DriverConfigError, errorText } from '../errors';
import { describeFailure, makeDriverDeps } from '../host';
import { createLocalInvoker } from '../invokers/http';
import type { Invoker } from '../invoker';
import { runDriverEvent } from '../run-driver-event';
import { createFileShardJournal, partialShardFile } from '../shard-journal';
import { createLocalDirSink } from '../sinks/local-dir';

const Provenance = RunManifest.pick({ notes: true, local: true, templateHash: true, origin: true }).partial();

const EXIT = { ok: 0, refused: 1, failed: 3 } as const;

/** Never used for sends when no burst is asked: start-run and finish-run need no endpoint. */
const noEndpointInvoker: Invoker = {
  name: 'none',
  invoke: () => Promise.resolve({ kind: 'failure', status: 'error', error: 'CURTAIN_LOCAL_ENDPOINT is not set', transportStatus: null }),
};

export async function runLocalDriver(stdinText: string, env: NodeJS.ProcessEnv, stop: AbortSignal): Promise<string> {
  return prepareLocalDriver(env)(stdinText, stop);
}

/**
 * Loads and validates everything a driver call needs but its event (plan, deployment, sink,
 * invoker) and returns the call. The process does this before it reads its event, so an
 * orchestrator can start it ahead of time and have a burst leave the moment it writes the event
 * (local/orchestrator/platform-clock.ts): the plan's validation and hash check (and zod compiling
 * its schemas) take tens to hundreds of ms on a loaded machine.
 */
export function prepareLocalDriver(env: NodeJS.ProcessEnv): (stdinText: string, stop: AbortSignal) => Promise<string> {
  const plan = loadPlanFile(requireEnv(env, 'CURTAIN_PLAN_FILE', 'the plan.json of the run'));
  const deployment: Deployment = env.CURTAIN_DEPLOYMENT_FILE
    ? loadDeploymentFile(env.CURTAIN_DEPLOYMENT_FILE, plan, env)
    : { v: 1, provider: 'local', region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, f.key])) };
  const provenance = jsonFromEnv(env, 'CURTAIN_RUN_PROVENANCE', Provenance) ?? {};
  const sink = createLocalDirSink(requireEnv(env, 'CURTAIN_RESULTS_DIR', 'the results directory'));
  const partialDir = env.CURTAIN_PARTIAL_DIR;
  const grace = env.CURTAIN_STOP_GRACE_MS === undefined ? undefined : Number(env.CURTAIN_STOP_GRACE_MS);
  if (grace !== undefined && !(Number.isFinite(grace) && grace >= 0)) throw new DriverConfigError(`CURTAIN_STOP_GRACE_MS: expected a number of milliseconds, got "${env.CURTAIN_STOP_GRACE_MS}"`);
  return async (stdinText, stop) => {
    let event: unknown;
    try {
      event = JSON.parse(stdinText);
    } catch (error) {
      throw new DriverConfigError(`stdin: not a JSON driver event (${errorText(error)})`);
    }
    const invoker = env.CURTAIN_LOCAL_ENDPOINT ? createLocalInvoker(env.CURTAIN_LOCAL_ENDPOINT) : noEndpointInvoker;
    try {
      const isBurst = (event as { action?: unknown } | null)?.action === 'burst';
      if (isBurst && !env.CURTAIN_LOCAL_ENDPOINT) requireEnv(env, 'CURTAIN_LOCAL_ENDPOINT', "the local platform's front door");
      const deps = makeDriverDeps({ plan, deployment }, { invoker, sink, stop, provenance });
      const summary = await runDriverEvent(event, {
        ...deps,
        stopGraceMs: grace,
        shardJournal: partialDir
          ? (burst, requests) => createFileShardJournal(partialShardFile(partialDir, burst.step.id, burst.shard), burst, requests, () => Date.now())
          : undefined,
      });
      return JSON.stringify(summary);
    } finally {
      invoker.close?.();
    }
  };
}

function main(): void {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    controller.abort(new Error(`the driver received ${signal}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const fail = (error: unknown) => {
    const failure = describeFailure(error);
    process.stderr.write(`driver-local: ${failure.message.replace(/\s*\n\s*/g, ' ')}\n`, () =>
      process.exit(failure.kind === 'failed' ? EXIT.failed : EXIT.refused),
    );
  };
  // Ready before the event arrives: the orchestrator may hold the event back until the burst is due.
  let run: ReturnType<typeof prepareLocalDriver>;
  try {
    run = prepareLocalDriver(process.env);
  } catch (error) {
    fail(error);
    return;
  }
  let stdinText: string;
  try {
    stdinText = readFileSync(0, 'utf8');
  } catch (error) {
    process.stderr.write(`driver-local: cannot read stdin (${errorText(error)})\n`);
    process.exit(EXIT.refused);
  }
  run(stdinText, controller.signal).then((line) => process.stdout.write(`${line}\n`, () => process.exit(EXIT.ok)), fail);
}

if (require.main === module) main();
