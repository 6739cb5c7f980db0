/**
 * The probe core: one instance's state (identity, background work) and the
 * handling of one request. Adapters (adapters/*.ts) only translate their
 * platform's calling convention to `handle`.
 *
 * Order of one invocation: receive → validate → read <proc>/stat and the host
 * fingerprint → barrier → task → read <proc>/stat again → respond. The
 * fingerprint is taken before the barrier so it never delays the task start.
 * Each of these moments is stamped (timing), so the analysis can split a
 * request's latency into its phases (experiments/latency-phase.ts).
 */
import { join } from 'node:path';
import type { ProbeRequest, ProbeResponse } from '../contracts/probe-wire';
import { nowMs, roundMs } from './clock';
import { collectGeneration, collectMemoryMb, collectProviderIds } from './collectors/environment';
import { collectHost } from './collectors/host';
import { createInstanceTracker } from './collectors/identity';
import { diffCpuTimes, parseCpuTimes } from './collectors/proc-stat';
import { resolveProbeConfig, type ProbeConfigOptions } from './probe-config';
import { readText } from './read-text';
import { createBackgroundWorker } from './tasks/background';
import { waitForBarrier } from './tasks/barrier';
import { runTask } from './tasks/run-task';
import { InvalidInput } from './validation/checks';
import { checkProbeRequest } from './validation/probe-request';

export const PROBE_NAME = 'node@1';

export type ProbeOptions = ProbeConfigOptions;

/** What an adapter knows about the invocation beyond the request itself. */
export interface InvocationContext {
  /** When the adapter received the request (epoch ms, clock.ts); default: when handle is called. */
  receivedAt?: number;
  /** Per-invocation ids of the platform (e.g. the Lambda request id), merged into providerIds. */
  providerIds?: Record<string, string>;
}

/** A request that is not a valid ProbeRequest; `path` names the offending field. */
export class ProbeRequestError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`invalid probe request: ${path ? `${path}: ` : ''}${problem}`);
    this.name = 'ProbeRequestError';
  }
}

export interface Probe {
  readonly instanceId: string;
  /** Answer one request; throws ProbeRequestError for an invalid one (never for a failing task). */
  handle(raw: unknown, context?: InvocationContext): Promise<ProbeResponse>;
  /** Stop background work (tests and shutdown). */
  stop(): void;
}

export function createProbe(options: ProbeOptions = {}): Probe {
  const config = resolveProbeConfig(options);
  const identity = createInstanceTracker(config.tmpDir);
  const background = createBackgroundWorker();
  const statPath = join(config.procRoot, 'stat');

  async function handle(raw: unknown, context: InvocationContext = {}): Promise<ProbeResponse> {
    const receivedAt = context.receivedAt ?? nowMs();
    const instance = identity.next();
    const backgroundWork = background.report();
    let request: ProbeRequest;
    try {
      request = checkProbeRequest(raw, '');
    } catch (error) {
      if (error instanceof InvalidInput) throw new ProbeRequestError(error.path, error.problem);
      throw error;
    }

    const fingerprintStart = nowMs();
    const statBefore = readText(statPath);
    const host = collectHost(config, statBefore);
    const providerIds = { ...collectProviderIds(config.env), ...context.providerIds };
    const fingerprintMs = nowMs() - fingerprintStart;

    const barrierStart = nowMs();
    const barrierReleasedAt = await waitForBarrier(request.barrierAt);
    const taskStartedAt = nowMs();
    const task = await runTask(request.task, {
      tmpDir: config.tmpDir,
      background,
      invocation: instance.invocation,
      barrierAt: request.barrierAt,
      request: request.request,
    });
    const taskEndedAt = nowMs();

    const cpuDelta = diffCpuTimes(parseCpuTimes(statBefore), parseCpuTimes(readText(statPath)));
    const barrierMs = barrierReleasedAt === null ? 0 : barrierReleasedAt - barrierStart;
    const respondedAt = nowMs();
    return {
      v: 1,
      probe: PROBE_NAME,
      runtime: 'nodejs',
      runtimeVersion: process.version,
      instance,
      host,
      cpuDelta,
      providerIds,
      generation: collectGeneration(config.env),
      memoryMb: collectMemoryMb(config.env),
      timing: {
        receivedAt: roundMs(receivedAt),
        barrierStartedAt: barrierReleasedAt === null ? null : roundMs(barrierStart),
        barrierReleasedAt: barrierReleasedAt === null ? null : roundMs(barrierReleasedAt),
        taskStartedAt: roundMs(taskStartedAt),
        taskEndedAt: roundMs(taskEndedAt),
        respondedAt: roundMs(respondedAt),
      },
      overheadMs: {
        fingerprint: roundMs(fingerprintMs),
        // Everything the probe itself spent: the whole handling minus barrier wait and task.
        total: roundMs(respondedAt - receivedAt - barrierMs - (taskEndedAt - taskStartedAt)),
      },
      task,
      backgroundWork,
      // Padding of the requested size (payload-size studies); ASCII, so characters are bytes.
      ...(request.responseBytes ? { payload: 'x'.repeat(request.responseBytes) } : {}),
    };
  }

  return { instanceId: identity.id, handle, stop: background.stop };
}
