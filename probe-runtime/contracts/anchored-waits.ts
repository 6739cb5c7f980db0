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
  return Object.fromEntries(anchored.map((w) => [anchorKey(w.index), new Date(Math.round(runStartedAtMs + w.untilSeconds * 1000)).toISOString()]));
}
