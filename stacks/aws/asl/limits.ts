/**
 * Step Functions quotas checked at synth time. The definition (constant in
 * the plan's length, compile-plan.ts) must stay under 1 MB; each execution
 * stays under 25,000 history events and one year by construction, since the
 * run is split into executions that do (bounds.ts). A study is refused only
 * when a single step cannot fit one execution (segmentation throws), or the
 * definition cannot fit; a limit used above half is reported as close.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { Segmentation } from '../../../targets/segmentation';
import type { StateMachineDefinition } from './asl-types';
import { CLOUD_LIMITS, type DocumentedLimit } from '../../../experiments/capabilities';
import { CLOSE_TO_LIMIT } from './orchestration-policy';

export interface StepFunctionsUsage {
  study: string;
  states: number;
  /** Size of the deployed definition (compact JSON, placeholders as 12-digit account ids). */
  definitionBytes: number;
  /** How the run is split into executions, with each one's history events and duration. */
  segmentation: Segmentation;
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

export function definitionBytes(definition: StateMachineDefinition): number {
  return Buffer.byteLength(JSON.stringify(definition).replace(PLACEHOLDER, '123456789012'), 'utf8');
}

export function stepFunctionsUsage(plan: StudyPlan, definition: StateMachineDefinition, segmentation: Segmentation): StepFunctionsUsage {
  const bytes = definitionBytes(definition);
  const exceeded: string[] = [];
  const close: string[] = [];
  const judge = (what: string, used: number, limit: DocumentedLimit) => {
    const line = `${what}: ${used.toLocaleString('en-US')} of ${limit.value.toLocaleString('en-US')} (${Math.round((100 * used) / limit.value)} %)`;
    // A refusal names where the limit is documented; a note does not need to.
    if (used > limit.value) exceeded.push(`${line}, ${limit.source.title} (${limit.source.url}, checked ${limit.checked})`);
    else if (used > CLOSE_TO_LIMIT * limit.value) close.push(line);
  };
  judge('state machine definition bytes', bytes, CLOUD_LIMITS.aws.stateMachineDefinitionBytes);
  return { study: plan.study.id, states: countStates(definition), definitionBytes: bytes, segmentation, timeoutSeconds: definition.TimeoutSeconds, exceeded, close };
}
