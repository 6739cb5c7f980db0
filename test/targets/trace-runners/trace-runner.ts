/** What a target's trace runner does for the shared orchestrator conformance check. */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { CompiledOrchestrator } from '../../../targets/provider-target';
import type { RawAction } from '../orchestrator-trace';

export interface TraceRunner {
  /**
   * Runs the target's compiled orchestrator for a plan (run id TRACE_RUN) with
   * the driver and the platform's update API faked, and returns what it asked
   * for, in the order it asked.
   */
  run(plan: StudyPlan, compiled: CompiledOrchestrator): Promise<RawAction[]>;
  /** What a planned wait becomes on this engine (e.g. whole seconds), when not exactly the plan's seconds. */
  waitSeconds?(planned: number): number;
  /** What an anchored wait's instant (ISO 8601) becomes on this engine (e.g. the whole second at or after it), when not exact. */
  waitUntil?(anchor: string): string;
}
