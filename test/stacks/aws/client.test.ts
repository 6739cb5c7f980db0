/**
 * The AWS client behind `curtain start` and `curtain fetch`.
 *
 * fetch runs through the real CLI entry (cli/main.ts) against s3rver, a real
 * S3 protocol server started here on 127.0.0.1. CloudFormation and Step
 * Functions have no local server here, so start and the stack-output lookup
 * use recorded fakes behind the client factory (the request shapes are
 * asserted; the SDK itself is not).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { CliIo } from '../../../cli/command';
import { main } from '../../../cli/main';
import { RUN_ID_PATTERN } from '../../../probe-runtime/contracts/bucket-layout';
import type { AwsClientFactory } from '../../../stacks/aws/client/aws-sdk-clients';
import { createAwsProviderClient, consoleUrl } from '../../../stacks/aws/client/aws-provider-client';
import { defaultAwsClients } from '../../../stacks/aws/client/aws-sdk-clients';
import { localPathFor } from '../../../targets/client/fetch-run';
import { TargetError } from '../../../targets/target-errors';

// s3rver has no type declarations.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };

const BUCKET = 'curtain-results-test';
const OLD_RUN = '20261125T100000Z-aaaaaa';
const NEW_RUN = '20261126T090000Z-bbbbbb';
const HASH = 'a'.repeat(64);

let server: InstanceType<typeof S3rver>;
let endpoint: string;
let scratch: string;
const savedEnv = { ...process.env };

function runManifest(run: string, status: string) {
  return {
    v: 1, study: 'coldstart', run, provider: 'aws', region: 'us-east-1', planHash: HASH,
    tool: { name: 'curtain', version: '0.1.0' }, bundles: { probe: null, driver: null, pythonProbe: null }, templateHash: null,
    startedAt: '2026-11-26T09:00:00.000Z', endedAt: '2026-11-26T09:10:00.000Z', status,
    stepsTotal: 80, stepsCompleted: 80, failures: [], notes: [],
  };
}

const OBJECTS: Record<string, string> = {
  [`coldstart/${OLD_RUN}/plan.json`]: '{"old":true}\n',
  [`coldstart/${OLD_RUN}/run.json`]: `${JSON.stringify(runManifest(OLD_RUN, 'failed'))}\n`,
  [`coldstart/${NEW_RUN}/plan.json`]: '{"new":true}\n',
  [`coldstart/${NEW_RUN}/run.json`]: `${JSON.stringify(runManifest(NEW_RUN, 'completed'))}\n`,
  [`coldstart/${NEW_RUN}/steps/0001-burst-cold/000.jsonl`]: '{"request":0}\n{"request":1}\n',
  [`coldstart/${NEW_RUN}/steps/0001-burst-cold/001.jsonl`]: '{"request":100}\n',
  // Not a Curtain run id: never chosen as "the newest" although it sorts last.
  'coldstart/manual-test/run.json': '{}\n',
  // Another study's run: never fetched for coldstart.
  'lifetime/20261127T000000Z-cccccc/run.json': '{}\n',
};

function captureIo(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTty: false, cwd, stdout, stderr };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)],
  );
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-aws-client-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(scratch, 's3'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  const address = await server.run();
  endpoint = `http://127.0.0.1:${address.port}`;
  // s3rver accepts these fixed credentials; the client finds them the standard way (environment).
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  delete process.env.AWS_PROFILE;
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
  for (const [key, body] of Object.entries(OBJECTS)) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  s3.destroy();
});

afterAll(async () => {
  await server.close();
  process.env = savedEnv;
  rmSync(scratch, { recursive: true, force: true });
});

describe('curtain fetch --provider aws (against s3rver)', () => {
  test('without --run: downloads the newest run in the bucket layout, and nothing else', async () => {
    const out = mkdtempSync(path.join(scratch, 'out-'));
    const io = captureIo(out);
    const code = await main(['fetch', 'coldstart', '--provider', 'aws', '--bucket', BUCKET, '--endpoint', endpoint, '--out', out, '--json'], io);
    expect(io.stderr.join('\n')).toContain(`newest run of coldstart: ${NEW_RUN}`);
    expect(code).toBe(0);
    const result = JSON.parse(io.stdout.join(''));
    const expected = Object.keys(OBJECTS).filter((k) => k.startsWith(`coldstart/${NEW_RUN}/`));
    expect(result).toEqual({
      run: NEW_RUN,
      dir: path.join(out, 'coldstart', NEW_RUN),
      files: expected.length,
      bytes: expected.reduce((a, k) => a + Buffer.byteLength(OBJECTS[k]!), 0),
    });
    expect(listFiles(out).sort()).toEqual(expected.map((k) => path.join(...k.split('/'))).sort());
    for (const key of expected) expect(readFileSync(path.join(out, ...key.split('/')), 'utf8')).toBe(OBJECTS[key]);
    // run.json is read back and summarised.
    expect(io.stderr.join('\n')).toContain(`run ${NEW_RUN}: completed, 80 of 80 steps`);
  });

  test('--run fetches that run', async () => {
    const out = mkdtempSync(path.join(scratch, 'out-'));
    const io = captureIo(out);
    expect(await main(['fetch', 'coldstart', '--provider', 'aws', '--bucket', BUCKET, '--endpoint', endpoint, '--out', out, '--run', OLD_RUN], io)).toBe(0);
    expect(listFiles(out).sort()).toEqual([path.join('coldstart', OLD_RUN, 'plan.json'), path.join('coldstart', OLD_RUN, 'run.json')]);
    expect(io.stdout.join('\n')).toContain(`fetched run ${OLD_RUN}: 2 files`);
    expect(io.stderr.join('\n')).toContain('failed');
  });

  test('a run that is not there: exit 1 with the runs that are', async () => {
    const io = captureIo(scratch);
    const code = await main(['fetch', 'coldstart', '--provider', 'aws', '--bucket', BUCKET, '--endpoint', endpoint, '--out', scratch, '--run', '20261101T000000Z-zzzzzz'], io);
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/run 20261101T000000Z-zzzzzz of coldstart is not in s3:\/\/curtain-results-test \(runs: .*20261126T090000Z-bbbbbb/);
  });

  test('a study with no runs yet: exit 1 saying how to start one', async () => {
    const io = captureIo(scratch);
    expect(await main(['fetch', 'placement', '--provider', 'aws', '--bucket', BUCKET, '--endpoint', endpoint, '--out', scratch], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('no runs of placement');
    expect(io.stderr.join('\n')).toContain('npx curtain start placement --provider aws');
  });

  test('a bucket that does not exist: exit 1, one line', async () => {
    const io = captureIo(scratch);
    expect(await main(['fetch', 'coldstart', '--provider', 'aws', '--bucket', 'no-such-bucket', '--endpoint', endpoint, '--out', scratch], io)).toBe(1);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toContain('bucket no-such-bucket does not exist');
  });

  test('without --bucket, the bucket comes from the stack outputs', async () => {
    const calls: unknown[] = [];
    const clients: AwsClientFactory = {
      ...defaultAwsClients,
      cloudFormation: () => ({
        send: async (command: unknown) => {
          calls.push(command);
          return { Stacks: [{ Outputs: [
            { OutputKey: 'StateMachineArn', OutputValue: 'arn:aws:states:us-east-1:111111111111:stateMachine:curtain-coldstart' },
            { OutputKey: 'BucketName', OutputValue: BUCKET },
            { OutputKey: 'PlanHash', OutputValue: HASH },
          ] }] };
        },
      }) as never,
    };
    const out = mkdtempSync(path.join(scratch, 'out-'));
    const result = await createAwsProviderClient(clients).fetch({ study: 'coldstart', out, endpoint, region: 'us-east-1' }, captureIo(out));
    expect(result.run).toBe(NEW_RUN);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeInstanceOf(DescribeStacksCommand);
    expect((calls[0] as DescribeStacksCommand).input).toEqual({ StackName: 'curtain-coldstart' });
  });
});

describe('object keys are checked before anything is written', () => {
  test.each(['coldstart/../../etc/passwd', '/abs/key', 'coldstart//x', 'a/./b', 'c:\\x'])('%s is refused', (key) => {
    expect(() => localPathFor('/tmp/out', key)).toThrow(TargetError);
  });
  test('a plain key maps below the output directory', () => {
    expect(localPathFor('/tmp/out', 'coldstart/r/steps/0001-burst/000.jsonl')).toBe(path.join('/tmp/out', 'coldstart', 'r', 'steps', '0001-burst', '000.jsonl'));
  });
});

describe('curtain start --provider aws', () => {
  const outputs = [
    { OutputKey: 'StateMachineArn', OutputValue: 'arn:aws:states:eu-west-1:111111111111:stateMachine:curtain-coldstart' },
    { OutputKey: 'BucketName', OutputValue: 'curtain-results-b' },
    { OutputKey: 'PlanHash', OutputValue: HASH },
  ];
  // The deployed template as CloudFormation returns it (formatted, keys in its own order) ...
  const TEMPLATE_BODY = '{\n  "Resources": {\n    "B": {"Type": "AWS::S3::Bucket"}\n  },\n  "AWSTemplateFormatVersion": "2010-09-09"\n}';
  // ... and its hash as canonical JSON, written out by hand: the same as the twin's for the synthesized file.
  const TEMPLATE_HASH = createHash('sha256').update('{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"B":{"Type":"AWS::S3::Bucket"}}}').digest('hex');
  function fakes(sfn: (command: StartExecutionCommand) => unknown, describe: () => unknown = () => ({ Stacks: [{ Outputs: outputs }] })) {
    const calls: { service: string; command: unknown }[] = [];
    const clients: AwsClientFactory = {
      ...defaultAwsClients,
      cloudFormation: () =>
        ({
          send: async (command: unknown) => (calls.push({ service: 'cfn', command }), command instanceof GetTemplateCommand ? { TemplateBody: TEMPLATE_BODY } : describe()),
        }) as never,
      sfn: () => ({ send: async (command: StartExecutionCommand) => (calls.push({ service: 'sfn', command }), sfn(command)) }) as never,
    };
    return { clients, calls };
  }

  test('starts an execution named after a new run id, on the state machine from the stack outputs, with the deployed template hash', async () => {
    const { clients, calls } = fakes((c) => ({ executionArn: `arn:aws:states:eu-west-1:111111111111:execution:curtain-coldstart:${c.input.name}` }));
    const result = await createAwsProviderClient(clients).start({ study: 'coldstart', region: 'eu-west-1' }, captureIo(scratch));
    expect(result.run).toMatch(RUN_ID_PATTERN);
    expect(calls.map((c) => c.service)).toEqual(['cfn', 'cfn', 'sfn']);
    expect((calls[0]!.command as DescribeStacksCommand).input).toEqual({ StackName: 'curtain-coldstart' });
    expect((calls[1]!.command as GetTemplateCommand).input).toEqual({ StackName: 'curtain-coldstart', TemplateStage: 'Original' });
    const start = calls[2]!.command as StartExecutionCommand;
    expect(start).toBeInstanceOf(StartExecutionCommand);
    expect(start.input).toEqual({ stateMachineArn: outputs[0]!.OutputValue, name: result.run, input: JSON.stringify({ run: result.run, templateHash: TEMPLATE_HASH }) });
    expect(result.execution).toBe(`arn:aws:states:eu-west-1:111111111111:execution:curtain-coldstart:${result.run}`);
    expect(result.watch).toBe(consoleUrl(result.execution));
    expect(result.watch).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/states\/home\?region=eu-west-1#/);
  });

  test('--run and --stack are used as given', async () => {
    const { clients, calls } = fakes((c) => ({ executionArn: `arn:aws:states:eu-west-1:1:execution:x:${c.input.name}` }));
    const result = await createAwsProviderClient(clients).start({ study: 'coldstart', run: '20261126T120000Z-mine', stack: 'my-stack' }, captureIo(scratch));
    expect(result.run).toBe('20261126T120000Z-mine');
    expect((calls[0]!.command as DescribeStacksCommand).input.StackName).toBe('my-stack');
  });

  test('a run id that is not one is refused before any call', async () => {
    const { clients, calls } = fakes(() => ({}));
    await expect(createAwsProviderClient(clients).start({ study: 'coldstart', run: 'Run 1' }, captureIo(scratch))).rejects.toThrow(/is not a run id/);
    expect(calls).toHaveLength(0);
  });

  test('a stack that is not deployed: a message saying how to deploy', async () => {
    const { clients } = fakes(
      () => ({}),
      () => {
        throw Object.assign(new Error('Stack with id curtain-coldstart does not exist'), { name: 'ValidationError' });
      },
    );
    await expect(createAwsProviderClient(clients).start({ study: 'coldstart', region: 'eu-west-1' }, captureIo(scratch))).rejects.toThrow(
      /stack curtain-coldstart is not deployed in eu-west-1: deploy it with `npx cdk deploy -c study=\.\.\.`/,
    );
  });

  test('a stack without Curtain outputs is named as such', async () => {
    const { clients } = fakes(() => ({}), () => ({ Stacks: [{ Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }] }] }));
    await expect(createAwsProviderClient(clients).start({ study: 'coldstart' }, captureIo(scratch))).rejects.toThrow(/does not have the outputs of a Curtain study stack \(StateMachineArn/);
  });

  test('a run id used before: a clear message', async () => {
    const { clients } = fakes(() => {
      throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
    });
    await expect(createAwsProviderClient(clients).start({ study: 'coldstart', run: NEW_RUN }, captureIo(scratch))).rejects.toThrow(/run 20261126T090000Z-bbbbbb already exists/);
  });
});
