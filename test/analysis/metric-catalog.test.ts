/**
 * The metric catalog (analysis/metric-catalog.ts) is what `curtain validate` checks claims
 * against and what docs/writing-a-study.md lists: every metric an analysis emits must be in it,
 * every catalog claim must name one of its metrics, and a claim naming anything else is refused
 * with its path.
 */
import { analyzeRun } from '../../analysis';
import { checkClaimMetrics, matchMetric, undeclaredMetrics } from '../../analysis/metric-catalog';
import { CATALOG } from '../../experiments/catalog';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { StudyDefinition } from '../../experiments/schema';
import { validDefinition } from '../experiments/fixtures';
import { catalogPlan, type SyntheticInstance, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

describe('metric catalog', () => {
  test.each(CATALOG.map((s) => s.id))('%s: every metric its analysis emits on a synthetic run is declared', async (id) => {
    const plan = catalogPlan(id, 'local');
    const run = new SyntheticRun(plan);
    // Every request answered; one instance per function, replaced after each update of it.
    const current = new Map<string, SyntheticInstance>();
    for (const step of plan.steps) {
      if (step.kind === 'update') current.delete(step.function);
      if (step.kind !== 'burst') continue;
      for (let r = 0; r < step.requests; r++) {
        const target = step.targets[r % step.targets.length]!;
        let instance = current.get(target);
        if (!instance) current.set(target, (instance = run.instance(run.host())));
        run.record(step, r, { instance, latencyMs: 10 + (r % 7) });
      }
    }
    const analysis = await analyzeRun(run.write(tmp()));
    const names = analysis.output.metrics.map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(undeclaredMetrics(plan.analysis.kind, names)).toEqual([]);
    expect(analysis.output.notes.join('\n')).not.toMatch(/missing from the metric catalog/);
  });

  test.each(CATALOG.map((s) => s.id))('%s: every claim of the catalog study names a declared metric', (id) => {
    expect(checkClaimMetrics(buildCatalogStudy(id))).toEqual([]);
  });

  test('a claim naming an unknown metric, an unused label or tenant is refused with its path and a suggestion', () => {
    const claim = (metric: string) => ({ id: 'c', statement: 's', provider: 'aws', confidence: 'P', source: 'x', metric, expected: { kind: 'at-most', value: 1, unit: 'fraction' } });
    const definition = StudyDefinition.parse({
      ...validDefinition(),
      schedule: [{ kind: 'burst', label: 'ping' }],
      claims: [claim('coldstart.warmMedian'), claim('label.pong.coldFraction'), claim('label.ping.coldFraction.tenant-b'), claim('label.ping.coldFraction')],
    });
    const problems = checkClaimMetrics(definition);
    expect(problems.map((p) => p.path)).toEqual(['claims[0].metric', 'claims[1].metric', 'claims[2].metric']);
    expect(problems[0]!.message).toMatch(/not a metric of the coldstart analysis; did you mean "coldstart\.warmMedianMs"/);
    expect(problems[1]!.message).toMatch(/burst label "pong", which the schedule does not use \(labels: ping\)/);
    expect(problems[2]!.message).toMatch(/tenant "b"/);
  });

  test('placeholders match what the analyses name', () => {
    expect(matchMetric('coldstart', 'coldstart.coldMedianMs.m128')?.values).toEqual({ memoryMb: '128' });
    expect(matchMetric('contention', 'contention.ioSlowdown')?.values).toEqual({ kind: 'io' });
    expect(matchMetric('placement', 'label.ping-5m.latencyMedianMs')?.values).toEqual({ label: 'ping-5m' });
    expect(matchMetric('placement', 'coldstart.coldMedianMs')).toBeNull();
  });
});
