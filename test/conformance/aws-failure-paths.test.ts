/**
 * Defect 6 of issue 10: every failure path of the state machine reaches the
 * driver's finish-run, whatever the shape of the error (with or without a
 * Cause, JSON causes, characters intrinsic functions treat specially). The
 * machines run in aws-local-stepfunctions with each Task failing in turn; the
 * checker (aws/state-machines.ts) knows nothing of the compiler's layout, so
 * it holds any generated definition to the rule. The catalog's synthesized
 * templates go through the same checker in aws.conformance.test.ts.
 */
import { compilePlan } from '../../stacks/aws/asl/compile-plan';
import { mixedDefinition } from '../stacks/aws/definitions';
import { catalogPlan, definitionPlan } from '../stacks/aws/fixtures';
import { checkFailurePaths, ERROR_SHAPES, runWithFailure, taskStates, type DeployedStateMachine } from './aws/state-machines';
import { describeFindings } from './support/findings';

const machineOf = (plan: ReturnType<typeof catalogPlan>): DeployedStateMachine => {
  const definition = compilePlan(plan, { driver: 'curtain-driver', functions: Object.fromEntries(plan.functions.map((f) => [f.key, `curtain-${f.name}`])) }) as unknown as Record<string, unknown>;
  return { artifact: `${plan.study.id} (compiled)`, definition, bytes: JSON.stringify(definition).length };
};

test('an error without a Cause at a burst still closes the run with finish-run(failed)', async () => {
  const machine = machineOf(definitionPlan(mixedDefinition()));
  const burst = taskStates(machine.definition).find((t) => /burst/.test(t.name))!;
  const run = await runWithFailure(machine.definition, burst.name, ERROR_SHAPES.find((s) => s.cause === undefined)!);
  expect(run.failed).toBe(true);
  expect(run.finishRunStatuses).toEqual(['failed']);
});

test.each([
  ['a user study with every kind of step', () => definitionPlan(mixedDefinition())],
  ['update-consistency', () => catalogPlan('update-consistency')],
  ['scalability (multi-shard bursts)', () => catalogPlan('scalability', { maxConcurrency: 20, step: 10 })],
])('%s: every Task failing with every error shape reaches finish-run(failed)', async (_name, makePlan) => {
  const machine = machineOf(makePlan());
  const { findings, runs } = await checkFailurePaths(machine);
  expect(runs).toBeGreaterThanOrEqual(taskStates(machine.definition).length * ERROR_SHAPES.length - ERROR_SHAPES.length);
  expect(describeFindings(findings)).toEqual([]);
});
