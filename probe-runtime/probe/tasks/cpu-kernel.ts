/**
 * One unit of CPU work, used by the cpu-work and background tasks: 100,000
 * rounds of a 32-bit xorshift, chained from the previous unit's result. The
 * Python probe runs the identical kernel, so for the same number of units both
 * report the same checksum (a test checks it), and `msPerUnit` compares the
 * runtimes' speed on the same work. Here a unit takes ~0.17 ms on one core of
 * a 2026 server in Node and ~27 ms in CPython.
 */
export const UNIT_ROUNDS = 100_000;

export function workUnit(seed: number): number {
  let x = seed | 0 || 1;
  for (let i = 0; i < UNIT_ROUNDS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}
