/**
 * Waits anchored to the run's start (plan wait steps with `untilSeconds`): each
 * ends at run start + untilSeconds, or at once when that time has passed, so a
 * periodic schedule does not drift by the durations of the steps between waits.
 *
 * The run's start is the `startedAt` the driver's start-run writes into run.json
 * (kept when an orchestrator retries start-run). The driver answers start-run
 * with every anchored wait's end as an ISO timestamp under `waitUntil`, keyed by
 * `anchorKey(step index)`: orchestrators that cannot compute times (Step
 * Functions' JSONPath has no date arithmetic) wait for those timestamps as given,
 * so every target ends each anchored wait at the same instant.
 */

/**
 * The fields of a plan step (experiments/plan-schema.ts, PlanStep) read here, stated structurally: the
 * contracts are the bottom layer and import nothing of the planner (.dependency-cruiser.cjs).
 */
interface StepLike {
  index: number;
  kind: string;
  untilSeconds?: number;
}

/** Key of an anchored wait in start-run's `waitUntil` (usable in JSONPath and Workflows expressions). */
export function anchorKey(stepIndex: number): string {
  return `w${stepIndex}`;
}

export function isAnchoredWait<S extends StepLike>(step: S): step is S & { kind: 'wait'; untilSeconds: number } {
  return step.kind === 'wait' && step.untilSeconds !== undefined;
}

/** Each anchored wait's end (ISO 8601, ms precision) for a run that started at `runStartedAtMs`; null when the plan has none. */
export function anchoredWaitTimes(plan: { steps: readonly StepLike[] }, runStartedAtMs: number): Record<string, string> | null {
  const anchored = plan.steps.filter(isAnchoredWait);
  if (anchored.length === 0) return null;
  return Object.fromEntries(anchored.map((w) => [anchorKey(w.index), anchorInstant(runStartedAtMs, w.untilSeconds)]));
}

/** The end of a wait anchored `untilSeconds` after a run's start (epoch ms or ISO 8601): ISO 8601, UTC, ms precision. */
export function anchorInstant(runStartedAt: number | string, untilSeconds: number): string {
  const start = typeof runStartedAt === 'number' ? runStartedAt : Date.parse(runStartedAt);
  if (!Number.isFinite(start)) throw new Error(`the run's start "${runStartedAt}" is not a time`);
  return new Date(Math.round(start + untilSeconds * 1000)).toISOString();
}

/**
 * The longest each anchored wait can last, seconds, by plan step index: until its anchor from the
 * latest anchor before it (the run has passed that one when the wait begins), however fast the steps
 * between ran; its planned `seconds` assume they took their expected time. An execution's time bound
 * counts this (targets/segmentation.ts), never the planned seconds.
 */
export function anchoredWaitBounds(plan: { steps: readonly StepLike[] }): Map<number, number> {
  const bounds = new Map<number, number>();
  let passed = 0;
  for (const step of plan.steps) {
    if (!isAnchoredWait(step)) continue;
    bounds.set(step.index, Math.max(0, step.untilSeconds - passed));
    passed = Math.max(passed, step.untilSeconds);
  }
  return bounds;
}
