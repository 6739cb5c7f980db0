/**
 * The Cloudflare Workers bundles in the vendor's runtime: workerd, started by
 * miniflare (no emulation of ours between driver and probes). The probe
 * answers as a module Worker with isolate-level identity; a small catalog
 * study runs end to end through the driver Worker, its service bindings, the
 * CurtainRun Workflow and R2, and lands in the bucket layout with one record
 * per planned request. Every workerd this test starts is ended by PID in
 * afterEach, whatever happened.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { probeBundleName } from '../../../probe-runtime/contracts/bundle-manifest';
import { readBundleModule } from '../../../stacks/cloudflare/bundle-module';
import { COMPATIBILITY_FLAGS } from '../../../stacks/cloudflare/names';
import { runInWorkerd } from '../../../stacks/cloudflare/twin/run-in-workerd';
import { killWorkerdChildren, workerdChildPids } from '../../../stacks/cloudflare/twin/workerd-processes';
import type { RuntimeBundles } from '../../../local/run/runtime-bundles';
import { testRuntimeBundles } from '../../local/support/runtime-bundles';
import { probeRequest } from '../../probe-runtime/probe/helpers';

let bundles: RuntimeBundles;
const out = mkdtempSync(path.join(os.tmpdir(), 'curtain-workerd-'));

beforeAll(async () => {
  bundles = await testRuntimeBundles();
}, 300_000);
afterEach(() => {
  killWorkerdChildren();
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  expect(workerdChildPids()).toEqual([]);
});

test('the probe bundle answers in workerd as a module Worker: isolate identity, cold then warm, bad input named', async () => {
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'index.js', contents: readBundleModule(bundles, probeBundleName('cloudflare')) }],
    compatibilityDate: planStudy(buildCatalogStudy('accounting'), { provider: 'cloudflare' }).functions[0]!.runtimeVersion,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings: { CURTAIN_GENERATION: 'g7', CURTAIN_FUNCTION: 'node-m128-a-0' },
  });
  try {
    const post = (body: unknown) => mf.dispatchFetch('http://probe.internal/', { method: 'POST', body: JSON.stringify(body) });
    const first = (await (await post(probeRequest())).json()) as { instance: { id: string; cold: boolean; invocation: number }; generation: string; host: { bootTime: unknown; cpuModel: unknown }; probe: string };
    // workerd runs as this process's child (what afterEach ends by PID).
    expect(workerdChildPids().length).toBeGreaterThan(0);
    const second = (await (await post(probeRequest({ name: 'sleep', ms: 20 }))).json()) as typeof first & { task: { ok: boolean } };
    expect(first).toMatchObject({ probe: 'node@1', generation: 'g7', instance: { cold: true, invocation: 1 } });
    expect(second).toMatchObject({ instance: { id: first.instance.id, cold: false, invocation: 2 }, task: { ok: true } });
    // An isolate has no /proc: host fields are null, not invented.
    expect(first.host).toMatchObject({ bootTime: null, cpuModel: null });
    const bad = await post({ ...probeRequest(), study: '' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid probe request: study/);
    expect((await mf.dispatchFetch('http://probe.internal/')).status).toBe(405);
  } finally {
    await mf.dispose();
  }
}, 120_000);

const SMALL: [string, Record<string, unknown>][] = [
  ['accounting', { rounds: 2, backgroundMs: 200, gapSeconds: 1, memoryMb: [128] }],
  ['coldstart', { rounds: 2 }],
  ['update-consistency', { rounds: 1, concurrent: 2, burstsAfter: 1, intervalSeconds: 1 }],
];

test.each(SMALL)('%s runs end to end in workerd: one record per planned request, in the bucket layout, updates as new versions', async (study, parameters) => {
  const plan = planStudy(buildCatalogStudy(study, parameters), { provider: 'cloudflare' });
  const lines: string[] = [];
  const { runDir } = await runInWorkerd(plan, { outDir: out, bundles, log: (l) => lines.push(l) });
  const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { status: string; provider: string; stepsCompleted: number; failures: unknown[] };
  expect(run).toMatchObject({ status: 'completed', provider: 'cloudflare', stepsCompleted: plan.steps.length, failures: [] });
  expect(existsSync(path.join(runDir, 'plan.json'))).toBe(true);
  const shardFiles = readdirSync(path.join(runDir, 'steps'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
  const records = shardFiles.flatMap((f) =>
    readFileSync(path.join(runDir, 'steps', f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => InvocationRecord.parse(JSON.parse(line))),
  );
  expect(records).toHaveLength(plan.invocations);
  expect(records.every((r) => r.status === 'ok' && r.provider === 'cloudflare')).toBe(true);
  // After each update the probe answers with the step's generation from a new isolate (a new version);
  // before any update, with the generation it was deployed with.
  const steps = plan.steps;
  for (const r of records) {
    const update = [...steps.slice(0, r.step)].reverse().find((s) => s.kind === 'update' && s.function === r.target);
    expect(r.response?.generation).toBe(update?.kind === 'update' ? update.generation : 'g0');
  }
  const updates = steps.filter((s) => s.kind === 'update').length;
  // workerd runs one isolate per Worker version: one instance per (function, generation) that was asked.
  expect(new Set(records.map((r) => r.response?.instance.id)).size).toBe(new Set(records.map((r) => `${r.target}/${r.response?.generation}`)).size);
  expect(lines.filter((l) => /new version of/.test(l))).toHaveLength(updates);
  expect(lines.some((l) => /completed; \d+ objects copied/.test(l))).toBe(true);
}, 240_000);

test('waits anchored to the run\'s start end at run.json startedAt + untilSeconds in workerd\'s Workflow engine (step.sleepUntil), whatever the bursts before took', async () => {
  const plan = planStudy(
    {
      id: 'anchored-workerd',
      title: 'Anchored waits in workerd',
      summary: 'Bursts on anchors 3 s and 6 s after the run starts.',
      paper: { experiment: 'E6', section: 'test' },
      providers: ['cloudflare'],
      functions: { memoryMb: [128] },
      schedule: [
        { kind: 'burst', label: 'first', requestsPerTarget: 1 },
        { kind: 'wait', untilSeconds: 3 },
        { kind: 'burst', label: 'a', requestsPerTarget: 2 },
        { kind: 'wait', untilSeconds: 6 },
        { kind: 'burst', label: 'b', requestsPerTarget: 1 },
      ],
      analysis: { kind: 'coldstart' },
      budget: { maxInvocations: 100, maxUsd: 1 },
    },
    { provider: 'cloudflare' },
  );
  const { runDir } = await runInWorkerd(plan, { outDir: out, bundles, log: () => undefined });
  const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { status: string; startedAt: string; failures: unknown[] };
  expect(run).toMatchObject({ status: 'completed', failures: [] });
  const records = readdirSync(path.join(runDir, 'steps'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(runDir, 'steps', f), 'utf8').split('\n').filter(Boolean))
    .map((line) => InvocationRecord.parse(JSON.parse(line)));
  expect(records).toHaveLength(plan.invocations);
  const started = Date.parse(run.startedAt);
  for (const wait of plan.steps) {
    if (wait.kind !== 'wait' || wait.untilSeconds === undefined) continue;
    const first = Math.min(...records.filter((r) => r.step === wait.index + 1).map((r) => r.sentAt!));
    const due = started + wait.untilSeconds * 1000;
    // workerd's clock advances at I/O, so a send may be stamped a few ms before the timer's instant.
    expect(first).toBeGreaterThanOrEqual(due - 50);
    expect(first - due).toBeLessThan(3000);
  }
}, 240_000);

test('workerd failing to start is one line naming it, and leaves no process', async () => {
  const plan = planStudy(buildCatalogStudy('accounting', { rounds: 1, backgroundMs: 200, gapSeconds: 1, memoryMb: [128] }), { provider: 'cloudflare' });
  // A compatibility date in the future: workerd refuses to start with it.
  const future = { ...plan, functions: plan.functions.map((f) => ({ ...f, runtimeVersion: '2999-01-01' })) };
  const failure = await runInWorkerd(future, { outDir: out, bundles, log: () => undefined }).catch((error: Error) => error);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).message).toMatch(/^curtain: workerd \(the Workers runtime.*\) failed: [^\n]+$/);
  expect(workerdChildPids()).toEqual([]);
}, 120_000);
