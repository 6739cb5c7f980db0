/**
 * Cloudflare Workers entry (bundle probe-cloudflare): a module Worker whose
 * `fetch` takes a POSTed ProbeRequest and answers the ProbeResponse, run by
 * workerd with the `nodejs_compat` flag (node:fs, node:os, node:path are
 * workerd's own implementations: a virtual file system, no /proc).
 *
 * The instance is the isolate: `createProbe()` runs once per isolate, on its
 * first request (a Worker's bindings, its environment, exist only inside a
 * handler), so its id and first-invocation flag are isolate-level identity. The
 * host fingerprint finds no /proc and reports nothing (collectors return null
 * with a reason), which is what an isolate exposes. `request.cf.colo` (the
 * data centre that served the request) and the worker's version are recorded
 * as provider ids.
 *
 * Only the driver may call a probe: deployed, the probe has no route and no
 * workers.dev subdomain, so the driver's service binding is its only caller
 * (stacks/cloudflare/constructs/probe-fleet.ts).
 */
import { nowMs } from '../clock';
import { createProbe, type Probe } from '../probe';
import { answerHttp } from './http-answer';

/** The bindings of a probe Worker: plain-text variables set by the stack (CURTAIN_GENERATION, CURTAIN_FUNCTION). */
export type ProbeWorkerEnv = Record<string, unknown>;

interface CfProperties {
  colo?: string;
}

let instance: Probe | undefined;

function textVariables(env: ProbeWorkerEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') out[key] = value;
  return out;
}

export default {
  async fetch(request: Request & { cf?: CfProperties }, env: ProbeWorkerEnv): Promise<Response> {
    const receivedAt = nowMs();
    if (request.method !== 'POST') {
      return Response.json({ error: 'use POST with a ProbeRequest body' }, { status: 405, headers: { allow: 'POST' } });
    }
    // Created on the first request: a Worker's bindings (its environment) exist only inside a handler.
    instance ??= createProbe({ env: textVariables(env) });
    const colo = request.cf?.colo;
    const answer = await answerHttp(instance, await request.text(), { receivedAt, providerIds: colo ? { colo } : undefined });
    return Response.json(answer.body, { status: answer.status });
  },
};
