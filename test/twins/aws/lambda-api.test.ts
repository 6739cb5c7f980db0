/**
 * The twin's Lambda API (twins/aws/lambda-api.ts) as the real AWS SDK sees it:
 * the SDK's own client, pointed at the twin by endpoint, signing with a role's
 * twin credentials. Calls are attributed to the role and decided by its
 * policies; a handler error comes back as Lambda's FunctionError; an update
 * reports InProgress, then Successful, and reaches the backend.
 */
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CallLog } from '../../../twins/aws/call-log';
import type { TwinFunction } from '../../../twins/aws/cloud-assembly';
import { type LambdaApi, type LiveFunction, startLambdaApi } from '../../../twins/aws/lambda-api';
import type { RoleUnderTest } from '../../../twins/aws/template-roles';

const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const role = (name: string, statements: RoleUnderTest['policies'][number]['Statement']): RoleUnderTest => ({
  stack: 's',
  logicalId: name,
  arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  account: ACCOUNT,
  policies: [{ Statement: statements }],
  assumedBy: [],
});
const ROLES = [
  role('caller', [
    { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [arn('ok'), arn('fails')] },
    { Effect: 'Allow', Action: ['lambda:UpdateFunctionConfiguration', 'lambda:GetFunctionConfiguration'], Resource: arn('ok') },
  ]),
  role('nobody', []),
];
const fn = (name: string): TwinFunction => ({
  logicalId: name,
  name,
  arn: arn(name),
  handler: 'index.handler',
  runtimeId: 'nodejs24.x',
  runtime: 'nodejs',
  memoryMb: 128,
  timeoutSeconds: 3,
  env: { A: '1' },
  codeDir: '/nonexistent',
  roleArn: ROLES[0]!.arn,
});

let api: LambdaApi;
let calls: CallLog;
const reconfigured: { name: string; memoryMb: number; env: Record<string, string> }[] = [];
const client = (who: string) => {
  const identity = calls.identity(who, ROLES.find((r) => r.logicalId === who)!.arn);
  return new LambdaClient({ region: 'us-east-1', endpoint: api.endpoint, credentials: identity.credentials, maxAttempts: 1 });
};

beforeAll(async () => {
  calls = new CallLog(ROLES, ACCOUNT);
  api = await startLambdaApi([fn('ok'), fn('fails')], calls, {
    invoke: async (f: LiveFunction, payload) =>
      f.spec.name === 'ok' ? { kind: 'ok', payload: JSON.stringify({ echo: JSON.parse(payload), env: f.env }) } : { kind: 'function-error', payload: JSON.stringify({ errorType: 'Boom', errorMessage: 'no' }) },
    reconfigured: (f) => reconfigured.push({ name: f.spec.name, memoryMb: f.memoryMb, env: f.env }),
  });
});
afterAll(() => api.close());

describe('the twin Lambda API through @aws-sdk/client-lambda', () => {
  it('invokes with the payload and answers a handler error as FunctionError Unhandled', async () => {
    const lambda = client('caller');
    const ok = await lambda.send(new InvokeCommand({ FunctionName: arn('ok'), Payload: Buffer.from('{"x":1}') }));
    expect(ok.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ echo: { x: 1 }, env: { A: '1' } });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'fails', Payload: Buffer.from('{}') }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toEqual({ errorType: 'Boom', errorMessage: 'no' });
  });

  it('denies what the role does not grant, as AccessDeniedException naming action and resource, and records it', async () => {
    await expect(client('nobody').send(new InvokeCommand({ FunctionName: 'ok' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`not authorized to perform: lambda:InvokeFunction on resource: ${arn('ok')}`),
    });
    await expect(client('caller').send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fails', MemorySize: 256 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(calls.denied().map((c) => `${c.identity} ${c.action} ${c.resource.split(':').pop()}`)).toEqual(['nobody lambda:InvokeFunction ok', 'caller lambda:UpdateFunctionConfiguration fails']);
  });

  it('applies UpdateFunctionConfiguration: InProgress, then Successful, the new memory and environment', async () => {
    const lambda = client('caller');
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ok', MemorySize: 512, Environment: { Variables: { A: '2' } } }));
    expect(updated.LastUpdateStatus).toBe('InProgress');
    expect(reconfigured).toEqual([{ name: 'ok', memoryMb: 512, env: { A: '2' } }]);
    const polled = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'ok' }));
    expect(polled).toMatchObject({ LastUpdateStatus: 'Successful', MemorySize: 512, Environment: { Variables: { A: '2' } } });
  });

  it('refuses a request signed with a key it did not issue', async () => {
    const stranger = new LambdaClient({ region: 'us-east-1', endpoint: api.endpoint, credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(stranger.send(new InvokeCommand({ FunctionName: 'ok' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});
