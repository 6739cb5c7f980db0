import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StudyPlan } from '../../../experiments/plan-schema';
import { planKey, runManifestKey } from '../../../probe-runtime/contracts/bucket-layout';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';
import { DriverRefusedError } from '../../../probe-runtime/driver/errors';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { testPlan } from './support/plan-fixture';

const plan = testPlan();
const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash } as const;
const bundles = { probe: 'a'.repeat(64), driver: 'b'.repeat(64), pythonProbe: null };
// No burst in these tests: an endpoint nobody listens on proves nothing is invoked.
const deps = (dir: string) => localDeps(plan, 'http://127.0.0.1:9', dir, { bundles });

describe('start-run and finish-run', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('lifecycle');
  });
  afterEach(() => tmp.remove());
  const readManifest = () => RunManifest.parse(JSON.parse(readFileSync(path.join(tmp.dir, runManifestKey(plan.study.id, RUN)), 'utf8')));

  test('start-run writes the plan and an open run.json with provenance', async () => {
    const summary = await runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir));
    expect(summary).toEqual({ v: 1, action: 'start-run', study: 'drivertest', run: RUN, keys: { plan: planKey('drivertest', RUN), run: runManifestKey('drivertest', RUN) } });
    const stored = StudyPlan.parse(JSON.parse(readFileSync(path.join(tmp.dir, planKey(plan.study.id, RUN)), 'utf8')));
    expect(stored).toEqual(plan);
    const manifest = readManifest();
    expect(manifest).toMatchObject({
      study: 'drivertest',
      run: RUN,
      provider: 'local',
      region: plan.region,
      planHash: plan.hash,
      tool: { name: 'curtain', version: '0.0.0-test' },
      bundles,
      status: 'running',
      endedAt: null,
      stepsTotal: 3,
      stepsCompleted: 0,
      failures: [],
    });
    expect(Math.abs(Date.parse(manifest.startedAt) - Date.now())).toBeLessThan(5000);
  });

  test('start-run records the template hash its execution was started with (AWS: `curtain start` and the twin pass it), and ignores the input\'s other keys', async () => {
    await runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir));
    expect(readManifest().templateHash).toBeNull();
    tmp.remove();
    tmp = tempDir('lifecycle');
    await runDriverEvent({ ...common, action: 'start-run', execution: { run: RUN, templateHash: 'c'.repeat(64) } }, deps(tmp.dir));
    expect(readManifest().templateHash).toBe('c'.repeat(64));
  });

  test('a template hash that is not one is refused with the path', async () => {
    await expect(runDriverEvent({ ...common, action: 'start-run', execution: { templateHash: 'nope' } }, deps(tmp.dir))).rejects.toThrow(/execution\.templateHash/);
  });

  test('finish-run closes run.json with status, end time, steps completed and failures, keeping the start', async () => {
    await runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir));
    const startedAt = readManifest().startedAt;
    const failures = [{ step: 2, shard: 0, message: 'driver shard died' }];
    const summary = await runDriverEvent({ ...common, action: 'finish-run', status: 'failed', stepsCompleted: 2, failures }, deps(tmp.dir));
    expect(summary).toMatchObject({ action: 'finish-run', status: 'failed', key: runManifestKey('drivertest', RUN) });
    const manifest = readManifest();
    expect(manifest).toMatchObject({ status: 'failed', stepsCompleted: 2, failures, startedAt });
    expect(Date.parse(manifest.endedAt!)).toBeGreaterThanOrEqual(Date.parse(startedAt));
  });

  test('a repeated start-run keeps the start time; a start-run after the run ended is refused', async () => {
    await runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir));
    const first = readManifest().startedAt;
    await new Promise((r) => setTimeout(r, 5));
    await runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir));
    expect(readManifest().startedAt).toBe(first);
    await runDriverEvent({ ...common, action: 'finish-run', status: 'completed', stepsCompleted: 3 }, deps(tmp.dir));
    await expect(runDriverEvent({ ...common, action: 'start-run' }, deps(tmp.dir))).rejects.toThrow(new DriverRefusedError(`run: ${RUN} already ended (completed); start a new run id`));
    expect(readManifest().status).toBe('completed');
  });

  test('finish-run without a run.json still closes the run and says so', async () => {
    await runDriverEvent({ ...common, action: 'finish-run', status: 'interrupted', stepsCompleted: 0 }, deps(tmp.dir));
    const manifest = readManifest();
    expect(manifest.status).toBe('interrupted');
    expect(manifest.notes).toContain('run.json was missing when the run finished; startedAt is the finish time');
  });

  test('finish-run refuses steps the plan does not have', async () => {
    await expect(runDriverEvent({ ...common, action: 'finish-run', status: 'completed', stepsCompleted: 4 }, deps(tmp.dir))).rejects.toThrow(
      /^stepsCompleted: 4 exceeds the plan's 3 steps$/,
    );
    await expect(
      runDriverEvent({ ...common, action: 'finish-run', status: 'failed', stepsCompleted: 1, failures: [{ step: 7, shard: null, message: 'x' }] }, deps(tmp.dir)),
    ).rejects.toThrow(/^failures\[0\]\.step: the plan has no step 7$/);
  });

  test('a corrupt run.json is reported, not overwritten', async () => {
    const sink = deps(tmp.dir).sink;
    await sink.put(runManifestKey(plan.study.id, RUN), '{"v":1,"study":', 'application/json');
    await expect(runDriverEvent({ ...common, action: 'finish-run', status: 'completed', stepsCompleted: 3 }, deps(tmp.dir))).rejects.toThrow(
      /run\.json: not JSON/,
    );
    expect(await sink.get(runManifestKey(plan.study.id, RUN))).toBe('{"v":1,"study":');
  });

  test('a deployment for another plan is refused', async () => {
    const d = deps(tmp.dir);
    await expect(runDriverEvent({ ...common, action: 'start-run' }, { ...d, deployment: { ...d.deployment, planHash: '0'.repeat(64) } })).rejects.toThrow(
      /^deployment\.planHash 0{64} does not match the deployed plan/,
    );
  });
});
