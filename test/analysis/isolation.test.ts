import { analyzeRun } from '../../analysis';
import { permutationTest } from '../../analysis/studies/covert-channel-pairs';
import { covertPattern } from '../../probe-runtime/contracts/covert-pattern';
import { catalogPlan, SyntheticRun, taskResult } from './synthetic/synthetic-run';
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

/**
 * A launch and a channel round: tenant a's four instances on one host, tenant b's on another, or (with
 * `intruder`) one of b's on a's host. A receiver on its sender's host is held up in the pattern's
 * 1-slots (`deaf` receivers hear nothing anyway: a channel that fails where fingerprints see a host).
 */
function channelRun(o: { intruder?: boolean; deaf?: Set<number> } = {}) {
  const plan = catalogPlan('isolation', 'aws', { functionsPerTenant: 2, instancesPerFunction: 2, rounds: 1, channelCopies: 2 });
  const run = new SyntheticRun(plan);
  const launch = run.burst('launch');
  const channel = run.burst('channel');
  const hosts = { a: run.host(), b: run.host() };
  const tenantOf = (key: string) => plan.functions.find((f) => f.key === key)!.tenant as 'a' | 'b';
  const byFunction = new Map<string, ReturnType<typeof run.instance>[]>();
  for (let r = 0; r < launch.requests; r++) {
    const key = launch.targets[r % launch.targets.length]!;
    const intruder = o.intruder && tenantOf(key) === 'b' && (byFunction.get(key)?.length ?? 0) === 0 && byFunction.size === 2;
    const instance = run.instance(hosts[intruder ? 'a' : tenantOf(key)]);
    byFunction.set(key, [...(byFunction.get(key) ?? []), instance]);
    run.record(launch, r, { instance });
  }
  // Request r of the channel goes to its (r mod 4)-th function's (r div 4)-th instance.
  const task = channel.task as { frames: number; bits: number; seed: number };
  const at = (r: number) => byFunction.get(channel.targets[r % channel.targets.length]!)![Math.floor(r / channel.targets.length)]!;
  const hostOf = (r: number) => JSON.stringify(at(r).host.fingerprint);
  for (let r = 0; r < channel.requests; r++) {
    const heldUp: string[] = [];
    const decoded: string[] = [];
    for (let f = 0; f < task.frames; f++) {
      if (f === r) {
        heldUp.push('');
        decoded.push('-'.repeat(task.bits));
        continue;
      }
      const pattern = covertPattern(task.seed, f, task.bits);
      const hears = hostOf(f) === hostOf(r) && !o.deaf?.has(r);
      const slots = pattern.map((bit) => Math.round(run.uniform(0, 8) + (hears && bit === 1 ? 50 : 0)));
      heldUp.push(slots.join(','));
      const top = new Set(slots.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]).slice(0, task.bits / 2).map(([, i]) => i));
      decoded.push(slots.map((_, i) => (top.has(i) ? '1' : '0')).join(''));
    }
    run.record(channel, r, {
      instance: at(r),
      task: taskResult('covert-channel', { frames: task.frames, framesRun: task.frames, bits: task.bits, bitMs: 200, seed: task.seed, ownFrame: r < task.frames ? r : null, decoded: decoded.join('.'), heldUp: heldUp.join('.'), mode: 'direct' }),
    });
  }
  return run;
}

describe('covert channel: fingerprint-vs-channel agreement per instance pair', () => {
  test('every pair on one host heard, none across hosts: full agreement, error rates 0 and about one half', async () => {
    const a = await analyzeRun(channelRun().write(tmp()));
    expect(a.metrics.get('isolation.channelPairs')!.value).toBe(4 * 7);
    expect(a.metrics.get('isolation.channelAgreement')!.value).toBe(1);
    expect(a.metrics.get('isolation.channelBitErrorRateSameHost')!.value).toBe(0);
    expect(a.metrics.get('isolation.channelBitErrorRateOtherHosts')!.value).toBeGreaterThan(0.25);
    expect(a.metrics.get('isolation.channelCrossTenantPairs')!.value).toBe(0);
    expect(a.output.sections.find((s) => s.title === 'Covert channel')!.body).toMatch(/agrees with the fingerprints on 28 of 28 pairs/);
  });

  test('a tenant-b instance on tenant a\'s host: the channel confirms the cross-tenant co-residency', async () => {
    const a = await analyzeRun(channelRun({ intruder: true }).write(tmp()));
    expect(a.metrics.get('isolation.crossTenantHosts')!.value).toBe(1);
    expect(a.metrics.get('isolation.channelAgreement')!.value).toBe(1);
    expect(a.metrics.get('isolation.channelCrossTenantPairs')!.value).toBeGreaterThan(0);
  });

  test('a receiver deaf to its own host disagrees with the fingerprints, and the report lists those pairs', async () => {
    const a = await analyzeRun(channelRun({ deaf: new Set([5]) }).write(tmp()));
    // Receiver 5 shares its host with two of the four senders.
    expect(a.metrics.get('isolation.channelAgreement')!.value).toBeCloseTo(26 / 28, 6);
    expect(a.output.sections.find((s) => s.title === 'Covert channel')!.body).toMatch(/Pairs where they disagree/);
  });

  test('a run without a channel round: the channel metrics say why they are missing', async () => {
    const a = await analyzeRun(isolationRun('aws', 0).write(tmp()));
    expect(a.metrics.get('isolation.channelAgreement')!.reason).toMatch(/no covert-channel burst/);
  });

  test('the permutation test: exact over the 12,870 labellings of 16 bits', () => {
    const pattern = covertPattern(1, 0, 16);
    const perfect = permutationTest(pattern.map((b) => b * 0.5), pattern, 'x');
    expect(perfect.contrast).toBeCloseTo(0.5, 9);
    expect(perfect.pValue).toBeCloseTo(1 / 12_870, 9);
    const flat = permutationTest(pattern.map(() => 0.1), pattern, 'x');
    expect(flat.pValue).toBe(1);
  });
});

