/**
 * What every twin does with the run it fetched (twins/run-dir.ts): a run its orchestrator left
 * `running` (Ctrl-C, or an execution that died) is closed honestly, with the same code that closes a
 * local run (local/run-state/close-run.ts): the step that was running has its missing shards of
 * unknown fate, later steps are skipped, every written shard is kept; and the run is read as the
 * analysis reads one, so a FIFO named like a shard is one line, not a hang.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { planStudy } from '../../experiments/plan';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { writeFallbackShard } from '../../local/orchestrator/fallback-records';
import { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { runPrefix, shardKey } from '../../probe-runtime/contracts/bucket-layout';
import { makeDriverDeps } from '../../probe-runtime/driver/host';
import { runDriverEvent } from '../../probe-runtime/driver/run-driver-event';
import { createLocalDirSink } from '../../probe-runtime/driver/sinks/local-dir';
import { endTwinRun } from '../../twins/run-dir';
import { scratchDir } from '../support/scratch-dirs';

const RUN = 'twin-stopped';

/** A Cloudflare run as the twin fetches it when stopped during its second burst step: start-run done, the first burst's shards written. */
async function stoppedRun(): Promise<{ plan: StudyPlan; runDir: string; bursts: BurstStep[] }> {
  const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'cloudflare' });
  const bursts = plan.steps.filter((s): s is BurstStep => s.kind === 'burst');
  expect(bursts.length).toBeGreaterThanOrEqual(3);
  const out = scratchDir('curtain-twin-run-');
  const sink = createLocalDirSink(out);
  const deployment = { v: 1 as const, provider: 'cloudflare' as const, region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, f.key])) };
  const deps = makeDriverDeps({ plan, deployment }, { invoker: { name: 'none', invoke: () => Promise.reject(new Error('no sends')) }, sink });
  await runDriverEvent({ v: 1, action: 'start-run', study: plan.study.id, run: RUN, planHash: plan.hash }, deps);
  for (let shard = 0; shard < bursts[0]!.shards; shard++) {
    await writeFallbackShard(sink, plan, RUN, bursts[0]!, shard, { status: 'error', error: 'stands for an answered request' });
  }
  return { plan, runDir: path.join(out, ...runPrefix(plan.study.id, RUN).split('/')), bursts };
}

const records = (runDir: string, plan: StudyPlan, step: BurstStep, shard: number) =>
  readFileSync(path.join(runDir, '..', '..', ...shardKey(plan.study.id, RUN, step.id, shard).split('/')), 'utf8')
    .trim()
    .split('\n')
    .map((line) => InvocationRecord.parse(JSON.parse(line)));

test('a stopped run is closed honestly: written shards kept, the running step of unknown fate, later steps skipped, run.json interrupted', async () => {
  const { plan, runDir, bursts } = await stoppedRun();
  const stop = new AbortController();
  stop.abort();
  const lines: string[] = [];
  const end = await endTwinRun(runDir, { closedBy: 'curtain run --target cloudflare (pid 1)', signal: stop.signal, failure: null, log: (l) => lines.push(l) });
  expect(end).toEqual({ runStatus: 'interrupted', records: plan.invocations });
  const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
  expect(manifest).toMatchObject({ status: 'interrupted', stepsCompleted: bursts[1]!.index });
  expect(manifest.endedAt).not.toBeNull();
  expect(manifest.notes.join(' ')).toMatch(/closed by curtain run --target cloudflare \(pid 1\).*stopped \(Ctrl-C or SIGTERM\)/);
  expect(manifest.failures.map((f) => f.step)).toEqual(Array.from({ length: bursts[1]!.shards }, () => bursts[1]!.index));
  expect(records(runDir, plan, bursts[0]!, 0).every((r) => r.error === 'stands for an answered request')).toBe(true);
  expect(records(runDir, plan, bursts[1]!, 0).every((r) => r.status === 'error' && r.attempts === 0 && /may have been sent/.test(r.error ?? ''))).toBe(true);
  for (const later of bursts.slice(2)) expect(records(runDir, plan, later, 0).every((r) => r.status === 'skipped')).toBe(true);
  expect(lines.join('\n')).toMatch(/run\.json closed as interrupted/);
  // Closed once: a second end changes nothing.
  expect(await endTwinRun(runDir, { closedBy: 'again', failure: null, log: () => undefined })).toEqual(end);
});

test('a shard that is a FIFO is refused in one line naming it, open run or closed (the twin does not hang reading it)', async () => {
  const { plan, runDir, bursts } = await stoppedRun();
  const fifo = path.join(runDir, '..', '..', ...shardKey(plan.study.id, RUN, bursts[0]!.id, 0).split('/'));
  const end = () => endTwinRun(runDir, { closedBy: 'test', failure: null, log: () => undefined }).catch((error: Error) => error);
  rmSync(fifo);
  execFileSync('mkfifo', [fifo]);
  // Left running: closing it reads the shards.
  expect(String(await end())).toMatch(/000\.jsonl is not a regular file$/);
  rmSync(fifo);
  await writeFallbackShard(createLocalDirSink(path.dirname(path.dirname(runDir))), plan, RUN, bursts[0]!, 0, { status: 'error', error: 'answered' });
  expect(await end()).toMatchObject({ runStatus: 'interrupted' });
  // Closed: counting its records reads them as the analysis does.
  rmSync(fifo);
  execFileSync('mkfifo', [fifo]);
  expect(String(await end())).toMatch(/000\.jsonl: not a regular file \(a FIFO\): refused$/);
});
