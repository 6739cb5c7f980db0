/**
 * Seeded randomness for resampling: reports are deterministic (the same run
 * gives the same intervals), which keeps `curtain compare` and tests stable.
 */
import { seededRandom } from '../../experiments/catalog/common';

export type Random = () => number;

export const DEFAULT_SEED = 20180711;

export function createRandom(seed: number = DEFAULT_SEED): Random {
  return seededRandom(seed);
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** A standard normal deviate (Box–Muller). */
export function randomNormal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
