import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { createS3Sink } from '../../../probe-runtime/driver/sinks/s3';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { startFakeProbeServer } from './support/fake-probe-server';
import { burstStep, testPlan } from './support/plan-fixture';
import { type S3Emulator, startS3rver } from './support/s3rver';

const BUCKET = 'curtain-results';

describe('S3 sink against s3rver on loopback', () => {
  let s3: S3Emulator;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    tmp = tempDir('s3rver');
    s3 = await startS3rver(tmp.dir, BUCKET);
  });
  afterAll(async () => {
    await s3.close();
    tmp.remove();
  });
  const sink = (kmsKeyId?: string) =>
    createS3Sink({ bucket: BUCKET, region: 'us-east-1', endpoint: s3.endpoint, credentials: s3.credentials, ...(kmsKeyId ? { kmsKeyId } : {}) });

  test('puts with server-side encryption and content type, reads back, and reports a missing key as null', async () => {
    const before = s3.requests.length;
    await sink().put('s/r/run.json', '{"a":1}\n', 'application/json');
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/${BUCKET}/s/r/run.json`);
    expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(put.headers['content-type']).toBe('application/json');
    expect(await sink().get('s/r/run.json')).toBe('{"a":1}\n');
    expect(await sink().get('s/r/nothing.json')).toBeNull();
  });

  test('uses SSE-KMS with the given key', async () => {
    const before = s3.requests.length;
    await sink('arn:aws:kms:us-east-1:111122223333:key/abc').put('s/r/kms.json', '{}', 'application/json');
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT')!;
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('arn:aws:kms:us-east-1:111122223333:key/abc');
  });

  test('a driver burst writes its shard as one object; re-running the shard replaces it', async () => {
    const plan = testPlan({ requestsPerTarget: 3 });
    const probes = await startFakeProbeServer();
    try {
      const deps = localDeps(plan, probes.endpoint, tmp.dir, { sink: sink() });
      const event = { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 };
      const first = (await runDriverEvent(event, deps)) as BurstShardSummary;
      await runDriverEvent(event, deps);
      const text = (await sink().get(first.key))!;
      const records = text.trimEnd().split('\n').map((l) => InvocationRecord.parse(JSON.parse(l)));
      expect(records.map((r) => r.request)).toEqual([0, 1, 2, 3, 4, 5]);
      const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${plan.study.id}/${RUN}/steps/` }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([first.key]);
      client.destroy();
    } finally {
      await probes.close();
    }
  });
});
