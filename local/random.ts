/** Seeded randomness for the platform: placement, host identities, timers and faults are replayable. */
import { seededRandom } from '../experiments/catalog/common';

export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Uniform in [min, max]. */
  between(range: { min: number; max: number }): number {
    return range.min + (range.max - range.min) * this.next();
  }

  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: no items');
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T extends { weight: number }>(items: readonly T[]): T {
    const total = items.reduce((s, i) => s + i.weight, 0);
    let x = this.next() * total;
    for (const item of items) {
      x -= item.weight;
      if (x < 0) return item;
    }
    return items[items.length - 1]!;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  alnum(length: number): string {
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let out = '';
    while (out.length < length) out += chars[Math.floor(this.next() * chars.length)];
    return out;
  }
}
