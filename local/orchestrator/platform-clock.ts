/**
 * Scheduling a plan's steps on the platform clock, so that every wait lands on
 * its planned platform time however long the steps around it really take.
 *
 * Why: the platform's timers (idle timeout, lifetime) run on the scaled clock
 * all the time, bursts included. A burst that takes 1.3 s of real time (driver
 * start, a 1 s barrier, the answers) lasts 4.3 platform-minutes at 200×. Slept
 * one after another, waits then drift: in idle-recycling every `after-idle`
 * burst added ~4 platform-minutes to every later gap (1 … 120 min planned,
 * 1.6 … 164 measured). On a cloud the same burst lasts 1.3 s and the gaps are
 * what the plan says.
 *
 * The rule: a wait separates a function's last answers from its next request
 * (or update) by the planned platform time. Each function keeps an anchor, the
 * real time of its last answer (or the start of the walk), and the platform
 * time planned since: the plan's waits, plus the real duration of bursts of
 * other functions in between counted one to one (as a cloud would spend them,
 * unscaled). A step is due when every function it touches has had its planned
 * time since its anchor. Its driver process is started ahead of time (twice
 * its measured start-up: from a calibration before the run, then from starts
 * seen) and waits, loaded, for its event, which is written when the burst is due
 * less the time a loaded driver takes from its event to its first request (the
 * median of the last ones seen): a process start varies by hundreds of ms on a
 * loaded machine (0.34-0.75 s at a load of 15 on two cores), which at 200× is
 * more than a platform-minute; a loaded driver's reaction varies far less.
 *
 * Consequences: gaps measured from a function's last answer (idle recycling,
 * accounting, natural cold starts, lifetime ticks) match the plan whenever the
 * real time the plan leaves is enough for the steps in between; where it is
 * not, the step runs as soon as it can and is late by the shortfall (the
 * default time scale is chosen so that this does not happen: time-scale.ts).
 * A wait anchored to the run start (plan waits with `untilSeconds`) is due at
 * the run's start (run.json `startedAt`) plus its offset in real time, whatever the steps before it took;
 * every function's anchor moves to that instant. An open-loop burst's sends are
 * spread over platform time (its send span, scaled by the driver); other
 * functions count that span as planned platform time, and only the rest of the
 * burst's real duration one to one.
 */
import type { PlanStep } from '../../experiments/plan-schema';

/** The one thing the clock needs of local/time-scale.ts's TimeScale (named here: time-scale.ts simulates walks with this clock). */
export interface PlatformToReal {
  /** Real milliseconds for a platform-time duration. */
  realMs(platformMs: number): number;
}

interface Anchor {
  /** Real epoch ms of the function's last answer (or the walk's start). */
  at: number;
  /** Platform ms the plan puts between the anchor and the function's next step. */
  plannedMs: number;
}

/** What the walker saw of one burst. */
export interface BurstTiming {
  /** Real epoch ms: when its drivers were started. */
  spawnedAt: number;
  /** When their event was written to them (equal to `spawnedAt` when it was not held back). */
  releasedAt: number;
  /** When its first request left (the earliest shard start); null when no driver reported. */
  firstSendAt: number | null;
  /** When its last shard finished (its last answer); the walker's clock when no driver reported. */
  endedAt: number;
  /** Platform ms from its first planned send to its last (open-loop arrivals; 0 or absent when all leave at once). */
  sendSpanMs?: number;
}

/** Recent samples an estimate is the median of. */
const SAMPLES = 5;
/** A driver is started this many times its start-up ahead (but at least this many ms). */
const SPAWN_AHEAD_FACTOR = 2;
const MIN_SPAWN_AHEAD_MS = 300;

export class PlatformClock {
  private readonly anchors = new Map<string, Anchor>();
  /** Spawn → first request of drivers given their event at once (a process start). */
  private readonly startups: number[] = [];
  /** Event → first request of drivers that were waiting for it. */
  private readonly reactions: number[] = [];

  constructor(
    functions: readonly string[],
    private readonly timeScale: PlatformToReal,
    /** Real epoch ms the walk started (the anchor of functions not invoked yet). */
    readonly startedAt: number,
    /** A driver start-up measured before the run, ms (the first estimate of the lead). */
    calibratedLeadMs: number | null = null,
    /** Real epoch ms of the run's start (run.json startedAt), what anchored waits count from; default `startedAt`. */
    readonly runStartedAt: number = startedAt,
  ) {
    for (const f of functions) this.anchors.set(f, { at: startedAt, plannedMs: 0 });
    if (calibratedLeadMs !== null) this.startups.push(calibratedLeadMs);
  }

  /** A wait of the plan: platform time that must pass for every function. */
  wait(seconds: number): void {
    for (const anchor of this.anchors.values()) anchor.plannedMs += seconds * 1000;
  }

  /**
   * A wait anchored to the run's start: the next step is due `untilSeconds` of platform time after
   * `runStartedAt` (at once when that has passed), and the plan's later waits count from there.
   */
  waitUntil(untilSeconds: number): void {
    const at = this.anchoredAt(untilSeconds);
    for (const f of this.anchors.keys()) this.anchors.set(f, { at, plannedMs: 0 });
  }

  /** Real epoch ms of the platform instant `untilSeconds` after the run's start. */
  anchoredAt(untilSeconds: number): number {
    return this.runStartedAt + this.timeScale.realMs(untilSeconds * 1000);
  }

  /** Real epoch ms at which a step touching `functions` is due. */
  dueAt(functions: readonly string[]): number {
    let due = Number.NEGATIVE_INFINITY;
    for (const f of functions) {
      const anchor = this.anchors.get(f);
      if (anchor) due = Math.max(due, anchor.at + this.timeScale.realMs(anchor.plannedMs));
    }
    return Number.isFinite(due) ? due : this.startedAt;
  }

  /** Platform ms the plan puts between the functions' anchors and their next step (the longest). */
  plannedMs(functions: readonly string[]): number {
    return Math.max(0, ...functions.map((f) => this.anchors.get(f)?.plannedMs ?? 0));
  }

  /** When to start the drivers of a burst due at `due`: well before, so they are loaded when it is due. */
  spawnDriverAt(due: number): number {
    return due - Math.max(MIN_SPAWN_AHEAD_MS, SPAWN_AHEAD_FACTOR * median(this.startups));
  }

  /** When to give the waiting drivers their event so that the first request leaves at `due`. */
  releaseDriverAt(due: number): number {
    return due - median(this.reactions);
  }

  /** A burst finished: its targets are anchored at its end; the others count its real duration (from its release: its drivers' start overlapped the wait). */
  burstDone(targets: readonly string[], timing: BurstTiming): void {
    const own = new Set(targets);
    // The send span ran scaled (platform time, as planned); the rest of the burst counts one to one.
    const spanMs = timing.sendSpanMs ?? 0;
    const durationMs = spanMs + Math.max(0, timing.endedAt - timing.releasedAt - this.timeScale.realMs(spanMs));
    for (const [f, anchor] of this.anchors) {
      if (own.has(f)) this.anchors.set(f, { at: timing.endedAt, plannedMs: 0 });
      else anchor.plannedMs += durationMs;
    }
    if (timing.firstSendAt === null) return;
    const held = timing.releasedAt > timing.spawnedAt;
    remember(held ? this.reactions : this.startups, timing.firstSendAt - timing.releasedAt);
  }
}

function remember(samples: number[], value: number): void {
  if (value < 0) return;
  samples.push(value);
  if (samples.length > SAMPLES) samples.shift();
}

/** The median of recent samples; 0 without any. */
function median(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The functions a step acts on (none for a wait). */
export function stepFunctions(step: PlanStep): string[] {
  switch (step.kind) {
    case 'burst':
      return step.targets;
    case 'update':
      return [step.function];
    case 'wait':
      return [];
  }
}
