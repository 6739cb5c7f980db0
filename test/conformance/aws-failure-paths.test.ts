/**
 * Defect 6 of issue 10: every failure path of the state machine reaches the
 * driver's finish-run, whatever the shape of the error (with or without a
 * Cause, JSON causes, characters intrinsic functions treat specially). The
 * machines run in aws-local-stepfunctions with each Task failing in turn; the
 * checker (aws/state-machines.ts) knows nothing of the compiler's layout, so
 * it holds any generated definition to the rule. The catalog's synthesized
 * templates go through the same checker in aws.conformance.test.ts.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import { prepareStudy } from '../../stacks/aws/prepare-study';
import { mixedDefinition } from '../stacks/aws/definitions';
import { catalogPlan, definitionPlan } from '../stacks/aws/fixtures';
import { recordingDriver } from '../targets/recording-driver';
import { checkFailurePaths, type DriverFactory, ERROR_SHAPES, runWithFailure, taskStates, type DeployedStateMachine } from './aws/state-machines';
import { describeFindings } from './support/findings';

/** The study's state machine, and its driver (the driver's own checks and describe-step) for every run. */
const machineOf = (plan: StudyPlan, options: { maxStepsPerSegment?: number } = {}): { machine: DeployedStateMachine; driver: DriverFactory } => {
  const prepared = prepareStudy(plan, options);
  const definition = prepared.definition as unknown as Record<string, unknown>;
  const driver: DriverFactory = () => {
    const d = recordingDriver(plan, prepared.deployment.orchestration, {}, prepared.deployment.targets);
    return (payload) => d.handle(payload);
  };
  return { machine: { artifact: `${plan.study.id} (compiled)`, definition, bytes: JSON.stringify(definition).length }, driver };
};

test('an error without a Cause at a burst still closes the run with finish-run(failed)', async () => {
  const { machine, driver } = machineOf(definitionPlan(mixedDefinition()));
  const burst = taskStates(machine.definition).find((t) => /Burst/.test(t.name))!;
  const run = await runWithFailure(machine.definition, burst.name, ERROR_SHAPES.find((s) => s.cause === undefined)!, driver);
  expect(run.failed).toBe(true);
  expect(run.finishRunStatuses).toEqual(['failed']);
});

test.each([
  ['a user study with every kind of step', () => machineOf(definitionPlan(mixedDefinition()))],
  ['update-consistency', () => machineOf(catalogPlan('update-consistency'))],
  ['scalability (multi-shard bursts)', () => machineOf(catalogPlan('scalability', { maxConcurrency: 20, step: 10 }))],
  ['update-consistency in executions of 7 steps (the hand-over fails too)', () => machineOf(catalogPlan('update-consistency'), { maxStepsPerSegment: 7 })],
])('%s: every Task failing with every error shape reaches finish-run(failed)', async (_name, make) => {
  const { machine, driver } = make();
  const { findings, runs } = await checkFailurePaths(machine, Number.POSITIVE_INFINITY, driver);
  expect(runs).toBeGreaterThanOrEqual(taskStates(machine.definition).length * ERROR_SHAPES.length - ERROR_SHAPES.length);
  expect(describeFindings(findings)).toEqual([]);
});
