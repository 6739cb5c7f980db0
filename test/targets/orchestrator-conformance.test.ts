/**
 * The shared orchestrator conformance check: for every target of the registry
 * (local included), its compiled orchestrator, executed by the target's trace
 * runner (trace-runners/), issues exactly the plan's steps in order: start-run,
 * each burst's shards with one shared start time, waits, updates with the
 * step's generation and change, finish-run. The plans are planned for each
 * target from the same definitions, so a new provider is under this test as
 * soon as it is registered.
 */
import { memorySupported, type HostingCapabilities } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import type { ProviderTarget } from '../../targets/provider-target';
import { TARGET_LIST } from '../../targets/registry';
import { anchoredWaitsDefinition, CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, toTrace, TRACE_RUN } from './orchestrator-trace';
import { TRACE_RUNNERS } from './trace-runners';

/**
 * A hosting plan of the target with two configurable sizes ≥ 256 MB, and those sizes (for a memory update);
 * for a target whose every plan has one fixed size (Cloudflare Workers), its default plan and that size.
 */
function twoSizes(target: ProviderTarget): { hosting: string; sizes: [number, number | null] } {
  for (const hosting of Object.values(target.capabilities.hosting) as HostingCapabilities[]) {
    const candidates = hosting.memory.kind === 'list' ? hosting.memory.sizesMb : [256, 512];
    const sizes = candidates.filter((mb) => mb >= 256 && memorySupported(hosting.memory, mb));
    if (sizes.length >= 2) return { hosting: hosting.name, sizes: [sizes[0]!, sizes[1]!] };
  }
  const fixed = Object.values(target.capabilities.hosting).every((h) => h.memory.kind === 'list' && h.memory.sizesMb.length === 1);
  if (fixed) return { hosting: target.capabilities.defaultHosting, sizes: [target.capabilities.hosting[target.capabilities.defaultHosting]!.memory.maxMb, null] };
  throw new Error(`${target.id} offers no hosting plan with two memory sizes`);
}

/** The update kinds a target's every-step plan has: memory only where memory is configurable. */
function updateKinds(target: ProviderTarget): string[] {
  return twoSizes(target).sizes[1] === null ? ['env', 'refresh'] : ['env', 'memory', 'refresh'];
}

/** The every-step-kind plan of a target (the split-run cases force hand-overs into it). */
function everyStepKindPlan(target: ProviderTarget): StudyPlan {
  const { hosting, sizes } = twoSizes(target);
  const tenants = target.capabilities.maxTenants >= 2 ? ['a', 'b'] : ['a'];
  return planStudy({ ...everyStepKindDefinition([sizes[0]], sizes[1], tenants), providers: [target.id] }, { provider: target.id, hosting });
}

function plansFor(target: ProviderTarget): [string, () => StudyPlan][] {
  const { hosting } = twoSizes(target);
  return [
    // The catalog studies that declare the target (a study refused on it is tested in registry.test.ts).
    ...CONFORMANCE_STUDIES.filter((id) => buildCatalogStudy(id).providers.includes(target.id)).map(
      (id): [string, () => StudyPlan] => [id, () => planStudy(buildCatalogStudy(id), { provider: target.id })],
    ),
    [`every step kind (${hosting})`, () => everyStepKindPlan(target)],
    // Waits anchored to the run's start (repeat every, untilSeconds, open-loop chunks): they end at run start + untilSeconds,
    // on the targets whose capability says so (the others refuse the plan: test/targets/anchored-wait-refusal.test.ts).
    ...(target.capabilities.runAnchoredWaits ? [['anchored waits', () => planStudy(anchoredWaitsDefinition(), { provider: target.id })] as [string, () => StudyPlan]] : []),
  ];
}

describe.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s: the orchestrator walks the plan', (id, target) => {
  const runner = TRACE_RUNNERS[id];

  it.each(plansFor(target))('%s', async (_name, makePlan) => {
    const plan = makePlan();
    const actions = await runner.run(plan, target.orchestrator.compile(plan));
    const trace = toTrace(plan, TRACE_RUN, actions);
    expect(trace).toEqual(expectedTrace(plan, TRACE_RUN, runner.waitSeconds, undefined, runner.waitUntil));
    // The plans between them exercise every kind of step (so an empty trace runner cannot pass).
    if (plan.study.id === 'every-step') {
      expect(new Set(trace.flatMap((t) => (t.kind === 'update' ? [t.change.kind] : [])))).toEqual(new Set(updateKinds(target)));
      expect(trace.some((t) => t.kind === 'burst' && t.shards.length >= 3)).toBe(true);
      expect(trace.filter((t) => t.kind === 'wait')).toHaveLength(2);
    }
    if (plan.study.id === 'anchored') expect(trace.filter((t) => t.kind === 'wait-until').length).toBeGreaterThanOrEqual(5);
  });
});

/**
 * The same traces when a run is split into executions that continue as new:
 * every target whose orchestrator has execution limits compiles the plan with
 * small segments forced (the orchestrator slot's options), so that hand-overs
 * fall right after an update and in the middle of a repeat, and its runner
 * starts each next execution as the cloud would. The driver sees each step
 * once, in order (recording-driver.ts checks it inside the runners' harnesses).
 */
describe.each(TARGET_LIST.filter((t) => t.orchestrator.compile(planStudy(buildCatalogStudy('accounting'), { provider: t.id })).segmentation !== null).map((t) => [t.id, t] as const))(
  '%s: split into executions, the orchestrator walks the same plan',
  (id, target) => {
    const runner = TRACE_RUNNERS[id];

    it.each([
      ['update-consistency, with a hand-over right after an update and others inside its repeat', () => planStudy(buildCatalogStudy('update-consistency'), { provider: target.id }), true],
      ['every step kind, with a hand-over right after an update', () => everyStepKindPlan(target), false],
    ])('%s', async (_name, makePlan, insideRepeat) => {
      const plan = makePlan();
      const updates = plan.steps.filter((s) => s.kind === 'update').map((s) => s.index);
      const perSegment = updates[1]! + 1;
      const compiled = target.orchestrator.compile(plan, { maxStepsPerSegment: perSegment });
      const handOverAt = compiled.segmentation!.handOverAt;
      expect(handOverAt).toContain(updates[1]! + 1);
      if (insideRepeat) expect(handOverAt.some((at) => !updates.includes(at - 1))).toBe(true);
      const actions = await runner.run(plan, compiled);
      expect(toTrace(plan, TRACE_RUN, actions)).toEqual(expectedTrace(plan, TRACE_RUN, runner.waitSeconds, undefined, runner.waitUntil));
    });

    // Anchors count from the run's start in every execution, not from the execution's own.
    if (target.capabilities.runAnchoredWaits) {
      it('anchored waits, with a hand-over every 3 steps', async () => {
        const plan = planStudy(anchoredWaitsDefinition(), { provider: target.id });
        const compiled = target.orchestrator.compile(plan, { maxStepsPerSegment: 3 });
        expect(compiled.segmentation!.handOverAt.length).toBeGreaterThanOrEqual(3);
        const actions = await runner.run(plan, compiled);
        expect(toTrace(plan, TRACE_RUN, actions)).toEqual(expectedTrace(plan, TRACE_RUN, runner.waitSeconds, undefined, runner.waitUntil));
      });
    }
  },
);
