import { analyzeRun } from '../../analysis';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** `sharedHosts` hosts carry both tenants; the rest are dedicated to one tenant. */
function isolationRun(provider: 'aws' | 'azure', sharedHosts: number) {
  const plan = catalogPlan('isolation', provider, { functionsPerTenant: 3, instancesPerFunction: 2, rounds: 1 });
  const run = new SyntheticRun(plan);
  const step = run.burst('launch');
  const tenantOf = (r: number) => plan.functions.find((f) => f.key === step.targets[r % step.targets.length])!.tenant;
  const shared = Array.from({ length: sharedHosts }, () => run.host());
  const dedicated = { a: run.host(), b: run.host() } as Record<string, ReturnType<typeof run.host>>;
  const used = new Map<string, Set<string>>();
  for (let r = 0; r < step.requests; r++) {
    const tenant = tenantOf(r);
    // Each shared host gets one instance of each tenant; everything else goes to the tenant's own host.
    const sharedHost = shared.find((h) => !(used.get(JSON.stringify(h.fingerprint)) ?? new Set()).has(tenant));
    const host = sharedHost ?? dedicated[tenant]!;
    const key = JSON.stringify(host.fingerprint);
    used.set(key, (used.get(key) ?? new Set()).add(tenant));
    run.record(step, r, { instance: run.instance(host) });
  }
  return run;
}

describe('isolation analysis on synthetic records', () => {
  test('counts exactly the hosts shared by tenants (Azure claim consistent)', async () => {
    const a = await analyzeRun(isolationRun('azure', 2).write(tmp()));
    expect(a.metrics.get('isolation.crossTenantHosts')!.value).toBe(2);
    expect(a.metrics.get('isolation.crossTenantInstanceFraction')!.value).toBeCloseTo(4 / 12, 6);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['azure-cross-tenant-hosts', 'consistent']]);
  });

  test('dedicated hosts: zero cross-tenant hosts (AWS claim consistent); one shared host makes it differ', async () => {
    const clean = await analyzeRun(isolationRun('aws', 0).write(tmp()));
    expect(clean.metrics.get('isolation.crossTenantHosts')!.value).toBe(0);
    expect(clean.claims.checked[0]!.verdict).toBe('consistent');
    const leaky = await analyzeRun(isolationRun('aws', 1).write(tmp()));
    expect(leaky.metrics.get('isolation.crossTenantHosts')!.value).toBe(1);
    expect(leaky.claims.checked[0]!.verdict).toBe('differs');
  });

  test('one tenant only: not measurable', async () => {
    const plan = catalogPlan('isolation', 'aws', { functionsPerTenant: 1, instancesPerFunction: 1, rounds: 1 });
    const run = new SyntheticRun(plan);
    const step = run.burst('launch');
    const host = run.host();
    // Only tenant a's request succeeds; tenant b's fails.
    run.record(step, 0, { instance: run.instance(host) });
    run.record(step, 1, { status: 'error' });
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('isolation.crossTenantHosts')!.reason).toMatch(/two tenants/);
    expect(a.ledger.byStatus.error).toBe(1);
  });
});
