/**
 * Faults on the local platform, end to end: whatever fails (instances crash,
 * hang or fail to start, hosts are slow, driver processes die), every planned
 * request still has exactly one record, run.json is closed, and no process outlives the run.
 */
import path from 'node:path';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { expectNoProcessLeft, expectOneRecordPerPlannedRequest, runStudy } from './support/e2e';
import { testRuntimeBundles } from './support/runtime-bundles';
import { bundleSet } from '../../probe-runtime/build/bundle-set';

const FAULT_STUDY = path.join(__dirname, 'fixtures', 'fault-study.json');

test('crashes, hangs, failed starts, slow hosts and dying drivers: one record per request, each failure named', async () => {
  const { result, records, truth, manifest } = await runStudy('', {}, {
    study: FAULT_STUDY,
    faults: { crash: 0.15, hang: 0.1, startFailure: 0.15, slowHosts: 0.5, driverCrash: 0.5, seed: 3 },
  });
  expectOneRecordPerPlannedRequest(result.plan, records);
  const errors = records.filter((r) => r.status === 'error');
  expect(records.filter((r) => r.status === 'ok').length).toBeGreaterThan(0);
  // Every failure the platform injected shows up in the records with its own message.
  expect(errors.some((r) => r.transportStatus === 502 && /crashed during the invocation/.test(r.error!))).toBe(true);
  expect(errors.some((r) => r.transportStatus === 504 && /timed out after 2 s/.test(r.error!))).toBe(true);
  expect(errors.some((r) => r.transportStatus === 502 && /failed to start/.test(r.error!))).toBe(true);
  for (const r of errors) expect([500, 502, 504]).toContain(r.transportStatus);
  const injected = truth.invocations.filter((i) => i.outcome === 'crashed' || i.outcome === 'timeout' || i.outcome === 'start-failed');
  expect(errors).toHaveLength(injected.length);
  expect(truth.hosts.some((h) => h.slow)).toBe(true);
  // Driver processes that died were retried: no step failed, the run completed.
  expect(result.failures).toEqual([]);
  expect(manifest.status).toBe('completed');
  expect(manifest.local?.faults.join(' ')).toMatch(/driver crash/);
  expectNoProcessLeft(truth);
});

test('burst shards whose driver always dies get error records, and the run is closed as failed', async () => {
  const real = await testRuntimeBundles();
  const bundles = bundleSet(REPO_ROOT, {
    ...real.manifest,
    bundles: { ...real.manifest.bundles, 'driver-local': { ...real.manifest.bundles['driver-local'], dir: 'test/local/fixtures', entry: 'burst-failing-driver.js' } },
  });
  const { result, records, truth, manifest } = await runStudy('', {}, { study: FAULT_STUDY, bundles });
  expectOneRecordPerPlannedRequest(result.plan, records);
  expect(records.every((r) => r.status === 'error' && /driver failed .*simulated failure/.test(r.error!))).toBe(true);
  expect(manifest.status).toBe('failed');
  expect(manifest.failures.map((f) => f.step)).toEqual(result.plan.steps.filter((s) => s.kind === 'burst').map((s) => s.index));
  expectNoProcessLeft(truth);
});

test('a plan whose runtime cannot be started here is refused before anything runs, with the reason', async () => {
  const real = await testRuntimeBundles();
  const { 'probe-python': _python, ...withoutPython } = real.manifest.bundles;
  const bundles = bundleSet(REPO_ROOT, { ...real.manifest, bundles: withoutPython as typeof real.manifest.bundles });
  await expect(runStudy('coldstart', { runtimes: ['nodejs', 'python'], memoryMb: [128], rounds: 1 }, { bundles })).rejects.toThrow(
    /this machine cannot run study coldstart:\n {2}- python: the probe-python bundle is missing[\s\S]*--set runtimes=/,
  );
});
