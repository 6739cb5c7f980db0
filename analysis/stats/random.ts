/**
 * Seeded randomness for resampling: reports are deterministic (the same run
 * gives the same intervals), which keeps `curtain compare` and tests stable.
 *
 * xoshiro128** (Blackman and Vigna), with its multiplications by 5 and 9 done
 * as shifts and adds: a bootstrap draws millions of indices, and Math builtins
 * (imul, floor) are slow where code runs in a separate V8 context (jest's test
 * environment), so hot loops here avoid them.
 */
export type Random = () => number;

export const DEFAULT_SEED = 20180711;

export function createRandom(seed: number = DEFAULT_SEED): Random {
  // splitmix32 spreads the seed over the four words of state.
  let z = seed >>> 0;
  const next = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = next();
  let b = next();
  let c = next();
  let d = next();
  return () => {
    const times5 = (b << 2) + b;
    const rotated = (times5 << 7) | (times5 >>> 25);
    const result = ((rotated << 3) + rotated) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result / 4294967296;
  };
}

/** A uniform integer in [0, n), n < 2^31 (`| 0` rather than Math.floor: see above). */
export function randomIndex(random: Random, n: number): number {
  return (random() * n) | 0;
}

/** A standard normal deviate (Box–Muller). */
export function randomNormal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
