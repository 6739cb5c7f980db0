/**
 * SigV4 on the twin's Lambda API and S3 (twins/aws/sigv4-verify.ts), as the
 * real AWS SDK signs: a request signed with the right secret passes; one signed
 * with a wrong secret, or whose body changed after signing, is refused as AWS
 * refuses it (Lambda: InvalidSignatureException; S3: SignatureDoesNotMatch),
 * and no permission is decided for it (no call is recorded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CallLog, type TwinIdentity } from '../../../twins/aws/call-log';
import type { TwinFunction } from '../../../twins/aws/cloud-assembly';
import { type LambdaApi, startLambdaApi } from '../../../twins/aws/lambda-api';
import { startS3Twin, type S3Twin } from '../../../twins/aws/s3-twin';
import type { RoleUnderTest } from '../../../twins/aws/template-roles';

const ACCOUNT = '111122223333';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;
const BUCKET = 'results';
const ROLE: RoleUnderTest = {
  stack: 's',
  logicalId: 'caller',
  arn: `arn:aws:iam::${ACCOUNT}:role/caller`,
  account: ACCOUNT,
  policies: [
    {
      Statement: [
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
      ],
    },
  ],
  assumedBy: [],
};
const echo: TwinFunction = {
  logicalId: 'echo',
  name: 'echo',
  arn: FUNCTION_ARN,
  handler: 'index.handler',
  runtimeId: 'nodejs24.x',
  runtime: 'nodejs',
  memoryMb: 128,
  timeoutSeconds: 3,
  env: {},
  codeDir: '/nonexistent',
  roleArn: ROLE.arn,
};

let dir: string;
let calls: CallLog;
let caller: TwinIdentity;
let api: LambdaApi;
let s3: S3Twin;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-sigv4-'));
  calls = new CallLog([ROLE], ACCOUNT);
  caller = calls.identity('caller', ROLE.arn);
  api = await startLambdaApi([echo], calls, { invoke: async (_fn, payload) => ({ kind: 'ok', payload }), reconfigured: () => {} });
  s3 = await startS3Twin(path.join(dir, 's3'), BUCKET, calls);
});

afterAll(async () => {
  await api.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

const wrongSecret = () => ({ ...caller.credentials, secretAccessKey: `${caller.credentials.secretAccessKey.slice(0, -2)}xx` });
const lambda = (credentials = caller.credentials) => new LambdaClient({ region: 'us-east-1', endpoint: api.endpoint, credentials, maxAttempts: 1 });
const bucket = (credentials = caller.credentials) => new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });

describe('SigV4 on the twin Lambda API', () => {
  it('accepts the SDK signature made with the issued secret', async () => {
    const reply = await lambda().send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"x":1}') }));
    expect(JSON.parse(Buffer.from(reply.Payload!).toString())).toEqual({ x: 1 });
  });

  it('refuses a signature made with a wrong secret as InvalidSignatureException, before any permission is decided', async () => {
    const before = calls.calls.length;
    await expect(lambda(wrongSecret()).send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining('signature we calculated does not match'),
    });
    expect(calls.calls.length).toBe(before);
  });

  it('refuses a request whose body changed after it was signed', async () => {
    const client = lambda();
    // The deserialize step runs after signing, just before the request is sent.
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: unknown }).body = '{"x":2}';
        return next(args);
      },
      { step: 'deserialize', name: 'tamper' },
    );
    await expect(client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"x":1}') }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});

describe('SigV4 on the twin S3', () => {
  it('accepts the SDK signature made with the issued secret', async () => {
    await expect(bucket().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a/b.json', Body: '{}' }))).resolves.toBeDefined();
    expect(calls.calls.at(-1)).toMatchObject({ identity: 'caller', action: 's3:PutObject', decision: 'allowed' });
  });

  it('refuses a signature made with a wrong secret as SignatureDoesNotMatch, before any permission is decided', async () => {
    const before = calls.calls.length;
    await expect(bucket(wrongSecret()).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a/c.json', Body: '{}' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    expect(calls.calls.length).toBe(before);
  });
});
