/**
 * What every driver entry (AWS, Google, local, Azure) does around the core:
 * assemble DriverDeps from the loaded setup, stop sending before the host's
 * own deadline, and turn an error into the caller's terms.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { RunManifest } from '../contracts/run-manifest';
import { toolVersion } from './config/tool-version';
import type { DriverSetup } from './config/load-setup';
import { DriverConfigError, DriverRefusedError, errorText } from './errors';
import type { Invoker } from './invoker';
import type { DriverDeps } from './run-driver-event';
import type { RunProvenance } from './run-manifest';
import type { ResultSink } from './sinks/result-sink';

export interface HostParts {
  invoker: Invoker;
  sink: ResultSink;
  stop?: AbortSignal;
  /** Extra provenance (notes, the local platform's profile); bundles come from deployment.json. */
  provenance?: Partial<Pick<RunProvenance, 'notes' | 'local' | 'templateHash' | 'origin'>>;
}

const NO_BUNDLES: RunManifest['bundles'] = { probe: null, driver: null, pythonProbe: null };

export function makeDriverDeps(setup: DriverSetup, parts: HostParts): DriverDeps {
  return {
    plan: setup.plan,
    deployment: setup.deployment,
    invoker: parts.invoker,
    sink: parts.sink,
    stop: parts.stop,
    toolVersion: toolVersion(),
    bundles: setup.deployment.bundles ?? NO_BUNDLES,
    ...(setup.deployment.origin ? { origin: setup.deployment.origin } : {}),
    ...parts.provenance,
  };
}

/** Time a burst needs after its last send: the longest per-attempt timeout in the plan, plus the shard write. */
export function burstReserveMs(plan: StudyPlan): number {
  const SHARD_WRITE_MS = 10_000;
  return Math.max(0, ...plan.steps.map((s) => (s.kind === 'burst' ? s.timeoutMs : 0))) + SHARD_WRITE_MS;
}

/**
 * A signal that stops sending when the host is about to kill the driver (Lambda's
 * remaining time), so the shard is still written with the unsent requests as
 * `skipped`. With less time than the reserve from the start, nothing is stopped:
 * sending is better than skipping everything, and the orchestrator sees a dead shard.
 */
export function stopBeforeDeadline(remainingMs: number, reserveMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const lead = remainingMs - reserveMs;
  const timer = lead > 0 ? setTimeout(() => controller.abort(new Error('the driver reached its time limit')), lead) : undefined;
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** How an entry reports a failure: refusals and broken configuration are the caller's or deployer's to fix. */
export function describeFailure(error: unknown): { kind: 'refused' | 'config' | 'failed'; message: string } {
  if (error instanceof DriverRefusedError) return { kind: 'refused', message: error.message };
  if (error instanceof DriverConfigError) return { kind: 'config', message: error.message };
  return { kind: 'failed', message: errorText(error) };
}
