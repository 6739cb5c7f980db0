/**
 * The analysis against the local platform's ground truth: real study runs (real probe and
 * driver bundles, real processes, emulated hosts), analysed from their records alone, then
 * compared with what the platform knows (local/ground-truth.ts), which the analysis never reads.
 */
import type { RunAnalysis } from '../../analysis';
import { analyzeRun } from '../../analysis';
import type { GroundTruth } from '../../local/ground-truth';
import { runStudy } from '../local/support/e2e';

/**
 * Fraction of answering instances placed on "the right host": inferred hosts are matched to true
 * hosts one to one (each inferred host to the true host most of its instances are on, each true
 * host claimed by at most one inferred host); an instance is right when its inferred host is
 * matched to its true host. Splitting a true host or merging two both cost instances.
 */
function hostAccuracy(a: RunAnalysis, truth: GroundTruth): { right: number; total: number } {
  const trueHostOf = new Map(truth.instances.filter((i) => i.probeInstanceId).map((i) => [i.probeInstanceId!, i.host]));
  const claimed = new Map<string, string>(); // true host → inferred host
  const matchOf = new Map<string, string>(); // inferred host → true host
  const byMembers = [...a.hosts.hosts].sort((x, y) => y.instances.length - x.instances.length);
  for (const h of byMembers) {
    const counts = new Map<string, number>();
    for (const i of h.instances) counts.set(trueHostOf.get(i.id)!, (counts.get(trueHostOf.get(i.id)!) ?? 0) + 1);
    const [best] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0]!;
    if (!claimed.has(best)) {
      claimed.set(best, h.id);
      matchOf.set(h.id, best);
    }
  }
  const answered = a.hosts.instances;
  let right = 0;
  for (const [instance, host] of a.hosts.hostOf) if (matchOf.get(host.id) === trueHostOf.get(instance)) right += 1;
  return { right, total: answered };
}

describe('analysis of real local runs against the ground truth', () => {
  test('placement on aws-2018: ≥ 99 % of instances on the right host; bin-packing recovered', async () => {
    const { result, truth } = await runStudy('placement', { functions: 10, rounds: 2, barrierMs: 1500 }, { profile: 'aws-2018' });
    const a = await analyzeRun(result.runDir);
    expect(a.stream.malformed).toBe(0);
    const { right, total } = hostAccuracy(a, truth);
    expect(total).toBe(truth.instances.filter((i) => i.probeInstanceId).length);
    expect(right / total).toBeGreaterThanOrEqual(0.99);
    expect(a.hosts.hosts.length).toBe(truth.hosts.filter((h) => truth.instances.some((i) => i.host === h.id && i.probeInstanceId)).length);
    // The fullest host the analysis saw carried at most what the platform allows, close to its ceiling.
    const maxMemory = a.metrics.get('placement.maxHostMemoryMb')!.value as number;
    expect(maxMemory).toBeLessThanOrEqual(3328);
    expect(maxMemory).toBeLessThanOrEqual(Math.max(...truth.hosts.map((h) => h.peakMemoryMb)));
    expect(a.metrics.get('placement.binPacked')!.value).toBe(true);
    // The profile's binpack policy sets this (by construction); the comparison alone agrees.
    const packing = a.claims.checked.find((c) => c.claim.id === 'aws-bin-packing')!;
    expect([packing.verdict, packing.comparison]).toEqual(['by construction', 'consistent']);
    expect(a.platform).toMatchObject({ emulated: true, profile: 'aws-2018', modelled: 'aws' });
  });

  test('isolation on azure-2018: the hosts shared by tenants are the ones the platform shared', async () => {
    const { result, truth } = await runStudy(
      'isolation',
      { functionsPerTenant: 3, instancesPerFunction: 2, rounds: 1, barrierMs: 1000 },
      { profile: 'azure-2018', profileSet: { 'lifecycle.initDelayMs': { min: 0, max: 0 } } },
    );
    const a = await analyzeRun(result.runDir);
    const { right, total } = hostAccuracy(a, truth);
    expect(right / total).toBeGreaterThanOrEqual(0.99);
    const answered = new Set(a.hosts.hostOf.keys());
    const tenantsByHost = new Map<string, Set<string>>();
    for (const i of truth.instances) {
      if (!i.probeInstanceId || !answered.has(i.probeInstanceId)) continue;
      tenantsByHost.set(i.host, (tenantsByHost.get(i.host) ?? new Set()).add(i.tenant));
    }
    const shared = [...tenantsByHost.values()].filter((t) => t.size > 1).length;
    expect(a.metrics.get('isolation.crossTenantHosts')!.value).toBe(shared);
    expect(shared).toBeGreaterThanOrEqual(1);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict, c.comparison])).toEqual([['azure-cross-tenant-hosts', 'by construction', 'consistent']]);
  });

  test('idle recycling on aws-2018: every survivor and every recycled instance the analysis reports is so in the ground truth', async () => {
    const { result, truth } = await runStudy('idle-recycling', { instances: 3, gapsMinutes: [5, 40] }, { profile: 'aws-2018', timeScale: 500 });
    const a = await analyzeRun(result.runDir);
    const table = a.output.sections.find((s) => s.title === 'Idle gaps')!.body;
    const afterIdle = result.plan.steps.filter((s) => s.kind === 'burst' && s.label === 'after-idle');
    expect(afterIdle).toHaveLength(2);
    for (const step of afterIdle) {
      if (step.kind !== 'burst') continue;
      const fn = step.targets[0]!;
      // When the burst reached the platform, which of the function's warmed instances were still alive?
      const arrived = Math.min(...truth.invocations.filter((i) => i.step === step.index).map((i) => i.receivedAt));
      const warmed = truth.instances.filter((i) => i.function === fn && i.startedAt < arrived);
      const alive = warmed.filter((i) => i.endedAt === null || i.endedAt > arrived).length;
      const row = table.split('\n').find((line) => line.startsWith(`| ${fn} |`))!;
      const [, , , idle, survived, recycled, unknown] = row.split('|').map((c) => c.trim());
      expect(Number(idle)).toBe(warmed.length);
      expect(Number(survived)).toBeLessThanOrEqual(alive);
      expect(Number(recycled)).toBeLessThanOrEqual(warmed.length - alive);
      if (Number(unknown) === 0) expect(Number(survived)).toBe(alive);
    }
    // 5 min is well inside the 21–27 min timeouts, 40 min beyond them (plus the scaled start-up time).
    expect(a.metrics.get('idle.maxSurvivedGapMinutes')!.interval).not.toBeNull();
    expect(a.metrics.get('idle.estimatedTimeoutMinutes')!.value as number).toBeGreaterThan(5);
  });
});
