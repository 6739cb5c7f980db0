/**
 * describe-step through the real driver core (runDriverEvent with a results
 * directory): the answer a constant-size orchestrator walks the plan by. Each
 * step of the plan (and each reset before it) is described with what running
 * it needs, validated against the contract; what comes next follows the
 * deployment's split into executions; anything outside the plan, or for a run
 * that is not open, is refused before anything is read or sent.
 */
import { planStudy } from '../../../experiments/plan';
import { configurationAfter, initialConfiguration } from '../../../experiments/plan-queries';
import { StepDirective } from '../../../probe-runtime/contracts/step-directive';
import { DriverRefusedError } from '../../../probe-runtime/driver/errors';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { localDeps, localDeployment, RUN, tempDir } from './support/driver-fixture';
import { testDefinition } from './support/plan-fixture';

// Bursts, a fractional wait, and updates of each kind (memory changes on gcp, where CPU follows memory).
const plan = planStudy(
  testDefinition(
    [
      { kind: 'burst', label: 'cold', requestsPerTarget: 150 },
      { kind: 'update', targets: { memoryMb: [256] }, change: { kind: 'memory', memoryMb: 512 } },
      { kind: 'wait', seconds: 1.5 },
      { kind: 'update', targets: 'all', change: { kind: 'env', name: 'CURTAIN_MARK', value: 'x' } },
      { kind: 'burst', label: 'warm', requestsPerTarget: 1 },
      { kind: 'update', targets: { memoryMb: [128] }, change: { kind: 'refresh' } },
    ],
    [128, 256],
  ),
  { provider: 'gcp' },
);
const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash } as const;

describe('describe-step', () => {
  let tmp: ReturnType<typeof tempDir>;
  const deps = (handOverAt: number[] = []) => ({
    ...localDeps(plan, 'http://127.0.0.1:9', tmp.dir),
    deployment: { ...localDeployment(plan), orchestration: { handOverAt } },
  });
  const describe = (index: number, handOverAt: number[] = []) => runDriverEvent({ ...common, action: 'describe-step', index }, deps(handOverAt)) as Promise<StepDirective>;
  beforeEach(async () => {
    tmp = tempDir('describe');
    await runDriverEvent({ ...common, action: 'start-run' }, deps());
  });
  afterEach(() => tmp.remove());

  test('every step and every reset is described with what running it needs, and what follows', async () => {
    const resets = [...new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])))];
    expect(resets.length).toBe(2);
    const config = new Map(plan.functions.map((f) => [f.key, initialConfiguration(f)]));
    for (let index = -resets.length; index < plan.steps.length; index++) {
      const d = await describe(index);
      expect(StepDirective.parse(d)).toEqual(d);
      expect(d).toMatchObject({ index, run: RUN, next: index + 1, then: index === plan.steps.length - 1 ? 'finish' : 'continue', segment: 0 });
      if (index < 0) {
        const key = resets[resets.length + index]!;
        const fn = plan.functions.find((f) => f.key === key)!;
        expect(d).toMatchObject({ kind: 'update', reset: true, id: `reset-${key}`, function: key, env: fn.env, memoryMb: fn.memoryMb, failure: { step: -1, completed: 0 } });
        continue;
      }
      const step = plan.steps[index]!;
      expect(d.id).toBe(step.id);
      expect(d.failure).toEqual({ step: index, completed: index, where: step.id });
      if (step.kind === 'burst') expect(d).toMatchObject({ kind: 'burst', step, shards: Array.from({ length: step.shards }, (_, s) => s) });
      if (step.kind === 'wait') expect(d).toMatchObject({ kind: 'wait', seconds: 1.5, wholeSeconds: 2 });
      if (step.kind === 'update') {
        const before = config.get(step.function)!;
        const after = configurationAfter(before, step);
        config.set(step.function, after);
        expect(d).toMatchObject({ kind: 'update', reset: false, function: step.function, env: after.env, memoryMb: after.memoryMb, memoryChanged: after.memoryMb !== before.memoryMb, generation: step.generation });
        // Google couples CPU to memory: the memory update carries the CPU of its new size.
        if (step.change.kind === 'memory') expect(d.kind === 'update' && d.vcpu).toBe(0.333);
      }
    }
    expect(plan.steps.filter((s) => s.kind === 'burst')[0]).toMatchObject({ shards: 3 });
  });

  test('hand-overs: the step before a boundary says so, with the next execution and where a failure of the hand-over belongs', async () => {
    const d = await describe(2, [3, 5]);
    expect(d).toMatchObject({ then: 'hand-over', next: 3, segment: 0, nextSegment: 1, nextFailure: { step: 3, completed: 3, where: 'hand-over to execution 2 at step 3' } });
    expect(await describe(3, [3, 5])).toMatchObject({ then: 'continue', segment: 1, nextSegment: 1 });
    expect(await describe(plan.steps.length - 1, [3, 5])).toMatchObject({ then: 'finish', segment: 2, nextFailure: { step: -1, completed: plan.steps.length, where: 'finish-run' } });
  });

  test('an index outside the plan and its resets, another plan, or a run that is not open is refused', async () => {
    await expect(describe(plan.steps.length)).rejects.toThrow(DriverRefusedError);
    await expect(describe(-3)).rejects.toThrow(new RegExp(`index: the plan has steps -2\\.\\.${plan.steps.length - 1} `));
    await expect(runDriverEvent({ ...common, planHash: 'f'.repeat(64), action: 'describe-step', index: 0 }, deps())).rejects.toThrow(/planHash/);
    await expect(runDriverEvent({ ...common, run: `${RUN}x`, action: 'describe-step', index: 0 }, deps())).rejects.toThrow(/has no run.json/);
    await runDriverEvent({ ...common, action: 'finish-run', status: 'completed', stepsCompleted: plan.steps.length, failures: [] }, deps());
    await expect(describe(0)).rejects.toThrow(/already ended \(completed\)/);
  });

  test('finish-run accepts failures before the first step (step -1), and no lower', async () => {
    const failures = [{ step: -1, shard: null, message: 'reset-x failed' }];
    await expect(runDriverEvent({ ...common, action: 'finish-run', status: 'failed', stepsCompleted: 0, failures }, deps())).resolves.toMatchObject({ status: 'failed' });
    await expect(runDriverEvent({ ...common, action: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ ...failures[0]!, step: -2 }] }, deps())).rejects.toThrow(DriverRefusedError);
  });
});
