// No Lambda emulator runs here: the invoker is tested through the real AWS SDK against a
// loopback server speaking the Lambda Invoke REST API (status codes, headers and bodies as AWS sends them).
import type { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { createLambdaInvoker, functionErrorText } from '../../../probe-runtime/driver/invokers/lambda';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { startFakeLambda } from './support/fake-lambda';
import type { LoopbackServer } from './support/loopback-server';
import { burstStep, testPlan, withBurst } from './support/plan-fixture';

describe('Lambda invoker through the AWS SDK against a loopback Invoke API', () => {
  let lambda: LoopbackServer;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    lambda = await startFakeLambda((request) => (['ok', 'function-error', 'throttle', 'hang', 'service-error', 'ok'] as const)[request.request % 6]!);
    tmp = tempDir('lambda');
  });
  afterAll(async () => {
    await lambda.close();
    tmp.remove();
  });

  test('classifies answers, function errors, throttling, timeouts and service errors; no SDK retries', async () => {
    const plan = withBurst(testPlan({ requestsPerTarget: 3 }, 'aws'), 0, { timeoutMs: 1500 });
    const invoker = createLambdaInvoker({ region: 'us-east-1', endpoint: lambda.origin, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    // The SDK loads parts of itself on its first call; on a busy machine that alone can approach a short
    // timeout, so one warm-up call (request 0 of another run: answered ok) goes first and is not counted.
    const warm = await invoker.invoke({
      functionKey: 'warm',
      address: 'warm-up',
      freshConnection: true,
      signal: new AbortController().signal,
      body: () => JSON.stringify({ v: 1, study: 'drivertest', run: 'warm', step: 0, request: 0, attempt: 1, target: 'warm', task: { name: 'noop' }, barrierAt: null, sentAt: 0 }),
    });
    expect(warm.kind).toBe('answer');
    lambda.seen.length = 0;
    const deployment = {
      v: 1 as const,
      provider: 'aws' as const,
      region: 'us-east-1',
      planHash: plan.hash,
      targets: Object.fromEntries(plan.functions.map((f) => [f.key, `arn:aws:lambda:us-east-1:111122223333:function:${f.name}`])),
    };
    const summary = (await runDriverEvent(
      { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 },
      localDeps(plan, 'http://127.0.0.1:9', tmp.dir, { invoker, deployment }),
    )) as BurstShardSummary;
    invoker.close?.();
    const records = (await localDeps(plan, 'http://127.0.0.1:9', tmp.dir).sink.get(summary.key))!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; error: string | null; transportStatus: number | null; response: { providerIds: Record<string, string> } | null; provider: string });
    expect(records.map((r) => r.status)).toEqual(['ok', 'error', 'throttled', 'timeout', 'error', 'ok']);
    expect(records[0]!.response!.providerIds.functionName).toBe(deployment.targets[plan.functions[0]!.key]);
    expect(records[0]!.transportStatus).toBe(200);
    expect(records[0]!.provider).toBe('aws');
    expect(records[1]!.error).toBe('function error (Unhandled): Runtime.ExitError: RequestId: abc Error: Runtime exited with error: signal: killed');
    expect(records[2]).toMatchObject({ transportStatus: 429 });
    expect(records[2]!.error).toMatch(/^TooManyRequestsException: Rate Exceeded\./);
    expect(records[3]!.error).toBe('no answer within 1500 ms');
    expect(records[4]).toMatchObject({ transportStatus: 500 });
    expect(records[4]!.error).toMatch(/^ServiceException: /);
    // One HTTP request per attempt: the SDK did not retry the 429 or the 500 behind our back.
    expect(lambda.seen).toHaveLength(6);
    // Fresh connections, as the paper's driver used.
    expect(lambda.seen.every((r) => r.headers.connection === 'close')).toBe(true);
    expect(lambda.seen.every((r) => /^AWS4-HMAC-SHA256 /.test(String(r.headers.authorization)))).toBe(true);
  });

  test('function error text falls back to the raw payload', () => {
    expect(functionErrorText('Handled', 'plain text')).toBe('function error (Handled): plain text');
    expect(functionErrorText('Unhandled', '{"errorMessage":"x"}')).toBe('function error (Unhandled): x');
  });
});
