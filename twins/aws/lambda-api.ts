/**
 * The twin's Lambda: a loopback server speaking the part of the Lambda REST
 * API (2015-03-31, https://docs.aws.amazon.com/lambda/latest/api/, read
 * 2026-12-06) that Curtain's stacks call, so the AWS SDK reaches it through its
 * standard endpoint setting (AWS_ENDPOINT_URL_LAMBDA) like the real service:
 *   POST /2015-03-31/functions/{name}/invocations     Invoke (RequestResponse)
 *   GET  /2015-03-31/functions/{name}/configuration   GetFunctionConfiguration
 *   PUT  /2015-03-31/functions/{name}/configuration   UpdateFunctionConfiguration
 * Every request's SigV4 signature is checked against the credentials the twin
 * issued to its signer (sigv4-verify.ts; a bad one is InvalidSignatureException),
 * then the request is attributed to that role and decided against the
 * template's policies (call-log.ts) before it runs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { accessKeyOf, type CallLog } from './call-log';
import type { TwinFunction } from './cloud-assembly';
import { verifySignature } from './sigv4-verify';

export type FunctionOutcome =
  | { kind: 'ok'; payload: string }
  /** The handler failed, timed out or its runtime exited: `payload` is {errorType, errorMessage}. */
  | { kind: 'function-error'; payload: string }
  | { kind: 'throttled'; message: string }
  | { kind: 'service-error'; status: number; type: string; message: string };

export interface LambdaBackend {
  invoke(fn: LiveFunction, payload: string): Promise<FunctionOutcome>;
  /** The function's configuration changed (UpdateFunctionConfiguration): new execution environments from now on. */
  reconfigured(fn: LiveFunction): void;
}

/** A function as the twin's Lambda holds it now: the template's, then as updated. */
export interface LiveFunction {
  readonly spec: TwinFunction;
  memoryMb: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  revision: number;
}

const UpdateBody = z.strictObject({
  FunctionName: z.string().optional(),
  MemorySize: z.number().int().min(128).max(10240).optional(),
  Timeout: z.number().int().min(1).max(900).optional(),
  Environment: z.strictObject({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
  RevisionId: z.string().optional(),
});

export interface LambdaApi {
  endpoint: string;
  functions: ReadonlyMap<string, LiveFunction>;
  close(): Promise<void>;
}

export async function startLambdaApi(functions: readonly TwinFunction[], calls: CallLog, backend: LambdaBackend): Promise<LambdaApi> {
  const live = new Map<string, LiveFunction>(
    functions.map((spec) => [spec.name, { spec, memoryMb: spec.memoryMb, timeoutSeconds: spec.timeoutSeconds, env: { ...spec.env }, revision: 1 }]),
  );
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8'))
        .then((reply) => {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(reply.body);
        })
        .catch((error: unknown) => {
          const reply = failure(500, 'ServiceException', error instanceof Error ? error.message : String(error));
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(reply.body);
        });
    });
  });

  async function handle(req: http.IncomingMessage, body: string): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://twin');
    const match = url.pathname.match(/^\/2015-03-31\/functions\/([^/]+)\/(invocations|configuration)$/);
    if (!match) return failure(404, 'UnknownOperationException', `${req.method} ${url.pathname} is not an operation the twin's Lambda serves`);
    const key = accessKeyOf(req.headers.authorization, url);
    const identity = key ? calls.whoHas(key) : null;
    if (!identity) return failure(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const signature = await verifySignature({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, identity.credentials, 'lambda');
    if (!signature.ok) return failure(403, 'InvalidSignatureException', signature.reason);
    const fn = live.get(functionNameOf(decodeURIComponent(match[1]!)));
    const operation = match[2] === 'invocations' ? 'InvokeFunction' : req.method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration';
    const resource = fn?.spec.arn ?? `arn:aws:lambda:::function:${decodeURIComponent(match[1]!)}`;
    const decision = calls.authorize(identity, `lambda:${operation}`, resource);
    if (!decision.allowed) return failure(403, 'AccessDeniedException', decision.message);
    if (!fn) return failure(404, 'ResourceNotFoundException', `Function not found: ${resource}`);

    if (operation === 'InvokeFunction') {
      const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
      if (type !== 'RequestResponse') return failure(400, 'InvalidParameterValueException', `InvocationType ${type} is not modelled by the twin`);
      const outcome = await backend.invoke(fn, body);
      switch (outcome.kind) {
        case 'ok':
          return { status: 200, headers: { 'x-amz-executed-version': '$LATEST' }, body: outcome.payload };
        case 'function-error':
          return { status: 200, headers: { 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' }, body: outcome.payload };
        case 'throttled':
          return failure(429, 'TooManyRequestsException', outcome.message);
        case 'service-error':
          return failure(outcome.status, outcome.type, outcome.message);
      }
    }
    if (operation === 'UpdateFunctionConfiguration') {
      let parsed: z.output<typeof UpdateBody>;
      try {
        parsed = UpdateBody.parse(JSON.parse(body));
      } catch (error) {
        const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
        return failure(400, 'InvalidParameterValueException', issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'the request body is not JSON');
      }
      if (parsed.MemorySize !== undefined) fn.memoryMb = parsed.MemorySize;
      if (parsed.Timeout !== undefined) fn.timeoutSeconds = parsed.Timeout;
      if (parsed.Environment) fn.env = { ...(parsed.Environment.Variables ?? {}) };
      fn.revision += 1;
      // Lambda answers an update with InProgress; the twin's new configuration is live at once, so the next poll says Successful.
      backend.reconfigured(fn);
      return { status: 200, headers: {}, body: JSON.stringify(configuration(fn, 'InProgress')) };
    }
    return { status: 200, headers: {}, body: JSON.stringify(configuration(fn, 'Successful')) };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    functions: live,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Lambda's REST error shape: the error code in x-amzn-ErrorType, the message in the body. */
function failure(status: number, type: string, message: string): Reply {
  return { status, headers: { 'x-amzn-errortype': type }, body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }) };
}

/** A function name, a full ARN or a partial ARN (account:function:name), with an optional $LATEST qualifier. */
export function functionNameOf(value: string): string {
  const parts = value.split(':');
  const at = parts.indexOf('function');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : parts[0]!;
}

function configuration(fn: LiveFunction, status: 'InProgress' | 'Successful') {
  return {
    FunctionName: fn.spec.name,
    FunctionArn: fn.spec.arn,
    Runtime: fn.spec.runtimeId,
    Role: fn.spec.roleArn,
    Handler: fn.spec.handler,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    Environment: { Variables: fn.env },
    Version: '$LATEST',
    RevisionId: `twin-${fn.revision}`,
    State: 'Active',
    LastUpdateStatus: status,
  };
}
