/**
 * A small promise wrapper over node:http/https, shared by the HTTP invoker,
 * the Blob and GCS sinks and the token fetchers. Hand-rolled rather than an SDK
 * so the driver bundles stay small and the connection behaviour (fresh socket
 * or keep-alive) is exactly what the caller asked for.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { urlToHttpOptions } from 'node:url';

export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  url: URL;
  headers?: Record<string, string>;
  /**
   * A function is called just before the bytes are written (the driver stamps its send time there).
   * The write then happens in a microtask after the request object was built: a burst builds all its
   * requests in one synchronous loop, so the stamp-and-write of each follows the previous one within
   * microseconds, instead of being spread by the cost of building every request in between.
   */
  body?: string | Buffer | (() => string);
  /** `false`: a fresh connection closed after the answer; an Agent: its pooling; absent: a shared keep-alive agent. */
  agent?: http.Agent | false;
  /** A connection opened beforehand for this request alone (net/preconnect.ts); overrides `agent`. */
  socket?: net.Socket;
  signal?: AbortSignal;
  /** Whole-exchange timeout; absent when the caller's signal carries it. */
  timeoutMs?: number;
  /** A larger answer is cut off and reported as an error (a probe answer is a few KB). */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class HttpTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'HttpTimeoutError';
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

// Keep-alive agents for callers that do not choose (sinks, token endpoints); no socket limit,
// since the driver's own concurrency limit is the one that counts.
const sharedAgents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity }),
};

export function keepAliveAgent(protocol: string): http.Agent {
  return protocol === 'https:' ? sharedAgents['https:'] : sharedAgents['http:'];
}

// Converting a URL to request options costs microseconds per request; a burst sends to the same few URLs.
const urlOptions = new WeakMap<URL, http.RequestOptions>();

export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { url } = options;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new Error(`unsupported URL scheme ${url.protocol}`));
    if (options.signal?.aborted) return reject(abortError(options.signal));
    const lateBody = typeof options.body === 'function' ? options.body : null;
    const body = typeof options.body === 'function' ? undefined : options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const transport = url.protocol === 'https:' ? https : http;
    const agent = options.agent === undefined ? keepAliveAgent(url.protocol) : options.agent;
    const max = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | null, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(response!);
    };
    const onAbort = () => finish(abortError(options.signal!));
    let base = urlOptions.get(url);
    if (!base) urlOptions.set(url, (base = urlToHttpOptions(url)));
    const connection = options.socket;
    if (connection) headers.connection = 'close';
    const requestOptions: http.RequestOptions = connection
      ? { ...base, method: options.method, headers, createConnection: () => connection }
      : { ...base, method: options.method, headers, agent };
    const req = transport.request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) finish(new Error(`answer larger than ${max} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(new Error('connection closed before the answer was complete')));
    });
    req.on('error', (error) => finish(error));
    const { signal } = options;
    if (signal) {
      // Registering an abort listener costs ~10 µs (EventTarget); done in a microtask it stays out of
      // the synchronous loop that sends a burst, so the sends leave closer together. The signal is
      // timer-driven and cannot have fired unseen: it is checked when the listener is added.
      queueMicrotask(() => {
        if (settled) return;
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    if (options.timeoutMs !== undefined) timer = setTimeout(() => finish(new HttpTimeoutError(options.timeoutMs!)), options.timeoutMs);
    if (!lateBody) {
      req.end(body);
      return;
    }
    queueMicrotask(() => {
      if (settled) return;
      const late = lateBody();
      req.setHeader('content-length', String(Buffer.byteLength(late)));
      req.end(late);
    });
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(typeof reason === 'object' && reason !== null && 'message' in reason ? String(reason.message) : 'aborted');
  error.name = 'AbortError';
  return error;
}

/** Plain HTTP only to loopback (emulators, the local platform); everything else must use TLS. */
export function requireTlsUnlessLoopback(url: URL, what: string): void {
  if (url.protocol === 'https:') return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && (host === '127.0.0.1' || host === 'localhost' || host === '::1')) return;
  throw new Error(`${what}: ${url.origin} must use https (plain http is accepted for loopback emulators only)`);
}

export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
