import { CATALOG } from '../../experiments/catalog';
import { EXPERIMENTS, StudyDefinition } from '../../experiments/schema';
import { planStudy } from '../../experiments/plan';
import { StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';

describe('the catalog', () => {
  test('covers every experiment of the paper, E1 to E10, with unique ids', () => {
    expect(new Set(CATALOG.map((s) => s.experiment))).toEqual(new Set(EXPERIMENTS));
    expect(new Set(CATALOG.map((s) => s.id)).size).toBe(CATALOG.length);
    expect(CATALOG.length).toBeGreaterThanOrEqual(10);
  });

  const pairs = CATALOG.flatMap((s) => buildCatalogStudy(s.id).providers.map((provider) => ({ study: s.id, provider })));

  test.each(pairs)('$study validates and plans for $provider within its default budget', ({ study, provider }) => {
    const definition = buildCatalogStudy(study);
    expect(StudyDefinition.safeParse(definition).success).toBe(true);
    const plan = planStudy(definition, { provider });
    expect(StudyPlan.safeParse(plan).success).toBe(true);
    expect(plan.invocations).toBeGreaterThan(0);
    expect(plan.budget.verdict).toBe('within');
    // Every burst addresses functions the plan deploys.
    const keys = new Set(plan.functions.map((f) => f.key));
    for (const step of plan.steps) {
      if (step.kind === 'burst') for (const t of step.targets) expect(keys.has(t)).toBe(true);
      if (step.kind === 'update') expect(keys.has(step.function)).toBe(true);
    }
  });

  test.each(CATALOG.map((s) => ({ study: s.id, s })))('$study lists claims with confidence labels and documents every parameter', ({ s }) => {
    const definition = buildCatalogStudy(s.id);
    expect(definition.claims.length).toBeGreaterThan(0);
    expect(definition.paper.experiment).toBe(s.experiment);
    for (const [name, schema] of Object.entries(s.parameters.shape)) {
      expect({ name, description: (schema as { description?: string }).description ?? '' }).toEqual({ name, description: expect.stringMatching(/\w{3,}/) });
    }
  });

  test('forced and natural cold starts stay distinct in the coldstart study', () => {
    const forced = planStudy(buildCatalogStudy('coldstart', { rounds: 1, runtimes: ['nodejs'], memoryMb: [128] }), { provider: 'local' });
    expect(forced.steps.map((s) => (s.kind === 'burst' ? `burst:${s.label}` : s.kind))).toEqual(['update', 'burst:cold', 'burst:warm']);
    const natural = planStudy(
      buildCatalogStudy('coldstart', { rounds: 1, runtimes: ['nodejs'], memoryMb: [128], coldMode: 'natural', idleSeconds: 1200 }),
      { provider: 'local' },
    );
    expect(natural.steps.map((s) => (s.kind === 'burst' ? `burst:${s.label}` : s.kind))).toEqual(['wait', 'burst:cold-natural', 'burst:warm']);
  });

  test('idle-recycling revisits each function once its own gap has elapsed', () => {
    const plan = planStudy(buildCatalogStudy('idle-recycling', { gapsMinutes: [5, 1, 20] }), { provider: 'local' });
    let clock = 0;
    const revisitAt: Record<string, number> = {};
    for (const step of plan.steps) {
      if (step.kind === 'wait') clock += step.seconds;
      if (step.kind === 'burst' && step.label === 'after-idle') revisitAt[step.targets[0]!] = clock / 60;
    }
    expect(revisitAt).toEqual({ 'node-m128-a-0': 1, 'node-m128-a-1': 5, 'node-m128-a-2': 20 });
  });

  test('placement draws distinct memory sizes in 64 MB steps from a seed', () => {
    const a = buildCatalogStudy('placement', { seed: 7 }).functions.memoryMb;
    const b = buildCatalogStudy('placement', { seed: 7 }).functions.memoryMb;
    const c = buildCatalogStudy('placement', { seed: 8 }).functions.memoryMb;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBe(a.length);
    for (const m of a) expect((m - 128) % 64).toBe(0);
  });

  test('scalability sweeps concurrency levels on refreshed functions', () => {
    const plan = planStudy(buildCatalogStudy('scalability', { step: 50, maxConcurrency: 200 }), { provider: 'aws' });
    const bursts = plan.steps.filter((s) => s.kind === 'burst');
    expect(bursts.map((b) => (b.kind === 'burst' ? b.concurrency : 0))).toEqual([50, 100, 150, 200]);
    // 150 and 200 requests need two driver shards of at most 100 each.
    expect(bursts.map((b) => (b.kind === 'burst' ? b.shards : 0))).toEqual([1, 1, 2, 2]);
    expect(plan.steps.filter((s) => s.kind === 'update')).toHaveLength(4);
  });
});
