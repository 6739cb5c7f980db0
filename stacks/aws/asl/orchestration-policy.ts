/**
 * How the AWS orchestrator retries, polls and times out, and the upper bounds
 * that follow from it. The compiler (compile-plan.ts) emits these values and
 * the limit checks (limits.ts) count with the same ones, so the two cannot
 * drift apart.
 */
import { CLOUD_LIMITS, ORCHESTRATION_LIMITS } from '../../../experiments/capabilities';
import { type BurstStep, burstSendSpanMs, type StudyPlan } from '../../../experiments/plan-schema';
import { burstReserveMs } from '../../../probe-runtime/driver/host';
import type { Retrier } from './asl-types';

/** Lambda's maximum function timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = CLOUD_LIMITS.aws.lambdaTimeoutSeconds.value;

/** Driver start-up and the S3 write of a shard, on top of the requests themselves. */
export const DRIVER_OVERHEAD_SECONDS = 30;

/** The driver's timeout is never below this, so start-run and finish-run have room. */
export const DRIVER_MIN_TIMEOUT_SECONDS = 60;

/**
 * Retry of a driver invocation that Lambda rejected before it ran (throttling).
 * Only rejections are retried for bursts: a driver that ran and failed may have
 * sent requests, and sending them again would exceed the plan's attempt budget.
 */
export const DRIVER_THROTTLE_RETRY: Retrier = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
};

/**
 * start-run and finish-run only write run.json and plan.json under fixed keys,
 * so they are safe to repeat after transient Lambda service errors too.
 */
export const DRIVER_CONTROL_RETRY: Retrier = {
  ErrorEquals: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
};

/** updateFunctionConfiguration refuses while an earlier update is still in progress (ResourceConflictException). */
export const UPDATE_RETRY: Retrier = {
  ErrorEquals: ['Lambda.ResourceConflictException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 5,
  BackoffRate: 2,
};

export const POLL_RETRY: Retrier = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 2,
  BackoffRate: 2,
};

/**
 * After an update, the orchestrator polls getFunctionConfiguration until
 * LastUpdateStatus is Successful, waiting 1, 2, 4, ... seconds between polls
 * (quick updates are seen quickly, slow ones cost few history events), and
 * fails the step after `maxPolls` polls (1 + 2 + ... + 64 = 127 s of waiting).
 */
export const UPDATE_POLL = { firstWaitSeconds: 1, maxPolls: 7 } as const;

/**
 * Starting the next execution at a segment boundary. StartExecution of a
 * Standard workflow is idempotent for the same name and input while the
 * execution runs, and refused (ExecutionAlreadyExists) for another input, so a
 * retried hand-over never starts the next segment twice.
 */
export const HANDOVER_RETRY: Retrier = {
  ErrorEquals: ['StepFunctions.SfnException', 'StepFunctions.SdkClientException', 'StepFunctions.ExecutionLimitExceededException'],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
};

/** Bound on one AWS SDK call (update / get configuration / start the next execution). */
export const SDK_CALL_TIMEOUT_SECONDS = 20;

/** Step Functions quotas (Standard workflows), from the capability table. */
export const STEP_FUNCTIONS_LIMITS = {
  definitionBytes: ORCHESTRATION_LIMITS.aws.definitionBytes.value,
  historyEvents: ORCHESTRATION_LIMITS.aws.historyEvents.value,
  maxExecutionSeconds: ORCHESTRATION_LIMITS.aws.executionSeconds.value,
  payloadBytes: ORCHESTRATION_LIMITS.aws.payloadBytes.value,
} as const;

/**
 * Fraction of the history-event and duration limits one execution is planned
 * to use: the event model (bounds.ts) counts the events Step Functions
 * documents per state; the rest is room for events it does not know of.
 */
export const SEGMENT_HEADROOM = 0.9;

/** A plan is reported as close to a limit above this fraction of it. */
export const CLOSE_TO_LIMIT = 0.5;

/** Total wait of a retrier that exhausts its attempts. */
export function retryWaitSeconds(r: Retrier): number {
  let total = 0;
  for (let i = 0; i < r.MaxAttempts; i++) total += r.IntervalSeconds * r.BackoffRate ** i;
  return total;
}

export function pollWaitSeconds(): number {
  let total = 0;
  for (let i = 0; i < UPDATE_POLL.maxPolls; i++) total += UPDATE_POLL.firstWaitSeconds * 2 ** i;
  return total;
}

/**
 * The longest one driver shard of a burst can take: its barrier, waves of
 * requests where every attempt runs to its timeout, and the driver's own
 * overhead. The driver stops sending when Lambda's remaining time falls to its
 * reserve (the plan's longest per-attempt timeout + the shard write,
 * burstReserveMs), so the last wave is given at least that reserve: with this
 * timeout a shard is never cut short by the driver's own deadline rule.
 */
export function burstShardBoundSeconds(step: BurstStep, reserveMs: number): number {
  const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
  const attemptMs = step.timeoutMs * (1 + step.retries);
  // Open-loop steps first wait for their last planned send (burstSendSpanMs; 0 for the others).
  return (step.barrierMs + burstSendSpanMs(step) + (waves - 1) * attemptMs + Math.max(attemptMs, reserveMs)) / 1000 + DRIVER_OVERHEAD_SECONDS;
}

/** The driver's Lambda timeout: room for the slowest shard of the plan. Callers check it against Lambda's maximum. */
export function driverTimeoutSeconds(plan: StudyPlan): number {
  const reserve = burstReserveMs(plan);
  const slowest = Math.max(0, ...plan.steps.map((s) => (s.kind === 'burst' ? burstShardBoundSeconds(s, reserve) : 0)));
  return Math.max(DRIVER_MIN_TIMEOUT_SECONDS, Math.ceil(slowest));
}

/** The driver's Lambda timeout needed by the plan exceeds Lambda's maximum: the bursts that cause it. */
export function driverTimeoutProblems(plan: StudyPlan): string[] {
  const problems: string[] = [];
  const reserve = burstReserveMs(plan);
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    const bound = burstShardBoundSeconds(step, reserve);
    if (bound > LAMBDA_MAX_TIMEOUT_SECONDS) {
      problems.push(
        `step ${step.id}: one driver shard may run ${Math.ceil(bound)} s (barrier ${step.barrierMs} ms + sends spread over ${burstSendSpanMs(step)} ms + ${Math.ceil(step.requestsPerShard / step.shardConcurrency)} wave(s) × ${step.timeoutMs} ms × ${1 + step.retries} attempt(s)), over Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s limit`,
      );
    }
  }
  return problems;
}
