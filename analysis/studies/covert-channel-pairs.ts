/**
 * The covert channel of the isolation study (probe task `covert-channel`):
 * every (sender, receiver) pair of a channel burst, set beside the
 * fingerprints' verdict. The paper confirmed co-residency this way.
 *
 * The channel's verdict on a pair is a permutation test: the receiver reports
 * the fraction of each slot its own writes were held up; the statistic is how
 * much more it was held up in the slots where the sender's pattern has a 1 than
 * in the others (`contrast`), and a receiver that shares nothing with the
 * sender is held up alike whatever the labels, so the p-value is the share of
 * balanced relabellings of the slots that do at least as well (all of them up
 * to 20 bits, else a seeded random sample). A pair is *heard* when p < 0.1 %. The bit error rate is the receiver's own blind decode
 * (its most held-up half of the slots) against the pattern: what a receiver
 * that does not know the pattern gets, the figure channels are usually given by.
 *
 * Kept per channel record (its frames' fractions), which the plan bounds: a
 * channel burst has as many records as requests.
 */
import { covertPattern } from '../../probe-runtime/contracts/covert-pattern';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import type { InstanceInfo } from '../hosts/instance-table';
import type { HostInference } from '../hosts/infer-hosts';
import { createRandom, randomIndex } from '../stats/random';
import { numericValue } from './task-values';

export const CHANNEL_LABEL = 'channel';
/**
 * A pair is heard when random labels of its slots would do as well with probability below this: a
 * run tests hundreds of pairs, so 1 % would call a few strangers co-resident in every run.
 */
export const CHANCE_LEVEL = 0.001;
/** Up to this many balanced labellings the p-value is exact (16 bits: 12,870); beyond, this many random ones. */
const EXACT_LIMIT = 200_000;
const PERMUTATIONS = 20_000;

interface ChannelRecord {
  step: number;
  request: number;
  instance: InstanceInfo;
  frames: number;
  bits: number;
  seed: number;
  decoded: string[];
  /** Per frame: the fraction of each slot the receiver was held up; null for a frame it sent or missed. */
  heldUp: (number[] | null)[];
}

/** One sender → receiver pair of one channel burst. */
export interface ChannelPair {
  step: number;
  frame: number;
  sender: InstanceInfo;
  receiver: InstanceInfo;
  bits: number;
  /** Bit errors of the receiver's blind decode. */
  errors: number;
  /** How much more of the pattern's 1-slots than of its 0-slots the receiver was held up (fraction of a slot). */
  contrast: number;
  /** Share of random balanced relabellings of the slots with a contrast at least as large. */
  pValue: number;
  heard: boolean;
  /** Whether host inference put both on one host; null when either has no inferred host. */
  sameHost: boolean | null;
}

export class ChannelPairs {
  private readonly records: ChannelRecord[] = [];

  add(record: InvocationRecord, instance: InstanceInfo | null): void {
    const task = record.response?.task;
    if (record.label !== CHANNEL_LABEL || !instance || !task || task.name !== 'covert-channel' || !task.ok) return;
    const frames = numericValue(task.values, 'framesRun');
    const bits = numericValue(task.values, 'bits');
    const seed = numericValue(task.values, 'seed');
    const { decoded, heldUp } = task.values;
    if (frames === null || bits === null || seed === null || typeof decoded !== 'string' || typeof heldUp !== 'string') return;
    this.records.push({
      step: record.step,
      request: record.request,
      instance,
      frames,
      bits,
      seed,
      decoded: decoded.split('.'),
      heldUp: heldUp.split('.').map((frame) => {
        const values = frame === '' ? [] : frame.split(',').map((v) => Number(v) / 100);
        return values.length === bits && values.every(Number.isFinite) ? values : null;
      }),
    });
  }

  get size(): number {
    return this.records.length;
  }

  /** Every decodable pair: the sender of frame f is the instance that answered request f of the same burst. */
  pairs(hosts: HostInference): ChannelPair[] {
    const senders = new Map<string, InstanceInfo>();
    for (const r of this.records) if (r.request < r.frames) senders.set(`${r.step}/${r.request}`, r.instance);
    const pairs: ChannelPair[] = [];
    for (const r of this.records) {
      r.heldUp.forEach((heldUp, frame) => {
        const sender = senders.get(`${r.step}/${frame}`);
        const text = r.decoded[frame] ?? '';
        if (!heldUp || !sender || sender.id === r.instance.id || text.length !== r.bits) return;
        const pattern = covertPattern(r.seed, frame, r.bits);
        const { contrast, pValue } = permutationTest(heldUp, pattern, `${r.step}/${frame}/${r.instance.id}`);
        const a = hosts.hostOf.get(sender.id);
        const b = hosts.hostOf.get(r.instance.id);
        pairs.push({
          step: r.step,
          frame,
          sender,
          receiver: r.instance,
          bits: r.bits,
          errors: [...text].filter((c, i) => Number(c) !== pattern[i]).length,
          contrast,
          pValue,
          heard: pValue < CHANCE_LEVEL,
          sameHost: a && b ? a.id === b.id : null,
        });
      });
    }
    return pairs;
  }
}

/**
 * Contrast of the held-up fractions between the pattern's 1-slots and 0-slots, and its p-value under
 * random balanced labels: exact over every labelling when there are few, else from a seeded random
 * sample (seeded by the pair, so a report is reproducible).
 */
export function permutationTest(heldUp: readonly number[], pattern: readonly number[], seedText: string): { contrast: number; pValue: number } {
  const n = heldUp.length;
  const ones = pattern.filter((b) => b === 1).length;
  const total = heldUp.reduce((a, b) => a + b, 0);
  // The contrast is a function of the 1-slots' sum alone: compare sums.
  const contrastOf = (onesSum: number) => onesSum / Math.max(1, ones) - (total - onesSum) / Math.max(1, n - ones);
  const observedSum = heldUp.reduce((acc, h, i) => acc + (pattern[i] === 1 ? h : 0), 0);
  const atLeast = observedSum - 1e-9;
  if (binomial(n, ones) <= EXACT_LIMIT) {
    let asGood = 0;
    let count = 0;
    for (const sum of subsetSums(heldUp, ones)) {
      count += 1;
      if (sum >= atLeast) asGood += 1;
    }
    return { contrast: contrastOf(observedSum), pValue: asGood / count };
  }
  let seed = 0;
  for (const c of seedText) seed = (Math.imul(seed, 31) + c.charCodeAt(0)) >>> 0;
  const random = createRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  let asGood = 0;
  for (let k = 0; k < PERMUTATIONS; k++) {
    // A random k-subset: the first `ones` places of a partial Fisher–Yates shuffle.
    let sum = 0;
    for (let i = 0; i < ones; i++) {
      const j = i + randomIndex(random, n - i);
      [order[i], order[j]] = [order[j]!, order[i]!];
      sum += heldUp[order[i]!]!;
    }
    if (sum >= atLeast) asGood += 1;
  }
  return { contrast: contrastOf(observedSum), pValue: (asGood + 1) / (PERMUTATIONS + 1) };
}

/** The sum of every k-subset of `values`. */
function* subsetSums(values: readonly number[], k: number, from = 0, sum = 0): Generator<number> {
  if (k === 0) {
    yield sum;
    return;
  }
  for (let i = from; i <= values.length - k; i++) yield* subsetSums(values, k - 1, i + 1, sum + values[i]!);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
