/**
 * The Durable Functions orchestrator, driven by a fake `context.df` that
 * behaves like the Durable runtime from the orchestrator's point of view (it
 * yields tasks, gets results or a thrown failure back, timers advance the
 * orchestration clock), must issue exactly the plan's steps in order.
 */
import { planStudy } from '../../../experiments/plan';
import type { BurstStep } from '../../../experiments/plan-schema';
import { ACTIVITY } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { catalogPlan, CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, toTrace, TRACE_RUN as RUN } from '../../targets/orchestrator-trace';
import { driveDurable as drive } from '../../targets/trace-runners/azure';

describe('Durable orchestrator conformance: a fake context walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', (id) => {
    const plan = catalogPlan(id, 'azure');
    const { outcome, actions } = drive(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(outcome).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  });

  it('walks every step kind on Flex Consumption: multi-shard bursts, waits as durable timers, env, refresh and memory updates', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const { actions } = drive(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(actions.filter((a) => a.kind === 'wait').map((a) => (a as { seconds: number }).seconds)).toEqual([90, 0.5]);
  });

  it('records a shard reported as failed and an update that threw, and still closes the run', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    const update = plan.steps.find((s) => s.kind === 'update')!;
    const { outcome, actions } = drive(plan, {
      activity: (name, input) => {
        const event = input as { action?: string; shard?: number; step?: { index: number } | number };
        if (name === ACTIVITY.driverEvent && event.action === 'burst' && event.shard === 2) return { ok: false, message: 'driver shard died' };
        if (name === ACTIVITY.update && event.step === update.index) return 'throw';
        return undefined;
      },
    });
    const trace = toTrace(plan, RUN, actions);
    expect(trace.slice(0, -1)).toEqual(expectedTrace(plan, RUN).slice(0, -1));
    const finish = trace.at(-1);
    expect(finish).toEqual({
      kind: 'finish-run',
      status: 'failed',
      stepsCompleted: plan.steps.length - 2,
      failures: [
        { step: wide.index, shard: 2 },
        { step: update.index, shard: null },
      ],
    });
    expect(outcome.failures.map((f) => f.message)).toEqual(['driver shard died', expect.stringContaining('host restarted')]);
  });

  it('attributes a failure of the whole fan-out to every shard of the burst', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3) as BurstStep;
    const { outcome } = drive(plan, {
      activity: (name, input) => (name === ACTIVITY.driverEvent && (input as { shard?: number; step?: { index: number } }).step?.index === wide.index ? 'throw' : undefined),
    });
    expect(outcome.failures.map((f) => [f.step, f.shard])).toEqual(Array.from({ length: wide.shards }, (_, s) => [wide.index, s]));
  });

  it('skips the schedule when start-run fails, and fails the orchestration when finish-run cannot close the run', () => {
    const plan = catalogPlan('coldstart', 'azure');
    const { outcome, actions } = drive(plan, {
      activity: (_name, input) => ((input as { action?: string }).action === 'start-run' ? { ok: false, message: 'bucket unreachable' } : undefined),
    });
    expect(toTrace(plan, RUN, actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(outcome.status).toBe('failed');
    expect(() =>
      drive(plan, { activity: (_name, input) => ((input as { action?: string }).action === 'finish-run' ? { ok: false, message: 'denied' } : undefined) }),
    ).toThrow('finish-run failed: denied');
  });
});
