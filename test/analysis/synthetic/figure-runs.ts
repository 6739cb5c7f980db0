/**
 * Synthetic runs whose figures exercise every chart convention: many series
 * (placement: up to 20 memory sizes, numbers in the names), reference lines
 * (the placement ceiling, one instance per request), counts on axes
 * (scalability), CDFs and intervals (coldstart). Shared by the figure tests and
 * the browser test of report.html.
 */
import { catalogPlan, type SyntheticHost, SyntheticRun } from './synthetic-run';

export const CAPACITY = 3328;

/**
 * First-fit bin-packing by memory into hosts of 3,328 MB, new hosts each step (as after a refresh),
 * on the local platform (profile aws-2018); `truthMax` is the fullest host's memory.
 */
export function packedPlacementRun(functions = 20, rounds = 1): { run: SyntheticRun; truthMax: number } {
  const plan = catalogPlan('placement', 'local', { functions, rounds });
  const run = new SyntheticRun(plan, { profile: 'aws-2018', runId: '20261126T120000Z-place' });
  let truthMax = 0;
  for (const step of run.bursts()) {
    const hosts: { host: SyntheticHost; used: number }[] = [];
    for (let r = 0; r < step.requests; r++) {
      const fn = plan.functions.find((f) => f.key === step.targets[r % step.targets.length])!;
      let slot = hosts.find((h) => h.used + fn.memoryMb <= CAPACITY);
      if (!slot) hosts.push((slot = { host: run.host(), used: 0 }));
      slot.used += fn.memoryMb;
      truthMax = Math.max(truthMax, slot.used);
      run.record(step, r, { instance: run.instance(slot.host) });
    }
  }
  return { run, truthMax };
}

/** Half the requested instances answer each level (the rest queue), on AWS: counts on both axes. */
export function scalabilityRun(): SyntheticRun {
  const plan = catalogPlan('scalability', 'aws', { step: 1, maxConcurrency: 3 });
  const run = new SyntheticRun(plan, { runId: '20261126T120000Z-scale' });
  const host = run.host();
  for (const step of run.bursts('level')) {
    const instances = Array.from({ length: Math.ceil(step.requests / 2) }, () => run.instance(host));
    for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: instances[r % instances.length]! });
  }
  return run;
}

/** Cold and warm requests on two memory sizes (local, aws-2018, time scale 20). */
export function coldstartRun(runId: string, warmMs: number, seed: number): SyntheticRun {
  const plan = catalogPlan('coldstart', 'local', { rounds: 6, memoryMb: [128, 512], runtimes: ['nodejs'] });
  const run = new SyntheticRun(plan, { runId, profile: 'aws-2018', timeScale: 20, seed });
  run.bursts('cold').forEach((step, round) => {
    const instances = Array.from({ length: step.requests }, (_, r) => {
      const instance = run.instance(run.host());
      run.record(step, r, { instance, latencyMs: run.uniform(200, 300) });
      return instance;
    });
    instances.forEach((instance, r) => run.record(run.burst('warm', round), r, { instance, latencyMs: run.uniform(warmMs - 5, warmMs + 5) }));
  });
  return run;
}
