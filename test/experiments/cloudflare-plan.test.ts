/**
 * Planning for Cloudflare Workers from its capability row: analyses an isolate
 * cannot support are refused naming the analysis and what is missing;
 * Python, which Workers do not offer, is left out where the study allows it
 * and refused where it does not; every size becomes the fixed 128 MB.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';

test.each(Object.keys(CAPABILITIES.cloudflare.notMeasurable ?? {}))('%s is refused on Cloudflare, naming the analysis and the missing capability', (study) => {
  const definition = buildCatalogStudy(study);
  expect(definition.providers).not.toContain('cloudflare');
  // Also when a definition declares Cloudflare anyway.
  expect(() => planStudy({ ...definition, providers: ['cloudflare'] }, { provider: 'cloudflare' })).toThrow(
    new RegExp(`analysis ${study} is not measurable on Cloudflare Workers.*: it (needs|times)`),
  );
});

test('host identity is what placement lacks', () => {
  expect(() => planStudy({ ...buildCatalogStudy('placement'), providers: ['cloudflare'] }, { provider: 'cloudflare' })).toThrow(/host identity/);
});

test('coldstart leaves Python out on Cloudflare and says so; all sizes become 128 MB', () => {
  const plan = planStudy(buildCatalogStudy('coldstart'), { provider: 'cloudflare' });
  expect([...new Set(plan.functions.map((f) => f.runtime))]).toEqual(['nodejs']);
  expect([...new Set(plan.functions.map((f) => f.memoryMb))]).toEqual([128]);
  expect(plan.adaptations.join('\n')).toMatch(/python is not offered by Cloudflare Workers .*left out \(adapt\.runtimes=offered\)/);
  // Elsewhere nothing is left out.
  expect(new Set(planStudy(buildCatalogStudy('coldstart'), { provider: 'aws' }).functions.map((f) => f.runtime))).toEqual(new Set(['nodejs', 'python']));
});

test('a study that asks for Python without adapt.runtimes is refused; one with only Python is refused even with it', () => {
  const definition = buildCatalogStudy('coldstart');
  expect(() => planStudy({ ...definition, adapt: { ...definition.adapt, runtimes: 'refuse' } }, { provider: 'cloudflare' })).toThrow(/no version of python is offered by Cloudflare Workers/);
  expect(() => planStudy(buildCatalogStudy('coldstart', { runtimes: ['python'] }), { provider: 'cloudflare' })).toThrow(/none of the runtimes python is offered by Cloudflare Workers/);
});
