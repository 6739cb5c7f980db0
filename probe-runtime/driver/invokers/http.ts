/**
 * The HTTP invoker (Azure, Google and the local platform's front door), with
 * the outcome classification of contracts/http-invoke.ts:
 *   200 → the body goes to validation; 429, or 503 with Retry-After → throttled;
 *   any other status → error (status and the start of the body);
 *   connection refused/reset → error; no complete answer in time → timeout.
 * A fresh connection per request (agent: false, `Connection: close`) where the
 * step asks for it, as the paper's driver did; otherwise keep-alive agents. The
 * fresh connections of a shard's first wave are opened in `prepare`, just before
 * the burst, so its requests leave together (net/preconnect.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { HTTP_THROTTLE_STATUSES, localInvokePath } from '../../contracts/http-invoke';
import { MAX_PROBE_ANSWER_BYTES } from '../../contracts/invocation-record';
import { errorText, truncateText } from '../errors';
import type { InvokeAttempt, InvokeOutcome, Invoker } from '../invoker';
import { headerValue, httpRequest, requireTlsUnlessLoopback } from '../net/http-request';
import { PreconnectedSockets } from '../net/preconnect';
import { type HttpAuth, noAuth } from './http-auth';


export interface HttpInvokerOptions {
  /** deployment target → URL; by default the target is the URL itself. */
  resolveUrl?: (address: string) => URL;
  auth?: HttpAuth;
}

export function createHttpInvoker(options: HttpInvokerOptions = {}): Invoker {
  const auth = options.auth ?? noAuth;
  const urls = new Map<string, URL>();
  const urlOf = (address: string): URL => {
    let url = urls.get(address);
    if (!url) {
      url = options.resolveUrl ? options.resolveUrl(address) : new URL(address);
      requireTlsUnlessLoopback(url, `probe ${address}`);
      urls.set(address, url);
    }
    return url;
  };
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity }),
  };
  const preconnected = new PreconnectedSockets();

  const send = async (attempt: InvokeAttempt, url: URL, headers: Record<string, string>): Promise<InvokeOutcome> => {
    try {
      const res = await httpRequest({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        body: attempt.body,
        agent: attempt.freshConnection ? false : url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        socket: attempt.freshConnection ? preconnected.take(url) : undefined,
        signal: attempt.signal,
        maxResponseBytes: MAX_PROBE_ANSWER_BYTES,
      });
      return classifyHttpAnswer(res.status, res.body.toString('utf8'), headerValue(res.headers, 'retry-after'));
    } catch (error) {
      return { kind: 'failure', status: attempt.signal.aborted ? 'timeout' : 'error', error: errorText(error), transportStatus: null };
    }
  };

  return {
    name: `http+${auth.name}`,
    async prepare(addresses, options) {
      const fresh = options?.freshConnections ?? new Map<string, number>();
      await Promise.all([
        auth.prepare?.(addresses.map(urlOf)),
        ...[...fresh].map(([address, count]) => preconnected.open(urlOf(address), count)),
      ]);
    },
    release() {
      preconnected.release();
    },
    invoke(attempt) {
      let url: URL;
      let headers: Record<string, string> | Promise<Record<string, string>>;
      try {
        url = urlOf(attempt.address);
        headers = auth.headers({ functionKey: attempt.functionKey, url });
      } catch (error) {
        return Promise.resolve({ kind: 'failure', status: 'error', error: errorText(error), transportStatus: null });
      }
      if (!(headers instanceof Promise)) return send(attempt, url, headers);
      return headers.then(
        (h) => send(attempt, url, h),
        (error: unknown): InvokeOutcome => ({ kind: 'failure', status: 'error', error: `authentication: ${errorText(error)}`, transportStatus: null }),
      );
    },
    close() {
      preconnected.release();
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

export function classifyHttpAnswer(status: number, body: string, retryAfter: string | undefined): InvokeOutcome {
  if (status === 200) return { kind: 'answer', body, transportStatus: status };
  const text = `HTTP ${status}: ${truncateText(body, 500)}`;
  const throttled = (HTTP_THROTTLE_STATUSES as readonly number[]).includes(status) || (status === 503 && retryAfter !== undefined);
  return { kind: 'failure', status: throttled ? 'throttled' : 'error', error: text, transportStatus: status };
}

/** The local platform's front door: POST <endpoint>/invoke/<functionKey>, loopback only, no auth. */
export function createLocalInvoker(endpoint: string): Invoker {
  const base = new URL(endpoint);
  requireTlsUnlessLoopback(base, 'CURTAIN_LOCAL_ENDPOINT');
  return createHttpInvoker({ resolveUrl: (address) => new URL(`${base.pathname.replace(/\/$/, '')}${localInvokePath(address)}`, base) });
}
