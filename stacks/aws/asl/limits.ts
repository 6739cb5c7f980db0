/**
 * Step Functions quotas checked at synth time: the definition must stay under
 * 1 MB and an execution under 25,000 history events, or a deployed study would
 * fail at deploy time or stop half-way through a run. A plan over a limit is
 * refused with the numbers; one over half of a limit is reported as close.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { StateMachineDefinition } from './asl-types';
import { historyEvents, type EventCounts } from './bounds';
import { CLOUD_LIMITS, type DocumentedLimit } from '../../../experiments/capabilities';
import { CLOSE_TO_LIMIT } from './orchestration-policy';

export interface StepFunctionsUsage {
  study: string;
  states: number;
  /** Size of the deployed definition (compact JSON, placeholders as 12-digit account ids). */
  definitionBytes: number;
  events: EventCounts;
  timeoutSeconds: number;
  /** Limits exceeded: the plan cannot be deployed. */
  exceeded: string[];
  /** Limits the plan uses more than half of. */
  close: string[];
}

/** CloudFormation substitution placeholders in the definition stand for account ids. */
const PLACEHOLDER = /\$\{[A-Za-z0-9_]+\}/g;

export function countStates(definition: { States: Record<string, unknown> }): number {
  let n = 0;
  for (const state of Object.values(definition.States)) {
    n += 1;
    const processor = (state as { ItemProcessor?: { States: Record<string, unknown> } }).ItemProcessor;
    if (processor) n += countStates(processor);
  }
  return n;
}

export function stepFunctionsUsage(plan: StudyPlan, definition: StateMachineDefinition, resetFunctions: number): StepFunctionsUsage {
  const definitionBytes = Buffer.byteLength(JSON.stringify(definition).replace(PLACEHOLDER, '123456789012'), 'utf8');
  const events = historyEvents(plan, { resetFunctions });
  const exceeded: string[] = [];
  const close: string[] = [];
  const judge = (what: string, used: number, limit: DocumentedLimit) => {
    const line = `${what}: ${used.toLocaleString('en-US')} of ${limit.value.toLocaleString('en-US')} (${Math.round((100 * used) / limit.value)} %)`;
    // A refusal names where the limit is documented; a note does not need to.
    if (used > limit.value) exceeded.push(`${line}, ${limit.source.title} (${limit.source.url}, checked ${limit.checked})`);
    else if (used > CLOSE_TO_LIMIT * limit.value) close.push(line);
  };
  judge('state machine definition bytes', definitionBytes, CLOUD_LIMITS.aws.stateMachineDefinitionBytes);
  judge('history events of one execution (upper bound)', events.bound, CLOUD_LIMITS.aws.historyEvents);
  return {
    study: plan.study.id,
    states: countStates(definition),
    definitionBytes,
    events,
    timeoutSeconds: definition.TimeoutSeconds,
    exceeded,
    close,
  };
}
