/**
 * Fault injection for tests and robustness checks. Every fault is real: a
 * crash kills the instance process in the middle of an invocation, a hang
 * stops it (SIGSTOP) so the platform's function timeout has to catch it, a
 * slow host gets a smaller CPU quota and a delay on every request, a driver
 * crash kills the driver process of a shard before it writes its results.
 * Decisions come from a seeded generator so a failing test can be replayed.
 */
import { z } from 'zod';
import { problemsFromZod, ValidationError } from '../experiments/errors';
import { parseSets } from '../experiments/resolve-study';

const probability = z.number().min(0).max(1);

export const FaultOptions = z
  .strictObject({
  crash: probability.default(0).describe('chance that an invocation\'s instance is killed while it handles the request (502)'),
  hang: probability.default(0).describe('chance that an invocation\'s instance is stopped and never answers (504 at the function timeout)'),
  startFailure: probability.default(0).describe('chance that an instance exits before it is ready (502 "failed to start")'),
  slowHosts: probability.default(0).describe('fraction of hosts that are slow'),
  slowHostCpuFactor: z.number().positive().max(1).default(0.25).describe('CPU quota factor of a slow host\'s instances'),
  slowHostDelayMs: z.number().int().min(0).max(60_000).default(50).describe('real delay added to every request served on a slow host, ms'),
  driverCrash: probability.default(0).describe('chance that a burst shard\'s driver process is killed as it starts (the orchestrator retries it)'),
  seed: z.number().int().min(0).default(1).describe('seed of the fault decisions'),
  })
  // One number is drawn per invocation: below `crash` it crashes, below `crash + hang` it hangs.
  // The two rates are exclusive shares of invocations, so they cannot add up to more than 1.
  .refine((f) => f.crash + f.hang <= 1, {
    path: ['crash + hang'],
    error: (issue) => {
      const f = issue.input as { crash: number; hang: number };
      return `${Math.round((f.crash + f.hang) * 1000) / 1000} is more than 1: crash and hang are exclusive shares of the invocations (one is drawn per invocation), so together at most 1`;
    },
  });
export type FaultOptions = z.output<typeof FaultOptions>;

/** `--fault crash=0.1 --fault hang=0.05` → validated options layered over the profile's. */
export function parseFaultOptions(pairs: readonly string[], base: Partial<FaultOptions> = {}): FaultOptions {
  const sets = parseSets(pairs);
  const result = FaultOptions.safeParse({ ...base, ...sets });
  if (!result.success) throw new ValidationError('--fault', problemsFromZod(result.error));
  return result.data;
}

/** Human-readable list of the active faults, for run.json (`local.faults`) and the summary. */
export function describeFaults(faults: FaultOptions): string[] {
  const out: string[] = [];
  if (faults.crash > 0) out.push(`crash: ${pct(faults.crash)} of invocations kill their instance mid-request`);
  if (faults.hang > 0) out.push(`hang: ${pct(faults.hang)} of invocations stop their instance until the function timeout`);
  if (faults.startFailure > 0) out.push(`start failure: ${pct(faults.startFailure)} of instances exit before they are ready`);
  if (faults.slowHosts > 0) {
    out.push(`slow hosts: ${pct(faults.slowHosts)} of hosts run at ${faults.slowHostCpuFactor}x CPU quota with +${faults.slowHostDelayMs} ms per request`);
  }
  if (faults.driverCrash > 0) out.push(`driver crash: ${pct(faults.driverCrash)} of burst shards lose their driver process (retried)`);
  if (out.length > 0) out.push(`fault seed ${faults.seed}`);
  return out;
}

function pct(p: number): string {
  return `${Math.round(p * 1000) / 10} %`;
}
