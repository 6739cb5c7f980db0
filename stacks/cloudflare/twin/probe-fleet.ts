/**
 * The probe Workers of a run in workerd: one Miniflare (one workerd process)
 * per plan function, serving its Worker on a loopback port that the driver's
 * service binding reaches (an external HTTP service binding in workerd). A
 * function's update is a new version: its workerd restarts with the new
 * bindings on the same port, so the next request meets a new isolate, as a
 * new deployment would give it, and the other functions keep theirs.
 */
import type { Miniflare as MiniflareType, WorkerOptions } from 'miniflare';
import type { PlanFunction } from '../../../experiments/plan-schema';
import { COMPATIBILITY_FLAGS } from '../names';

export interface ProbeWorker {
  readonly fn: PlanFunction;
  /** host:port of the loopback entry. */
  readonly address: string;
  /** Deploys a new version with these plain-text bindings. */
  update(bindings: Record<string, string>): Promise<void>;
}

export interface ProbeFleet {
  readonly workers: readonly ProbeWorker[];
  dispose(): Promise<void>;
}

export async function startProbeFleet(Miniflare: typeof MiniflareType, functions: readonly PlanFunction[], probe: string, compatibilityDate: string): Promise<ProbeFleet> {
  const options = (fn: PlanFunction, bindings: Record<string, string>, port: number): WorkerOptions & { port: number; host: string } => ({
    name: fn.name,
    modules: [{ type: 'ESModule', path: 'index.js', contents: probe }],
    compatibilityDate,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings,
    host: '127.0.0.1',
    port,
  });
  const instances: MiniflareType[] = [];
  const workers: ProbeWorker[] = [];
  try {
    for (const fn of functions) {
      const mf = new Miniflare(options(fn, { ...fn.env }, 0));
      instances.push(mf);
      const url = await mf.ready;
      const port = Number(url.port);
      workers.push({
        fn,
        address: url.host,
        update: async (bindings) => {
          await mf.setOptions(options(fn, bindings, port));
          await mf.ready;
        },
      });
    }
  } catch (error) {
    await Promise.all(instances.map((mf) => mf.dispose().catch(() => undefined)));
    throw error;
  }
  return { workers, dispose: async () => void (await Promise.all(instances.map((mf) => mf.dispose().catch(() => undefined)))) };
}
