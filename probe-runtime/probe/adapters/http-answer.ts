/**
 * The HTTP side shared by the Google and Azure adapters (and the contract in
 * contracts/http-invoke.ts): a JSON ProbeRequest body in, 200 with the
 * ProbeResponse out; 400 `{error}` naming the path for an invalid request or a
 * body that is not JSON; 500 `{error}` for anything unexpected.
 */
import type { InvocationContext, Probe } from '../probe';
import { ProbeRequestError } from '../probe';

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** `body` is what the framework gives: an already parsed object, or text/bytes to parse. */
export async function answerHttp(probe: Probe, body: unknown, context: InvocationContext): Promise<HttpAnswer> {
  let request = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      request = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'invalid probe request: the body is not JSON' } };
    }
  }
  try {
    return { status: 200, body: await probe.handle(request, context) };
  } catch (error) {
    if (error instanceof ProbeRequestError) return { status: 400, body: { error: error.message } };
    return { status: 500, body: { error: `probe failed: ${error instanceof Error ? error.message : String(error)}` } };
  }
}
