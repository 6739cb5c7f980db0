/**
 * The provider-neutral trace an orchestrator must produce for a plan, shared by
 * every target's conformance check (orchestrator-conformance.test.ts): each
 * target's trace runner (trace-runners/) records what its orchestrator asked
 * for, toTrace turns it into this trace, and it is compared with
 * `expectedTrace(plan)`, built straight from the plan.
 */
import { planStudy } from '../../experiments/plan';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { type ConfigChange, PROVIDERS, type StudyDefinitionInput } from '../../experiments/schema';
import { anchoredWaitTimes, anchorKey, isAnchoredWait } from '../../probe-runtime/contracts/anchored-waits';
import { BurstShardEvent, DriverEvent } from '../../probe-runtime/contracts/driver-event';
import type { ProviderId } from '../../probe-runtime/contracts/providers';

/** When the fake drivers of the conformance tests say the run started (run.json startedAt). */
export const RUN_STARTED_AT = '2026-11-26T12:00:00.000Z';

/** What a driver answers to start-run (probe-runtime/driver/run-driver-event.ts), for fake drivers. */
export function startRunAnswer(plan: StudyPlan, run: string, startedAt = RUN_STARTED_AT): Record<string, unknown> {
  const waitUntil = anchoredWaitTimes(plan, Date.parse(startedAt));
  return { v: 1, action: 'start-run', study: plan.study.id, run, keys: {}, startedAt, ...(waitUntil ? { waitUntil } : {}) };
}

export type TraceEvent =
  | { kind: 'start-run'; run: string }
  | { kind: 'burst'; step: BurstStep; shards: number[] }
  | { kind: 'wait'; seconds: number }
  /** A wait anchored to the run's start: it must end at exactly this instant (ISO 8601). */
  | { kind: 'wait-until'; until: string }
  | { kind: 'update'; function: string; generation: string; change: ConfigChange }
  | { kind: 'finish-run'; status: string; stepsCompleted: number; failures: { step: number; shard: number | null }[] };

/** The run id every trace runner starts its run with. */
export const TRACE_RUN = '20261126T120000Z-abc1';

/**
 * `waitSeconds`: what a planned wait becomes on an engine that cannot wait fractions (default: as planned);
 * anchored waits end at run start (`startedAt`, what the fake driver's start-run answers) + untilSeconds
 * (`waitUntil`: what that instant becomes on an engine that truncates it).
 */
export function expectedTrace(
  plan: StudyPlan,
  run: string,
  waitSeconds: (planned: number) => number = (s) => s,
  startedAt = RUN_STARTED_AT,
  waitUntil: (anchor: string) => string = (a) => a,
): TraceEvent[] {
  const trace: TraceEvent[] = [{ kind: 'start-run', run }];
  const anchors = anchoredWaitTimes(plan, Date.parse(startedAt)) ?? {};
  for (const step of plan.steps) {
    if (step.kind === 'burst') trace.push({ kind: 'burst', step, shards: range(step.shards) });
    else if (isAnchoredWait(step)) trace.push({ kind: 'wait-until', until: waitUntil(anchors[anchorKey(step.index)]!) });
    else if (step.kind === 'wait') trace.push({ kind: 'wait', seconds: waitSeconds(step.seconds) });
    else trace.push({ kind: 'update', function: step.function, generation: step.generation, change: step.change });
  }
  trace.push({ kind: 'finish-run', status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  return trace;
}

/** Raw things an orchestrator did, in the order it did them. */
export type RawAction =
  | { kind: 'driver'; event: unknown }
  | { kind: 'wait'; seconds: number }
  | { kind: 'wait-until'; until: string }
  | (TraceEvent & { kind: 'update' });

/**
 * Validates every driver event against the contract, checks each event belongs
 * to the plan (hash, study, run), groups the shards of a burst (they may arrive
 * in any order, but must be contiguous and share one stepStartedAt) and returns
 * the trace.
 */
export function toTrace(plan: StudyPlan, run: string, actions: RawAction[]): TraceEvent[] {
  const trace: TraceEvent[] = [];
  let openBurst: { step: BurstStep; shards: number[]; startedAt: string | undefined } | null = null;
  const close = () => {
    if (openBurst) trace.push({ kind: 'burst', step: openBurst.step, shards: [...openBurst.shards].sort((a, b) => a - b) });
    openBurst = null;
  };
  for (const action of actions) {
    if (action.kind !== 'driver') {
      close();
      trace.push(action);
      continue;
    }
    const event = DriverEvent.parse(action.event);
    if (event.planHash !== plan.hash || event.study !== plan.study.id || event.run !== run) {
      throw new Error(`driver event for another plan or run: ${JSON.stringify(event)}`);
    }
    if (event.action === 'burst') {
      const shard = BurstShardEvent.parse(event);
      if (openBurst && openBurst.step.index === shard.step.index) {
        if (openBurst.startedAt !== shard.stepStartedAt) throw new Error(`shards of step ${shard.step.index} have different stepStartedAt`);
        openBurst.shards.push(shard.shard);
        continue;
      }
      close();
      if (!shard.stepStartedAt) throw new Error(`burst step ${shard.step.index} has no stepStartedAt`);
      openBurst = { step: shard.step, shards: [shard.shard], startedAt: shard.stepStartedAt };
      continue;
    }
    close();
    // Describing a step reads the plan; what the step does is what the trace records.
    if (event.action === 'describe-step') continue;
    if (event.action === 'start-run') trace.push({ kind: 'start-run', run: event.run });
    else {
      trace.push({
        kind: 'finish-run',
        status: event.status,
        stepsCompleted: event.stepsCompleted,
        failures: event.failures.map((f) => ({ step: f.step, shard: f.shard })),
      });
    }
  }
  close();
  return trace;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * A study with every kind of step the orchestrators must handle: a multi-shard
 * burst with a barrier, waits, and updates of each kind (refresh, env, memory).
 */
/**
 * A study with every step kind. `memoryUpdateMb` null leaves out the memory
 * update, and `tenants` the second tenant, for a platform that offers neither
 * (Cloudflare Workers: one fixed memory size, one account).
 */
export function everyStepKindDefinition(memoryMb: number[], memoryUpdateMb: number | null, tenants: readonly string[] = ['a', 'b']): StudyDefinitionInput {
  const last = tenants[tenants.length - 1]!;
  return {
    id: 'every-step',
    title: 'Every step kind',
    summary: 'Conformance fixture.',
    paper: { experiment: 'E9', section: 'test' },
    providers: [...PROVIDERS],
    functions: { memoryMb, runtime: ['nodejs'], tenant: [...tenants] },
    schedule: [
      // 260 requests in all (three shards of at most 100), whatever the number of tenants.
      { kind: 'burst', label: 'wide', requestsPerTarget: 260 / tenants.length, barrierMs: 2000 },
      { kind: 'wait', seconds: 90 },
      { kind: 'update', targets: { tenant: ['a'] }, change: { kind: 'env', name: 'CURTAIN_MARK', value: 'x1' } },
      { kind: 'repeat', times: 2, steps: [{ kind: 'update', change: { kind: 'refresh' } }, { kind: 'burst', label: 'after', requestsPerTarget: 2 }] },
      ...(memoryUpdateMb === null ? [] : [{ kind: 'update' as const, targets: { tenant: [last] }, change: { kind: 'memory' as const, memoryMb: memoryUpdateMb } }]),
      { kind: 'wait', seconds: 0.5 },
      { kind: 'burst', label: 'last', requestsPerTarget: 1 },
    ],
    analysis: { kind: 'update-consistency' },
    budget: { maxInvocations: 100_000, maxUsd: 100 },
    adapt: { memory: 'refuse' },
  };
}

/**
 * A study whose waits are anchored to the run's start: a repeat with `every`, a wait with
 * `untilSeconds` and an open-loop arrival cut into several chunks (each anchored) between bursts.
 */
export function anchoredWaitsDefinition(): StudyDefinitionInput {
  return {
    id: 'anchored',
    title: 'Waits anchored to the run start',
    summary: 'Conformance fixture.',
    paper: { experiment: 'E6', section: 'test' },
    providers: [...PROVIDERS],
    functions: { memoryMb: [2048] },
    schedule: [
      { kind: 'burst', label: 'first', requestsPerTarget: 1 },
      { kind: 'repeat', times: 3, every: 60, steps: [{ kind: 'burst', label: 'ping', requestsPerTarget: 1 }] },
      { kind: 'wait', untilSeconds: 400 },
      { kind: 'burst', label: 'open', arrival: { kind: 'fixed-rate', perSecond: 1, durationSeconds: 25, stepSeconds: 10 } },
      { kind: 'wait', seconds: 2 },
      { kind: 'burst', label: 'last', requestsPerTarget: 1 },
    ],
    analysis: { kind: 'coldstart' },
    budget: { maxInvocations: 1000, maxUsd: 5 },
    adapt: { memory: 'nearest' },
  };
}

/** The catalog studies the conformance tests walk: updates, waits, multi-shard bursts, two tenants. */
export const CONFORMANCE_STUDIES = ['coldstart', 'scalability', 'update-consistency', 'isolation', 'idle-recycling'] as const;

export function catalogPlan(id: string, provider: ProviderId, hosting?: string): StudyPlan {
  return planStudy(buildCatalogStudy(id), { provider, hosting });
}
