// The AWS driver entry (adapters/aws.ts) as Lambda calls it: plan.json/deployment.json from
// CURTAIN_PLAN_FILE/CURTAIN_DEPLOYMENT_FILE, results to S3 (s3rver), probes through the Invoke API (loopback fake).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';
import { createS3Sink } from '../../../probe-runtime/driver/sinks/s3';
import { RUN, tempDir } from './support/driver-fixture';
import { startFakeLambda } from './support/fake-lambda';
import type { LoopbackServer } from './support/loopback-server';
import { burstStep, testPlan } from './support/plan-fixture';
import { type S3Emulator, startS3rver } from './support/s3rver';

const BUCKET = 'aws-entry-results';
const plan = testPlan({ requestsPerTarget: 4, concurrency: 1 }, 'aws');
const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash };
const bundles = { probe: 'c'.repeat(64), driver: 'd'.repeat(64), pythonProbe: null };

describe('AWS driver entry', () => {
  let s3: S3Emulator;
  let lambda: LoopbackServer;
  let tmp: ReturnType<typeof tempDir>;
  let handler: typeof import('../../../probe-runtime/driver/adapters/aws').handler;
  const saved = { ...process.env };
  beforeAll(async () => {
    tmp = tempDir('aws-entry');
    s3 = await startS3rver(path.join(tmp.dir, 's3'), BUCKET);
    // Answers after 100 ms, so a deadline can stop the burst part-way.
    lambda = await startFakeLambda(() => ({ delayMs: 100 }));
    writeFileSync(path.join(tmp.dir, 'plan.json'), JSON.stringify(plan));
    const targets = Object.fromEntries(plan.functions.map((f) => [f.key, f.name]));
    writeFileSync(path.join(tmp.dir, 'deployment.json'), JSON.stringify({ v: 1, provider: 'aws', region: 'us-east-1', planHash: plan.hash, targets, bundles }));
    Object.assign(process.env, {
      CURTAIN_PLAN_FILE: path.join(tmp.dir, 'plan.json'),
      CURTAIN_DEPLOYMENT_FILE: path.join(tmp.dir, 'deployment.json'),
      CURTAIN_BUCKET: BUCKET,
      CURTAIN_S3_ENDPOINT: s3.endpoint,
      CURTAIN_LAMBDA_ENDPOINT: lambda.origin,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
    ({ handler } = await import('../../../probe-runtime/driver/adapters/aws'));
  });
  afterAll(async () => {
    process.env = saved;
    await s3.close();
    await lambda.close();
    tmp.remove();
  });
  const sink = () => createS3Sink({ bucket: BUCKET, region: 'us-east-1', endpoint: s3.endpoint, credentials: s3.credentials });

  test('start-run writes run.json to S3 with the bundle hashes from deployment.json', async () => {
    await handler({ ...common, action: 'start-run' });
    const manifest = RunManifest.parse(JSON.parse((await sink().get(`${plan.study.id}/${RUN}/run.json`))!));
    expect(manifest).toMatchObject({ provider: 'aws', region: 'us-east-1', bundles, status: 'running' });
  });

  test('a burst invokes the functions named in deployment.json and writes its shard', async () => {
    const summary = BurstShardSummary.parse(await handler({ ...common, action: 'burst', step: burstStep(plan), shard: 0 }));
    expect(summary.counts.ok).toBe(8);
    expect(lambda.seen.map((r) => decodeURIComponent(r.url.pathname.split('/')[3]!)).slice(0, 2)).toEqual(plan.functions.map((f) => f.name));
    expect((await sink().get(summary.key))!.trimEnd().split('\n')).toHaveLength(8);
  });

  test('near the Lambda deadline the driver stops sending and still writes the shard', async () => {
    // Reserve = the longest step timeout + 10 s; 250 ms more than that leaves time for about two sequential requests.
    const reserve = Math.max(...plan.steps.map((s) => (s.kind === 'burst' ? s.timeoutMs : 0))) + 10_000;
    const summary = BurstShardSummary.parse(await handler({ ...common, action: 'burst', step: burstStep(plan), shard: 0 }, { getRemainingTimeInMillis: () => reserve + 250 }));
    expect(summary.requests).toBe(8);
    expect(summary.counts.skipped).toBeGreaterThanOrEqual(4);
    expect(summary.counts.ok + summary.counts.skipped).toBe(8);
  });

  test('a refused event is thrown with the name the state machine catches', async () => {
    const error = await handler({ ...common, action: 'burst', step: burstStep(plan), shard: 3 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('DriverRefusedError');
  });
});
