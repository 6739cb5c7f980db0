/**
 * How a run is split into segments: consecutive stretches of the plan's steps,
 * each run by one execution of the cloud orchestrator, which hands over to a
 * fresh execution at the next segment's first step (continue as new). A
 * segment stays within the engine's per-execution limits (history events or
 * executed steps, duration), counted with each step's upper bound, so an
 * execution never reaches a limit however its steps go; a study is refused
 * only when a single step cannot fit one execution.
 *
 * Generic over the engine: each target supplies its cost model (what a step
 * costs in its units and seconds, what every execution spends besides its
 * steps) and its limits (experiments/orchestration-limits.ts). The result is
 * staged beside the driver (deployment.json `orchestration.handOverAt`), which
 * tells the orchestrator when to hand over (probe-runtime/contracts/step-directive.ts).
 */
import { describeLimit, type DocumentedLimit } from '../experiments/capabilities';
import { TargetRefusedError } from './target-errors';

/** What one item of the walk (a plan step, or a reset before the first step at a negative index) costs one execution. */
export interface StepCost {
  /** The item's index: plan step index, negative for what comes before step 0 (resets). */
  readonly index: number;
  /** The item's id, for messages. */
  readonly id: string;
  /** Engine units (history events, executed workflow steps) at most: what the limit is checked against. */
  readonly units: number;
  /** Engine units of a typical run (no retries), for display. */
  readonly typicalUnits: number;
  /** The longest the item can legitimately take, seconds. */
  readonly boundSeconds: number;
  /** The plan's expected seconds for the item. */
  readonly expectedSeconds: number;
  /** Reasons this item cannot run in any execution of the engine (e.g. its description exceeds the state size limit). */
  readonly problems?: readonly string[];
}

export interface SegmentationBudget {
  /** The engine, e.g. "AWS Step Functions". */
  readonly engine: string;
  /** What one execution may hold, in the cost model's units. */
  readonly units: DocumentedLimit;
  /** How long one execution may run, when the engine limits it. */
  readonly seconds?: DocumentedLimit;
  /**
   * Fraction of each limit a segment is planned to use. The cost model counts
   * documented events per state; the rest of the limit is room for what it may
   * not know (e.g. events the engine adds in a later version).
   */
  readonly headroom: number;
  /** What every execution spends besides its items: starting or resuming, finishing or handing over, the failure path. */
  readonly fixed: { readonly units: number; readonly typicalUnits: number; readonly boundSeconds: number };
}

export interface SegmentationOptions {
  /**
   * Hand over after at most this many plan steps per execution, when fewer
   * than the limits allow (tests force small segments to exercise hand-overs).
   */
  readonly maxStepsPerSegment?: number;
}

export interface Segment {
  /** Index of the first item (negative when the segment starts with resets) and of the last plan step. */
  readonly first: number;
  readonly last: number;
  /** Plan steps in the segment. */
  readonly steps: number;
  /** Engine units at most, the execution's fixed part included, and typically. */
  readonly units: number;
  readonly typicalUnits: number;
  /** Longest legitimate duration of the execution, seconds, and the plan's expectation. */
  readonly boundSeconds: number;
  readonly expectedSeconds: number;
}

export interface LimitUse {
  readonly limit: DocumentedLimit;
  readonly used: number;
  readonly fraction: number;
}

export interface Segmentation {
  readonly engine: string;
  /** The unit of `units` (the units limit's unit). */
  readonly unit: string;
  /** What one execution may hold and how long it may run. */
  readonly limits: { readonly units: DocumentedLimit; readonly seconds?: DocumentedLimit };
  readonly segments: readonly Segment[];
  /** Plan step index where each execution after the first starts, ascending (deployment.json `orchestration.handOverAt`). */
  readonly handOverAt: readonly number[];
  /** The limit some segment comes closest to, and how close. */
  readonly nearest: LimitUse;
}

/** A study that cannot run on an engine because one step does not fit one execution. */
export class StepTooLargeError extends TargetRefusedError {
  override name = 'StepTooLargeError';
}

/**
 * Greedy segmentation: items go into the current segment while it stays within
 * every limit (times the headroom) and the step cap; otherwise a new segment
 * starts at the item. Hand-overs happen only at plan steps (index ≥ 1), so what
 * comes before step 0 always runs in the first execution with step 0.
 */
export function segmentSteps(study: string, items: readonly StepCost[], budget: SegmentationBudget, options: SegmentationOptions = {}): Segmentation {
  if (items.length === 0) throw new Error(`segmentSteps: ${study} has nothing to run`);
  const unitCap = Math.floor(budget.units.value * budget.headroom);
  const secondsCap = budget.seconds ? Math.floor(budget.seconds.value * budget.headroom) : Number.POSITIVE_INFINITY;
  const maxSteps = options.maxStepsPerSegment ?? Number.POSITIVE_INFINITY;
  if (!(maxSteps >= 1)) throw new Error(`segmentSteps: maxStepsPerSegment must be at least 1, not ${maxSteps}`);

  const problems: string[] = [];
  for (const item of items) {
    for (const p of item.problems ?? []) problems.push(`step ${item.id}: ${p}`);
    if (budget.fixed.units + item.units > unitCap) {
      problems.push(`step ${item.id} may take ${item.units.toLocaleString('en-US')} ${budget.units.unit} alone, more than one execution may hold (${describeLimit(budget.units)}, planned up to ${Math.round(budget.headroom * 100)} %)`);
    }
    if (budget.seconds && budget.fixed.boundSeconds + item.boundSeconds > secondsCap) {
      problems.push(`step ${item.id} may take ${Math.ceil(item.boundSeconds)} s alone, longer than one execution may run (${describeLimit(budget.seconds)})`);
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    throw new StepTooLargeError(`study ${study} cannot run on ${budget.engine}: ${shown}`);
  }

  const segments: Segment[] = [];
  const open = (first: number) => ({ first, last: first, steps: 0, units: budget.fixed.units, typicalUnits: budget.fixed.typicalUnits, boundSeconds: budget.fixed.boundSeconds, expectedSeconds: 0 });
  let current = open(items[0]!.index);
  for (const item of items) {
    const isStep = item.index >= 0;
    const fits =
      current.units + item.units <= unitCap && current.boundSeconds + item.boundSeconds <= secondsCap && (!isStep || current.steps < maxSteps);
    if (!fits && isStep && item.index >= 1 && current.steps > 0) {
      segments.push(current);
      current = open(item.index);
    }
    current.units += item.units;
    current.typicalUnits += item.typicalUnits;
    current.boundSeconds += item.boundSeconds;
    current.expectedSeconds += item.expectedSeconds;
    current.last = item.index;
    if (isStep) current.steps += 1;
  }
  segments.push(current);

  const uses: LimitUse[] = [];
  for (const s of segments) {
    uses.push({ limit: budget.units, used: s.units, fraction: s.units / budget.units.value });
    if (budget.seconds) uses.push({ limit: budget.seconds, used: s.boundSeconds, fraction: s.boundSeconds / budget.seconds.value });
  }
  const nearest = uses.reduce((a, b) => (b.fraction > a.fraction ? b : a));
  return {
    engine: budget.engine,
    unit: budget.units.unit,
    limits: { units: budget.units, ...(budget.seconds ? { seconds: budget.seconds } : {}) },
    segments,
    handOverAt: segments.slice(1).map((s) => s.first),
    nearest,
  };
}

/** "3 executions of at most 812 steps (24,100 history events); nearest limit: ... 96 %". */
export function describeSegmentation(s: Segmentation): string {
  const n = s.segments.length;
  const maxSteps = Math.max(...s.segments.map((x) => x.steps));
  const maxUnits = Math.max(...s.segments.map((x) => x.units));
  const head = n === 1 ? `1 execution (${maxSteps} steps, at most ${maxUnits.toLocaleString('en-US')} ${s.unit})` : `${n} executions of at most ${maxSteps} steps (${maxUnits.toLocaleString('en-US')} ${s.unit})`;
  return `${head}; nearest limit: ${s.nearest.limit.what} ${Math.round(s.nearest.fraction * 100)} %`;
}
