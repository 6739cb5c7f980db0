/**
 * Names and shapes shared by the Azure driver's Durable orchestrator, its
 * activities, its HTTP starter and `curtain start --provider azure`.
 */
import { z } from 'zod';
import { ConfigChange } from '../../../experiments/schema';
import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../../contracts/bucket-layout';

export const ORCHESTRATOR_NAME = 'curtainRun';
export const ACTIVITY = {
  /** Runs one DriverEvent (start-run, a burst shard, finish-run) through the driver core. */
  driverEvent: 'curtainDriverEvent',
  /** Applies one update step to a probe Function App through ARM. */
  update: 'curtainUpdate',
} as const;

/** The HTTP starter: POST https://<driver app>/api/runs (function key) with StartRequest → 202 + status URLs. */
export const STARTER_ROUTE = 'runs';

/**
 * What starts a run; the run id doubles as the Durable instance id, so starting one twice is refused.
 * `templateHash`, where the starter knows what was deployed (the twin: the synthesized cdk.tf.json), is
 * handed to start-run, which records it in run.json, as the AWS and Google executions' input is.
 */
export const RunInput = z.strictObject({
  run: z.string().regex(RUN_ID_PATTERN, `expected a run id such as ${RUN_ID_EXAMPLE}`),
  templateHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in hex').optional(),
});
export type RunInput = z.output<typeof RunInput>;

export const RunFailure = z.strictObject({ step: z.number().int().min(-1), shard: z.number().int().nullable(), message: z.string() });
export type RunFailure = z.output<typeof RunFailure>;

/**
 * The orchestration's input: a new run, or a run continued as new at a segment
 * boundary (continueAsNew keeps the instance id, i.e. the run id) with where
 * it is and what it has recorded.
 */
export const OrchestrationInput = RunInput.extend({
  carried: z
    .strictObject({
      next: z.number().int().min(1),
      segment: z.number().int().min(1),
      stepsCompleted: z.number().int().min(0),
      failures: z.array(RunFailure),
      /** The run's start (run.json startedAt, from start-run): waits anchored to it end at startedAt + untilSeconds in every execution. */
      startedAt: z.iso.datetime().optional(),
    })
    .optional(),
});
export type OrchestrationInput = z.output<typeof OrchestrationInput>;

export const UpdateRequest = z.strictObject({
  study: z.string(),
  step: z.number().int().min(0),
  /** Plan function key. */
  function: z.string().min(1),
  change: ConfigChange,
  generation: z.string().min(1),
});
export type UpdateRequest = z.output<typeof UpdateRequest>;

/** Activities return failures as values so the orchestrator can attribute them to a shard. */
export type ActivityOutcome = { ok: true; result: unknown } | { ok: false; message: string };

export interface RunOutcome {
  run: string;
  /** `handed-over`: this execution ended at a segment boundary; the same instance continues as new. */
  status: 'completed' | 'failed' | 'handed-over';
  stepsCompleted: number;
  failures: RunFailure[];
}
