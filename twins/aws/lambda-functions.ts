/**
 * Where the twin's Lambda runs each function: the study's probes as instances
 * of the embedded local platform (cold and warm starts, placement, freezing
 * and profiles as in `curtain run`), anything else (the driver) as plain
 * Lambda-runtime processes. Both run the template's code asset with the
 * environment Lambda gives a function: its configured variables, the runtime's
 * (LAMBDA_TASK_ROOT, _HANDLER, AWS_LAMBDA_FUNCTION_*, AWS_REGION), its role's
 * session credentials, and the SDK's standard endpoint settings
 * (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_S3) pointing at the twin.
 */
import path from 'node:path';
import type { PlanFunction } from '../../experiments/plan-schema';
import type { LocalPlatform } from '../../local/platform/local-platform';
import type { HttpReply } from '../../local/platform/front-door';
import { resolvePythonExecutable, type RuntimeCommands } from '../../local/instances/runtime-commands';
import type { TwinIdentity } from './call-log';
import type { TwinFunction } from './cloud-assembly';
import type { FunctionOutcome, LambdaBackend, LiveFunction } from './lambda-api';
import type { ProcessFunctions, ProcessReply } from './process-functions';

export interface TwinEndpoints {
  lambda: string;
  s3: string;
  region: string;
}

const RUNTIME_DIR = path.join(__dirname, 'lambda-runtime');

/** The commands that start a Lambda execution environment per runtime (python: null when python3 is missing). */
export function lambdaRuntimeCommands(): RuntimeCommands {
  const python = resolvePythonExecutable();
  return {
    nodejs: { command: process.execPath, args: [path.join(RUNTIME_DIR, 'node-runtime.cjs')] },
    python: python ? { command: python, args: [path.join(RUNTIME_DIR, 'python-runtime.py')] } : null,
  };
}

/** The environment of a function's execution environment, as Lambda sets it up (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime, read 2026-12-06). */
export function lambdaEnvironment(fn: LiveFunction, identity: TwinIdentity, endpoints: TwinEndpoints): Record<string, string> {
  return {
    ...fn.env,
    LAMBDA_TASK_ROOT: fn.spec.codeDir,
    _HANDLER: fn.spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.spec.runtimeId}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: identity.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: identity.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: identity.credentials.sessionToken,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    _CURTAIN_TWIN_TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
  };
}

/** The plan function a template function stands for, if it is one of the plan's probes (by its CURTAIN_FUNCTION key). */
export function probeKeyOf(fn: TwinFunction, plan: readonly PlanFunction[]): string | null {
  const key = fn.env.CURTAIN_FUNCTION;
  return key !== undefined && plan.some((f) => f.key === key) ? key : null;
}

export interface BackendParts {
  platform: LocalPlatform;
  processes: ProcessFunctions;
  /** Template function name → plan key, for the functions the platform runs. */
  probeKeys: ReadonlyMap<string, string>;
  identityOf(fn: TwinFunction): TwinIdentity;
  endpoints(): TwinEndpoints;
}

export function lambdaBackend(parts: BackendParts): LambdaBackend {
  const envOf = (fn: LiveFunction) => lambdaEnvironment(fn, parts.identityOf(fn.spec), parts.endpoints());
  return {
    async invoke(fn, payload) {
      let event: unknown;
      try {
        event = payload === '' ? {} : JSON.parse(payload);
      } catch {
        return { kind: 'service-error', status: 400, type: 'InvalidRequestContentException', message: 'Could not parse request body into json' };
      }
      const key = parts.probeKeys.get(fn.spec.name);
      if (key !== undefined) return fromPlatform(await parts.platform.invoke(key, event), fn);
      if (!parts.processes.has(fn.spec.name)) parts.processes.define(fn.spec.name, { runtime: fn.spec.runtime, timeoutSeconds: fn.timeoutSeconds, env: envOf(fn) });
      return fromProcess(await parts.processes.invoke(fn.spec.name, event), fn);
    },
    reconfigured(fn) {
      const key = parts.probeKeys.get(fn.spec.name);
      if (key !== undefined) parts.platform.reconfigure(key, { memoryMb: fn.memoryMb, env: envOf(fn) }, `${fn.env.CURTAIN_GENERATION ?? 'rev'}@${fn.revision}`);
      else parts.processes.define(fn.spec.name, { runtime: fn.spec.runtime, timeoutSeconds: fn.timeoutSeconds, env: envOf(fn) });
    },
  };
}

function functionError(errorType: string, errorMessage: string): FunctionOutcome {
  return { kind: 'function-error', payload: JSON.stringify({ errorType, errorMessage }) };
}

/** A handler's error as the runtime sent it (JSON {errorType, errorMessage}); anything else is the runtime's own failure. */
function handlerError(text: string): FunctionOutcome {
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorType === 'string' && typeof parsed.errorMessage === 'string') return functionError(parsed.errorType, parsed.errorMessage);
  } catch {
    // not the runtime's JSON: below
  }
  return functionError('Runtime.Unknown', text);
}

const timedOut = (fn: LiveFunction) => functionError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`);

/** The local platform's front-door replies (local/platform/local-platform.ts) as Lambda answers them. */
function fromPlatform(reply: HttpReply, fn: LiveFunction): FunctionOutcome {
  const error = (reply.body as { error?: unknown } | null)?.error;
  const message = typeof error === 'string' ? error : JSON.stringify(reply.body);
  switch (reply.status) {
    case 200:
      return { kind: 'ok', payload: JSON.stringify(reply.body) };
    case 500:
      return handlerError(message);
    // The platform checks the probe request before an instance sees it; on Lambda the probe's own check throws ProbeRequestError.
    case 400:
      return functionError('ProbeRequestError', message);
    case 502:
      return functionError(message.includes('failed to start') ? 'Runtime.InitError' : 'Runtime.ExitError', message);
    case 504:
      return timedOut(fn);
    case 429:
      return { kind: 'throttled', message: `Rate Exceeded. (${message})` };
    default:
      return { kind: 'service-error', status: reply.status >= 500 ? reply.status : 500, type: 'ServiceException', message };
  }
}

function fromProcess(reply: ProcessReply, fn: LiveFunction): FunctionOutcome {
  switch (reply.kind) {
    case 'response':
      return { kind: 'ok', payload: JSON.stringify(reply.response) };
    case 'error':
      return handlerError(reply.error);
    case 'timeout':
      return timedOut(fn);
    case 'crashed':
      return functionError('Runtime.ExitError', reply.error);
  }
}
