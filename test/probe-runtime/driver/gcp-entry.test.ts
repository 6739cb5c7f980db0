// The Google driver entry (adapters/gcp.ts) as Workflows calls it: an HTTP function answering
// 200/400/500; probes reached with ID tokens, results to GCS (loopback fakes: no GCS emulator installs here).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import type { HttpFunctionResponse } from '../../../probe-runtime/driver/adapters/gcp';
import { RUN, tempDir } from './support/driver-fixture';
import { startFakeGcs, startFakeMetadataServer } from './support/fake-google';
import { type FakeProbeServer, startFakeProbeServer } from './support/fake-probe-server';
import type { LoopbackServer } from './support/loopback-server';
import { burstStep, testPlan } from './support/plan-fixture';

const plan = testPlan({ requestsPerTarget: 2 }, 'gcp');
const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash };

function response(): HttpFunctionResponse & { code: number; body: unknown } {
  const res = {
    code: 0,
    body: undefined as unknown,
    status(code: number) {
      res.code = code;
      return res;
    },
    json(body: unknown) {
      res.body = body;
      return res;
    },
  };
  return res;
}

describe('Google driver entry', () => {
  let metadata: LoopbackServer;
  let gcs: Awaited<ReturnType<typeof startFakeGcs>>;
  let probes: FakeProbeServer;
  let tmp: ReturnType<typeof tempDir>;
  let driver: typeof import('../../../probe-runtime/driver/adapters/gcp').driver;
  const saved = { ...process.env };
  beforeAll(async () => {
    tmp = tempDir('gcp-entry');
    metadata = await startFakeMetadataServer();
    gcs = await startFakeGcs();
    probes = await startFakeProbeServer();
    writeFileSync(path.join(tmp.dir, 'plan.json'), JSON.stringify(plan));
    // URLs known only at deploy time arrive through CURTAIN_TARGETS, merged over deployment.json.
    writeFileSync(path.join(tmp.dir, 'deployment.json'), JSON.stringify({ v: 1, provider: 'gcp', region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, 'https://placeholder.invalid/'])) }));
    Object.assign(process.env, {
      CURTAIN_PLAN_FILE: path.join(tmp.dir, 'plan.json'),
      CURTAIN_DEPLOYMENT_FILE: path.join(tmp.dir, 'deployment.json'),
      CURTAIN_TARGETS: JSON.stringify(Object.fromEntries(plan.functions.map((f) => [f.key, `${probes.endpoint}/invoke/${f.key}`]))),
      CURTAIN_BUCKET: 'gcp-results',
      STORAGE_EMULATOR_HOST: gcs.origin,
      GCE_METADATA_HOST: metadata.host,
    });
    ({ driver } = await import('../../../probe-runtime/driver/adapters/gcp'));
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all([metadata.close(), gcs.close(), probes.close()]);
    tmp.remove();
  });

  test('a burst answers 200 with the summary, probes got ID tokens, the shard is in GCS', async () => {
    const res = response();
    await driver({ method: 'POST', body: { ...common, action: 'burst', step: burstStep(plan), shard: 0 } }, res);
    expect(res.code).toBe(200);
    const summary = BurstShardSummary.parse(res.body);
    expect(summary.counts.ok).toBe(4);
    expect(probes.arrivals.every((a) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(String(a.headers.authorization)))).toBe(true);
    expect(gcs.objects.get(`gcp-results/${summary.key}`)!.trimEnd().split('\n')).toHaveLength(4);
  });

  test('a refused event answers 400 (not retried by the workflow); other methods 405', async () => {
    const res = response();
    await driver({ method: 'POST', body: { ...common, planHash: '1'.repeat(64), action: 'start-run' } }, res);
    expect(res.code).toBe(400);
    expect(res.body).toMatchObject({ kind: 'refused', error: expect.stringMatching(/^planHash: /) });
    const get = response();
    await driver({ method: 'GET' }, get);
    expect(get.code).toBe(405);
  });
});
