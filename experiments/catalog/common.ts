/** Building blocks shared by catalog studies. */
import { z } from 'zod';
import { CAPABILITIES } from '../capabilities';
import { type AnalysisKind, PROVIDERS, type ScheduleItemInput, type TargetSelector } from '../schema';
import { seededRandom } from '../seeded-random';

export { seededRandom };

/** The memory sizes the paper swept on 2018 Lambda (128 MB to its then maximum of 3,008 MB). */
export const PAPER_MEMORY_SIZES_MB = [128, 256, 512, 1024, 1536, 2048, 3008];

/** The providers on which an analysis is measurable (CAPABILITIES[p].notMeasurable): what a catalog study declares. */
export function providersMeasuring(kind: AnalysisKind): (typeof PROVIDERS)[number][] {
  return PROVIDERS.filter((p) => !CAPABILITIES[p].notMeasurable?.[kind]);
}

/** A forced cold start: bump the configuration generation of the selected functions. */
export function refresh(targets: z.input<typeof TargetSelector> = 'all'): ScheduleItemInput {
  return { kind: 'update', targets, change: { kind: 'refresh' } };
}

/** `count` distinct values from `options`, drawn with a seeded shuffle, returned in ascending order. */
export function sampleDistinct(options: number[], count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const pool = [...options];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, Math.min(count, pool.length)).sort((a, b) => a - b);
}

/** a, a+step, ..., up to and including b. */
export function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step) out.push(x);
  return out;
}

/**
 * A barrier that keeps a burst's requests in flight together, so that each of them
 * occupies its own instance (fast requests would otherwise be served by fewer
 * instances in turn, and the unused ones would idle out).
 */
export function holdMsParameter(defaultMs: number, purpose: string) {
  return z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(defaultMs)
    .describe(`barrier that keeps a burst's requests in flight together, ${purpose} (0 disables)`);
}
