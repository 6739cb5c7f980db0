/**
 * The stack's workflow executed as Google Cloud Workflows would run it, by the
 * Workflows evaluator (workflows-evaluator.ts), as the workflow's service
 * account: `http.post` with `auth: OIDC` sends an ID token for the URL
 * (its audience, as Workflows sets it by default) over real HTTP to the
 * function fronts, and raises Workflows' HttpError / TimeoutError /
 * ConnectionError maps; `auth: OAuth2` to the Workflow Executions API starts
 * the next execution (continue as new), decided on workflows.executions.create;
 * the Cloud Functions v2 connector's `functions.patch` reaches the twin's
 * functions; `sys.sleep` sleeps. The built-in environment variables are
 * Google's (GOOGLE_CLOUD_PROJECT_ID, GOOGLE_CLOUD_LOCATION,
 * GOOGLE_CLOUD_WORKFLOW_ID, ..., https://cloud.google.com/workflows/docs/reference/environment-variables,
 * read 2026-12-06). Any other call fails the run naming it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest, HttpTimeoutError } from '../../probe-runtime/driver/net/http-request';
import type { GcpFunctions } from './gcp-functions';
import type { GcpCallLog } from './gcp-iam';
import type { TokenAuthority } from './token-authority';
import type { GcpWorkflow } from './terraform-stack';
import { runWorkflow, WorkflowDefinitionError, WorkflowRaise, type Value } from './workflows-evaluator';

const EXECUTIONS_URL = /^https:\/\/workflowexecutions\.googleapis\.com\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/workflows\/([^/]+)\/executions$/;
const PATCH = 'googleapis.cloudfunctions.v2.projects.locations.functions.patch';
/** Executions one run may chain before the twin stops it (a hand-over loop). */
const MAX_EXECUTIONS = 1000;

export interface ExecutionOutcome {
  name: string;
  argument: Value;
  result: Value;
  /** The uncaught Workflows error that failed the execution, null when it succeeded. */
  error: string | null;
}

export interface RunExecutionsOptions {
  workflow: GcpWorkflow;
  authority: TokenAuthority;
  calls: GcpCallLog;
  functions: GcpFunctions;
  argument: Value;
  log(line: string): void;
  signal?: AbortSignal;
  /** Each HTTP error answer a workflow call received, with what the service said (the run's failures keep only Workflows' message). */
  httpErrors?: string[];
}

/** Runs the first execution and every execution it hands over to; a WorkflowDefinitionError fails the whole run. */
export async function runExecutions(o: RunExecutionsOptions): Promise<ExecutionOutcome[]> {
  const { workflow } = o;
  const outcomes: ExecutionOutcome[] = [];
  const queue: Value[] = [o.argument];
  while (queue.length > 0) {
    if (outcomes.length >= MAX_EXECUTIONS) throw new WorkflowDefinitionError(`${workflow.name}: more than ${MAX_EXECUTIONS} executions in one run`);
    if (o.signal?.aborted) break;
    const argument = queue.shift()!;
    const name = `projects/${workflow.project}/locations/${workflow.region}/workflows/${workflow.name}/executions/twin-${outcomes.length + 1}`;
    o.log(`twin: workflow execution ${outcomes.length + 1} of ${workflow.name}`);
    const env = {
      ...workflow.env,
      GOOGLE_CLOUD_PROJECT_ID: workflow.project,
      GOOGLE_CLOUD_PROJECT_NUMBER: '123456789012',
      GOOGLE_CLOUD_LOCATION: workflow.region,
      GOOGLE_CLOUD_WORKFLOW_ID: workflow.name,
      GOOGLE_CLOUD_WORKFLOW_REVISION_ID: '000001-twin',
      GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: name.split('/').pop()!,
    };
    const outcome: ExecutionOutcome = { name, argument, result: null, error: null };
    outcomes.push(outcome);
    try {
      outcome.result = await runWorkflow(workflow.source, argument, {
        env,
        now: () => Date.now() / 1000,
        call: (call, args) => callFrom(o, call, args, queue),
      });
    } catch (error) {
      if (error instanceof WorkflowDefinitionError) throw new WorkflowDefinitionError(`${workflow.address}: ${error.message}`);
      if (!(error instanceof WorkflowRaise)) throw error;
      outcome.error = JSON.stringify(error.value);
    }
  }
  return outcomes;
}

async function callFrom(o: RunExecutionsOptions, call: string, args: Record<string, Value>, queue: Value[]): Promise<Value> {
  const caller = o.workflow.serviceAccount;
  switch (call) {
    case 'http.post':
      return httpPost(o, args, queue);
    case 'sys.sleep': {
      const seconds = Number(args.seconds);
      if (!(seconds >= 0)) throw new WorkflowRaise({ message: 'sys.sleep: seconds must be a non-negative number', tags: ['ValueError'] });
      await sleep(seconds * 1000, undefined, { signal: o.signal }).catch(() => undefined);
      return null;
    }
    case PATCH:
      return o.functions.patch(caller, args);
    default:
      throw new WorkflowDefinitionError(`call ${call} is not served by the Google twin`);
  }
}

async function httpPost(o: RunExecutionsOptions, args: Record<string, Value>, queue: Value[]): Promise<Value> {
  const url = String(args.url);
  const auth = (args.auth as { type?: string } | null)?.type;
  const caller = o.workflow.serviceAccount;
  const executions = EXECUTIONS_URL.exec(url);
  if (executions) {
    if (auth !== 'OAuth2') throw new WorkflowRaise({ message: 'HTTP server responded with error code 401', code: 401, tags: ['HttpError'] });
    const [, project, location, workflow] = executions;
    if (!o.calls.authorize(caller, 'workflows.executions.create', { kind: 'project', project: project! })) {
      throw new WorkflowRaise({ message: 'HTTP server responded with error code 403', code: 403, tags: ['HttpError'], body: { error: { code: 403, status: 'PERMISSION_DENIED' } } });
    }
    if (workflow !== o.workflow.name || project !== o.workflow.project || location !== o.workflow.region) {
      throw new WorkflowRaise({ message: 'HTTP server responded with error code 404', code: 404, tags: ['HttpError'] });
    }
    const argument = (args.body as { argument?: Value } | null)?.argument;
    queue.push(typeof argument === 'string' ? (JSON.parse(argument) as Value) : (argument ?? null));
    return { code: 200, headers: {}, body: { name: `projects/${project}/locations/${location}/workflows/${workflow}/executions/twin-queued-${queue.length}`, state: 'ACTIVE' } };
  }
  if (auth !== 'OIDC') throw new WorkflowDefinitionError(`http.post to ${url} with auth ${String(auth)}: the twin serves OIDC calls to the stack's functions and OAuth2 calls to the Executions API`);
  const target = new URL(url);
  const audience = `${target.origin}${target.pathname}`.replace(/\/+$/, '');
  const timeoutMs = Number(args.timeout ?? 300) * 1000;
  try {
    const res = await httpRequest({
      method: 'POST',
      url: target,
      headers: { authorization: `Bearer ${o.authority.idToken(caller, audience)}`, 'content-type': 'application/json', ...((args.headers as Record<string, string> | null) ?? {}) },
      body: JSON.stringify(args.body ?? null),
      timeoutMs,
      signal: o.signal,
    });
    const text = res.body.toString('utf8');
    let body: Value = text;
    if (String(res.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(text) as Value;
      } catch {
        // Workflows keeps a body it cannot parse as text
      }
    }
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
    if (res.status < 200 || res.status >= 300) {
      const said = typeof body === 'object' && body !== null && !Array.isArray(body) && 'error' in body ? String(body.error) : text.slice(0, 300);
      o.httpErrors?.push(`${url} answered ${res.status}: ${said}`);
      throw new WorkflowRaise({ message: `HTTP server responded with error code ${res.status}`, code: res.status, headers, body, tags: ['HttpError'] });
    }
    return { code: res.status, headers, body };
  } catch (error) {
    if (error instanceof WorkflowRaise) throw error;
    if (error instanceof HttpTimeoutError) throw new WorkflowRaise({ message: `timeout after ${timeoutMs / 1000} s`, tags: ['TimeoutError'] });
    throw new WorkflowRaise({ message: error instanceof Error ? error.message : String(error), tags: ['ConnectionError'] });
  }
}
