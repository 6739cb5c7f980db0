/**
 * Catalog studies run for real on the local platform (real probe and driver
 * bundles, real processes), at small scale, each checked against the
 * platform's ground truth: coldstart, placement, isolation, scalability.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expectNoProcessLeft, expectOneRecordPerPlannedRequest, okRecords, runStudy, truthInstanceOf } from './support/e2e';

describe('coldstart (modern profile, both runtimes)', () => {
  test('cold requests start their own instance, warm requests reuse one; one record per request; a report', async () => {
    const { result, records, truth, manifest } = await runStudy(
      'coldstart',
      { memoryMb: [128, 1024], runtimes: ['nodejs', 'python'], rounds: 2, concurrent: 2 },
      { report: true },
    );
    expect(result.status).toBe('completed');
    expectOneRecordPerPlannedRequest(result.plan, records);
    const ok = okRecords(records);
    expect(ok).toHaveLength(records.length);

    const cold = ok.filter((r) => r.label === 'cold');
    const warm = ok.filter((r) => r.label === 'warm');
    expect(cold.every((r) => r.response.instance.cold)).toBe(true);
    expect(new Set(cold.map((r) => r.response.instance.id)).size).toBe(cold.length);
    expect(warm.every((r) => !r.response.instance.cold)).toBe(true);
    // A warm request reuses an instance of its own function started by the cold burst of its round.
    for (const r of warm) {
      const instance = truthInstanceOf(truth, r.response.instance.id);
      expect(instance.function).toBe(r.target);
      expect(cold.some((c) => c.response.instance.id === r.response.instance.id && c.step < r.step)).toBe(true);
    }
    // Both runtimes really ran: the Python probe answered the python variants.
    expect(new Set(ok.map((r) => r.response.runtime))).toEqual(new Set(['nodejs', 'python']));
    for (const r of ok) expect(r.response.runtime).toBe(r.target.startsWith('py-') ? 'python' : 'nodejs');
    // Every instance the platform started answered exactly its cold request.
    expect(truth.instances).toHaveLength(cold.length);

    expect(manifest.status).toBe('completed');
    expect(manifest.local).toMatchObject({ profile: 'modern', timeScale: 1 });
    expect(manifest.bundles.probe).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.notes.join(' ')).toMatch(/embedded local platform/);
    expect(result.report).not.toBeNull();
    expect(existsSync(result.report!.reportPath)).toBe(true);
    expect(readFileSync(result.report!.reportPath, 'utf8')).toMatch(/Emulated platform/);
    // The ground truth lives outside the run's folder.
    expect(path.relative(result.runDir, result.groundTruthPath).startsWith('..')).toBe(true);
    expectNoProcessLeft(truth);
  });
});

describe('placement (aws-2018)', () => {
  test('hosts fill up to 3,328 MB of instance memory and never beyond, first fit, one tenant per host', async () => {
    const { result, records, truth } = await runStudy('placement', { functions: 8, rounds: 1, barrierMs: 1500 }, { profile: 'aws-2018' });
    expect(result.status).toBe('completed');
    expectOneRecordPerPlannedRequest(result.plan, records);
    expect(okRecords(records)).toHaveLength(records.length);

    const peaks = truth.hosts.map((h) => h.peakMemoryMb);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(3328);
    // Bin-packing reaches the ceiling: the fullest host is within the smallest instance of 3,328 MB.
    const smallest = Math.min(...result.plan.functions.map((f) => f.memoryMb));
    expect(Math.max(...peaks)).toBeGreaterThan(3328 - smallest);
    // First fit: a host was opened only when no host had room.
    for (const i of truth.instances) if (i.newHost) expect(i.hostsWithRoom).toBe(0);
    for (const h of truth.hosts) expect(h.tenantsSeen).toHaveLength(1);

    // The probes saw their own host's signals: instances on one host report one boot time and
    // sandbox root, instances on different hosts never share both.
    const byHost = new Map<string, Set<string>>();
    for (const r of okRecords(records)) {
      const host = truthInstanceOf(truth, r.response.instance.id).host;
      const signal = `${r.response.host.bootTime}|${r.response.host.cgroup?.[0]?.split('/')[1]}|${r.response.host.hostname}`;
      byHost.set(host, (byHost.get(host) ?? new Set()).add(signal));
    }
    const signals = [...byHost.values()].map((s) => [...s]);
    expect(signals.every((s) => s.length === 1)).toBe(true);
    expect(new Set(signals.map((s) => s[0])).size).toBe(byHost.size);
    expectNoProcessLeft(truth);
  });
});

describe('isolation', () => {
  const sets = { functionsPerTenant: 3, instancesPerFunction: 2, rounds: 1, barrierMs: 1000 };

  test('aws-2018: no host ever carries two tenants', async () => {
    const { result, records, truth } = await runStudy('isolation', sets, { profile: 'aws-2018' });
    expectOneRecordPerPlannedRequest(result.plan, records);
    expect(new Set(truth.instances.map((i) => i.tenant))).toEqual(new Set(['a', 'b']));
    for (const h of truth.hosts) expect(h.tenantsSeen).toHaveLength(1);
    expectNoProcessLeft(truth);
  });

  test('azure-2018: tenants share hosts, visible to the probes as one host fingerprint', async () => {
    const { result, records, truth } = await runStudy('isolation', sets, {
      profile: 'azure-2018',
      profileSet: { 'lifecycle.initDelayMs': { min: 0, max: 0 } },
    });
    expectOneRecordPerPlannedRequest(result.plan, records);
    const mixed = truth.hosts.filter((h) => h.tenantsSeen.length > 1);
    expect(mixed.length).toBeGreaterThanOrEqual(1);
    const fingerprints = new Map<string, Set<string>>();
    for (const r of okRecords(records)) {
      const key = `${r.response.host.bootTime}|${r.response.host.hostname}`;
      const tenant = truthInstanceOf(truth, r.response.instance.id).tenant;
      fingerprints.set(key, (fingerprints.get(key) ?? new Set()).add(tenant));
    }
    expect([...fingerprints.values()].some((t) => t.size > 1)).toBe(true);
    expectNoProcessLeft(truth);
  });
});

describe('scalability', () => {
  const sets = { step: 6, maxConcurrency: 12, barrierMs: 1000 };
  const instancesPerLevel = (run: Awaited<ReturnType<typeof runStudy>>) =>
    run.result.plan.steps
      .filter((s) => s.kind === 'burst')
      .map((s) => ({
        level: s.kind === 'burst' ? s.requests : 0,
        instances: new Set(okRecords(run.records).filter((r) => r.step === s.index).map((r) => r.response.instance.id)).size,
      }));

  test('aws-2018: one instance per concurrent request', async () => {
    const run = await runStudy('scalability', sets, { profile: 'aws-2018' });
    expectOneRecordPerPlannedRequest(run.result.plan, run.records);
    expect(instancesPerLevel(run)).toEqual([
      { level: 6, instances: 6 },
      { level: 12, instances: 12 },
    ]);
    // aws-2018 updates lazily: after the refresh, some level-12 requests may reach idle instances of
    // the old configuration (the update-consistency finding); every other request cold-started.
    const level12 = run.result.plan.steps.filter((s) => s.kind === 'burst')[1]!.index;
    const served = run.truth.invocations.filter((i) => i.step === level12);
    expect(served.filter((i) => i.cold).length + served.filter((i) => i.stale).length).toBe(12);
    const refresh = run.result.plan.steps[level12 - 1]!;
    expect(refresh.kind).toBe('update');
    const level12Generation = refresh.kind === 'update' ? refresh.generation : '';
    expect(run.truth.instances.filter((i) => i.generation === level12Generation)).toHaveLength(served.filter((i) => i.cold).length);
    expectNoProcessLeft(run.truth);
  });

  test('azure-2018: at most 10 instances per function; the rest queue and succeed', async () => {
    const run = await runStudy('scalability', sets, { profile: 'azure-2018', profileSet: { 'lifecycle.initDelayMs': { min: 0, max: 0 } } });
    expect(okRecords(run.records)).toHaveLength(run.records.length);
    expect(instancesPerLevel(run)).toEqual([
      { level: 6, instances: 6 },
      { level: 12, instances: 10 },
    ]);
    expectNoProcessLeft(run.truth);
  });

  test('gcp-2018: about half the requested instances', async () => {
    const run = await runStudy('scalability', sets, { profile: 'gcp-2018' });
    expect(okRecords(run.records)).toHaveLength(run.records.length);
    for (const { level, instances } of instancesPerLevel(run)) {
      expect(instances).toBeGreaterThanOrEqual(Math.floor(level / 2));
      expect(instances).toBeLessThanOrEqual(Math.ceil(level / 2) + 1);
    }
    // The queued requests started their task only after an instance freed up, after the barrier.
    const queued = run.truth.invocations.filter((i) => !i.cold);
    expect(queued.length).toBeGreaterThan(0);
    expectNoProcessLeft(run.truth);
  });
});
