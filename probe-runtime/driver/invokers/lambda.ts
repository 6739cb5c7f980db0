/**
 * The AWS invoker: Lambda Invoke (RequestResponse) through the AWS SDK v3.
 *   - a FunctionError (the handler threw, the runtime crashed, the function timed
 *     out on Lambda's side) → error, with the function's errorType/errorMessage;
 *   - TooManyRequestsException or HTTP 429 → throttled;
 *   - no answer within the step's timeout (the SDK call is aborted) → timeout;
 *   - anything else the SDK throws → error.
 * The SDK's own retries are off (maxAttempts 1): a silent SDK retry would be an
 * attempt the records and the plan's invocation cap do not see. A fresh
 * connection per request uses agents without keep-alive, as the paper's driver did.
 */
import http from 'node:http';
import https from 'node:https';
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { errorText, truncateText } from '../errors';
import type { InvokeOutcome, Invoker } from '../invoker';

export interface LambdaInvokerOptions {
  region?: string;
  /** An endpoint override (tests use a loopback server speaking the Invoke API). */
  endpoint?: string;
  credentials?: LambdaClientConfig['credentials'];
}

export function createLambdaInvoker(options: LambdaInvokerOptions = {}): Invoker {
  const client = (keepAlive: boolean) =>
    new LambdaClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 1,
      // No socket limit: the step's shardConcurrency is the limit. With a cap, a keep-alive-less agent
      // would hand queued requests a used socket, i.e. no longer a fresh connection.
      requestHandler: {
        httpAgent: new http.Agent({ keepAlive, maxSockets: Infinity }),
        httpsAgent: new https.Agent({ keepAlive, maxSockets: Infinity }),
      },
    });
  const clients = { fresh: client(false), reuse: client(true) };

  return {
    name: 'lambda',
    async invoke(attempt): Promise<InvokeOutcome> {
      const lambda = attempt.freshConnection ? clients.fresh : clients.reuse;
      try {
        const command = new InvokeCommand({ FunctionName: attempt.address, InvocationType: 'RequestResponse', Payload: Buffer.from(attempt.body()) });
        const out = await lambda.send(command, { abortSignal: attempt.signal });
        const payload = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
        const status = out.StatusCode ?? null;
        if (out.FunctionError) return { kind: 'failure', status: 'error', error: functionErrorText(out.FunctionError, payload), transportStatus: status };
        return { kind: 'answer', body: payload, transportStatus: status };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? null;
        const throttled = (error as Error).name === 'TooManyRequestsException' || status === 429;
        return { kind: 'failure', status: throttled ? 'throttled' : 'error', error: `${(error as Error).name}: ${errorText(error)}`, transportStatus: status };
      }
    },
    close() {
      clients.fresh.destroy();
      clients.reuse.destroy();
    },
  };
}

/** `function error (Unhandled): Runtime.ExitError: RequestId: ... Error: Runtime exited ...`. */
export function functionErrorText(kind: string, payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') {
      const type = typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : '';
      return `function error (${kind}): ${type}${truncateText(parsed.errorMessage, 1000)}`;
    }
  } catch {
    // Not JSON: keep the raw payload below.
  }
  return `function error (${kind}): ${truncateText(payload, 1000)}`;
}
