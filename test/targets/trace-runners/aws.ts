/**
 * Executes the Step Functions definition in aws-local-stepfunctions through
 * test/stacks/aws/asl-harness.ts (the driver's own checks and describe-step,
 * a fake Lambda for updates, Wait states skipped, the next execution started
 * at each hand-over) and turns what the state machine asked for, across its
 * executions, into the provider-neutral trace (orchestrator-trace.ts).
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { StateMachineDefinition } from '../../../stacks/aws/asl/asl-types';
import { runExecutions, type AwsRun } from '../../stacks/aws/asl-harness';
import type { RawAction } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

/**
 * The trace of a run: driver payloads (describe-step left out: it reads the
 * plan), waits, and updates as the change they make (memory when it changes,
 * else the one variable besides CURTAIN_GENERATION that changes, else a
 * refresh). The resets before the first step are not plan steps: each must put
 * its function back to its deployed configuration, and leaves no trace.
 */
export function aslTrace(plan: StudyPlan, run: AwsRun): RawAction[] {
  const keyOf = (target: string) => target.replace(/^fn-/, '');
  const deployed = new Map(plan.functions.map((f) => [f.key, { env: f.env, memoryMb: f.memoryMb }]));
  const current = new Map([...deployed].map(([key, c]) => [key, { ...c }]));
  const actions: RawAction[] = [];
  for (const entry of run.timeline) {
    if (entry.kind === 'wait') actions.push({ kind: 'wait', seconds: entry.seconds });
    if (entry.kind === 'wait-until') actions.push({ kind: 'wait-until', until: entry.until });
    if (entry.kind === 'driver' && entry.payload.action !== 'describe-step') actions.push({ kind: 'driver', event: entry.payload });
    if (entry.kind !== 'update') continue;
    const key = keyOf(entry.target);
    if (entry.reset) {
      const initial = deployed.get(key)!;
      if (JSON.stringify(sorted(entry.env)) !== JSON.stringify(sorted(initial.env)) || entry.memory !== initial.memoryMb) {
        throw new Error(`the reset of ${key} does not restore its deployed configuration`);
      }
      continue;
    }
    const before = current.get(key)!;
    const changed = Object.keys(entry.env).filter((k) => k !== 'CURTAIN_GENERATION' && entry.env[k] !== before.env[k]);
    const change =
      entry.memory !== before.memoryMb
        ? ({ kind: 'memory', memoryMb: entry.memory } as const)
        : changed.length === 1
          ? ({ kind: 'env', name: changed[0]!, value: entry.env[changed[0]!]! } as const)
          : ({ kind: 'refresh' } as const);
    current.set(key, { env: entry.env, memoryMb: entry.memory });
    actions.push({ kind: 'update', function: key, generation: entry.env.CURTAIN_GENERATION!, change });
  }
  return actions;
}

function sorted(env: Record<string, string>): [string, string][] {
  return Object.entries(env).sort(([a], [b]) => a.localeCompare(b));
}

export const aslTraceRunner: TraceRunner = {
  async run(plan, compiled) {
    const handOverAt = compiled.segmentation?.handOverAt ?? [];
    const run = await runExecutions(plan, compiled.definition as StateMachineDefinition, { handOverAt: [...handOverAt] });
    const failed = run.errors.find((e) => e !== null);
    if (failed) throw failed;
    if (run.executions.length !== handOverAt.length + 1) throw new Error(`${run.executions.length} executions for ${handOverAt.length + 1} segments`);
    return aslTrace(plan, run);
  },
  // Step Functions' Wait takes whole seconds: the driver's answer rounds each wait up.
  waitSeconds: (planned) => Math.ceil(planned),
  // ... and truncates a timestamp's milliseconds: the driver's answer rounds each anchor up to the second.
  waitUntil: (anchor) => new Date(Math.ceil(Date.parse(anchor) / 1000) * 1000).toISOString(),
};
