/**
 * The bit pattern of the covert-channel task (contracts/task.ts): what the
 * sender of frame `frame` transmits, which receivers and the analysis must
 * know in advance. Balanced (exactly floor(bits / 2) ones), so a receiver can
 * decode without calibrating: the slots it saw most contended are the ones.
 * Identical in the Node probe, the Python probe (curtain_probe/covert.py) and
 * the analysis: a shuffle driven by a 32-bit xorshift seeded from the task's
 * seed and the frame. No zod here: the probe bundle imports it.
 */
export function covertPattern(seed: number, frame: number, bits: number): number[] {
  const pattern: number[] = Array.from({ length: bits }, (_, i) => (i < Math.floor(bits / 2) ? 1 : 0));
  let x = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(frame + 1, 0x85ebca6b)) >>> 0 || 1;
  for (let i = bits - 1; i > 0; i--) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    [pattern[i], pattern[j]] = [pattern[j]!, pattern[i]!];
  }
  return pattern;
}

/** A decoded frame as the probe reports it: one character per bit, '0'/'1', or '-' for a frame it sent or could not hear. */
export function patternText(bits: readonly number[]): string {
  return bits.map(String).join('');
}
