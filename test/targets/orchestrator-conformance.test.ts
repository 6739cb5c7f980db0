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
import { CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, toTrace, TRACE_RUN } from './orchestrator-trace';
import { TRACE_RUNNERS } from './trace-runners';

/** A hosting plan of the target with two configurable sizes ≥ 256 MB, and those sizes (for a memory update). */
function twoSizes(target: ProviderTarget): { hosting: string; sizes: [number, number] } {
  for (const hosting of Object.values(target.capabilities.hosting) as HostingCapabilities[]) {
    const candidates = hosting.memory.kind === 'list' ? hosting.memory.sizesMb : [256, 512];
    const sizes = candidates.filter((mb) => mb >= 256 && memorySupported(hosting.memory, mb));
    if (sizes.length >= 2) return { hosting: hosting.name, sizes: [sizes[0]!, sizes[1]!] };
  }
  throw new Error(`${target.id} offers no hosting plan with two memory sizes`);
}

function plansFor(target: ProviderTarget): [string, () => StudyPlan][] {
  const { hosting, sizes } = twoSizes(target);
  return [
    ...CONFORMANCE_STUDIES.map((id): [string, () => StudyPlan] => [id, () => planStudy(buildCatalogStudy(id), { provider: target.id })]),
    [
      `every step kind (${hosting})`,
      () => planStudy({ ...everyStepKindDefinition([sizes[0]], sizes[1]), providers: [target.id] }, { provider: target.id, hosting }),
    ],
  ];
}

describe.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s: the orchestrator walks the plan', (id, target) => {
  const runner = TRACE_RUNNERS[id];

  it.each(plansFor(target))('%s', async (_name, makePlan) => {
    const plan = makePlan();
    const actions = await runner.run(plan, target.orchestrator.compile(plan));
    const trace = toTrace(plan, TRACE_RUN, actions);
    expect(trace).toEqual(expectedTrace(plan, TRACE_RUN, runner.waitSeconds));
    // The plans between them exercise every kind of step (so an empty trace runner cannot pass).
    if (plan.study.id === 'every-step') {
      expect(new Set(trace.flatMap((t) => (t.kind === 'update' ? [t.change.kind] : [])))).toEqual(new Set(['env', 'memory', 'refresh']));
      expect(trace.some((t) => t.kind === 'burst' && t.shards.length >= 3)).toBe(true);
      expect(trace.filter((t) => t.kind === 'wait')).toHaveLength(2);
    }
  });
});
