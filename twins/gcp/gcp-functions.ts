/**
 * The Google twin's Cloud Functions: each function's unpacked source run by
 * the Functions Framework instance runtime (functions-runtime/), with the
 * environment Cloud Run functions give an instance (its configured variables,
 * FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, K_SERVICE, K_REVISION, PORT,
 * https://cloud.google.com/functions/docs/configuring/env-var#runtime_environment_variables_set_automatically,
 * read 2026-12-06) plus GCE_METADATA_HOST naming its service account's
 * metadata server and STORAGE_EMULATOR_HOST naming the twin's Cloud Storage:
 * the standard overrides of Google's client libraries, so the code has no
 * path of its own for the twin.
 *
 * The study's probes run as instances of the embedded local platform (cold and
 * warm starts, placement and profiles as in `curtain run`); the driver as
 * plain warm-reused processes. `patch` is the Cloud Functions v2 API's
 * functions.patch as the Workflows connector calls it: decided for the
 * caller (update on the function, actAs on its runtime service account, the
 * operation's get on the project), applied per updateMask, and a new revision
 * whose instances replace the old ones.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { InstanceProcess } from '../../local/instances/instance-process';
import type { LocalPlatform } from '../../local/platform/local-platform';
import { resolvePythonExecutable, type RuntimeCommands } from '../../local/instances/runtime-commands';
import type { ProcessFunctions, ProcessReply } from '../aws/process-functions';
import type { HttpReply } from '../../local/platform/front-door';
import type { FunctionReply } from './function-fronts';
import type { GcpCallLog } from './gcp-iam';
import type { GcpFunction } from './terraform-stack';
import { WorkflowDefinitionError, WorkflowRaise, type Value } from './workflows-evaluator';

const RUNTIME_DIR = path.join(__dirname, 'functions-runtime');

/** The commands that start a Cloud Functions instance per runtime (python: null when python3 is missing). */
export function gcfRuntimeCommands(): RuntimeCommands {
  const python = resolvePythonExecutable();
  return {
    nodejs: { command: process.execPath, args: [path.join(RUNTIME_DIR, 'node-gcf-runtime.cjs')] },
    python: python ? { command: python, args: [path.join(RUNTIME_DIR, 'python-gcf-runtime.py')] } : null,
  };
}

const DEPLOY_CHECK_TIMEOUT_MS = 30_000;

/**
 * What Cloud Functions checks when it deploys a function: that the runtime loads its source and finds
 * the entry point (a missing module or export fails the deployment, "Function 'x' is not defined in the
 * provided module"), rather than each request failing later. Each distinct source, runtime and entry
 * point is started once with the function's environment and ended as soon as it is ready; the first
 * that cannot start is refused, naming the function, its entry point and the runtime's error.
 */
export async function checkDeployable(functions: readonly LiveGcpFunction[], services: TwinServices, runtimes: RuntimeCommands, workDir: string): Promise<string | null> {
  const seen = new Set<string>();
  for (const fn of functions) {
    const key = `${fn.sourceDir}\0${fn.spec.runtime}\0${fn.spec.entryPoint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const command = runtimes[fn.spec.runtime]!;
    const dir = path.join(workDir, `deploy-${seen.size}`);
    mkdirSync(dir, { recursive: true });
    const proc = InstanceProcess.spawn(
      { command: command.command, args: command.args, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir, TMPDIR: dir, ...gcfEnvironment(fn, services) } },
      DEPLOY_CHECK_TIMEOUT_MS,
    );
    try {
      await proc.ready;
    } catch (error) {
      return `${fn.spec.address}: the deployment of ${fn.spec.name} (entry point ${fn.spec.entryPoint}, ${fn.spec.runtimeId}) fails: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      await proc.kill();
    }
  }
  return null;
}

/** A function as deployed now: its configuration changes with each patch. */
export interface LiveGcpFunction {
  spec: GcpFunction;
  /** The unpacked source directory. */
  sourceDir: string;
  memoryMb: number;
  env: Record<string, string>;
  revision: number;
}

export interface TwinServices {
  /** GCE_METADATA_HOST of a service account's metadata server. */
  metadataHost(email: string): string;
  /** STORAGE_EMULATOR_HOST. */
  storage: string;
}

export function gcfEnvironment(fn: LiveGcpFunction, services: TwinServices): Record<string, string> {
  return {
    ...fn.env,
    FUNCTION_TARGET: fn.spec.entryPoint,
    FUNCTION_SIGNATURE_TYPE: 'http',
    FUNCTION_SOURCE: fn.sourceDir,
    K_SERVICE: fn.spec.name,
    K_REVISION: `${fn.spec.name}-${String(fn.revision).padStart(5, '0')}`,
    K_CONFIGURATION: fn.spec.name,
    PORT: '8080',
    NODE_ENV: 'production',
    GCE_METADATA_HOST: services.metadataHost(fn.spec.serviceAccount),
    STORAGE_EMULATOR_HOST: services.storage,
  };
}

export interface GcpFunctionsOptions {
  platform: LocalPlatform;
  processes: ProcessFunctions;
  /** Function name → plan key, for the functions the platform runs. */
  probeKeys: ReadonlyMap<string, string>;
  services: TwinServices;
  calls: GcpCallLog;
}

export class GcpFunctions {
  readonly live = new Map<string, LiveGcpFunction>();

  constructor(
    functions: readonly LiveGcpFunction[],
    private readonly o: GcpFunctionsOptions,
  ) {
    for (const fn of functions) this.live.set(fn.spec.name, fn);
  }

  async invoke(name: string, body: unknown): Promise<FunctionReply> {
    const fn = this.live.get(name)!;
    const key = this.o.probeKeys.get(name);
    if (key !== undefined) return fromPlatform(await this.o.platform.invoke(key, body));
    if (!this.o.processes.has(name)) this.define(fn);
    return fromProcess(await this.o.processes.invoke(name, body), fn);
  }

  private define(fn: LiveGcpFunction): void {
    this.o.processes.define(fn.spec.name, { runtime: fn.spec.runtime, timeoutSeconds: fn.spec.timeoutSeconds, env: gcfEnvironment(fn, this.o.services) });
  }

  /** functions.patch through the Workflows connector, as `caller`; raises the connector's HttpError when IAM denies it. */
  patch(caller: string, args: Record<string, Value>): Value {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/functions\/([^/]+)$/.exec(String(args.name));
    if (!m) throw new WorkflowRaise({ message: `invalid function name ${String(args.name)}`, code: 400, tags: ['HttpError'] });
    const [, project, location, name] = m as unknown as [string, string, string, string];
    const fn = this.live.get(name!);
    const functionResource = { kind: 'function' as const, project: project!, name: name! };
    const permitted =
      this.o.calls.authorize(caller, 'cloudfunctions.functions.update', functionResource) &&
      (!fn || this.o.calls.authorize(caller, 'iam.serviceAccounts.actAs', { kind: 'serviceAccount', project: project!, email: fn.spec.serviceAccount }));
    if (!permitted) {
      throw new WorkflowRaise({
        message: `Permission denied on 'locations/${location}/functions/${name}' (or it may not exist).`,
        code: 403,
        tags: ['HttpError'],
        body: { error: { code: 403, status: 'PERMISSION_DENIED' } },
      });
    }
    if (!fn || fn.spec.project !== project || fn.spec.location !== location) {
      throw new WorkflowRaise({ message: `Resource '${String(args.name)}' was not found`, code: 404, tags: ['HttpError'] });
    }
    const config = ((args.body as { serviceConfig?: Record<string, Value> } | null)?.serviceConfig ?? {}) as Record<string, Value>;
    const mask = String(args.updateMask ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    for (const field of mask) {
      switch (field) {
        case 'serviceConfig.environmentVariables':
          fn.env = Object.fromEntries(Object.entries((config.environmentVariables ?? {}) as Record<string, Value>).map(([k, v]) => [k, String(v)]));
          break;
        case 'serviceConfig.availableMemory': {
          const memory = /^(\d+)Mi$/.exec(String(config.availableMemory));
          if (!memory) throw new WorkflowRaise({ message: `availableMemory ${String(config.availableMemory)} is not <n>Mi`, code: 400, tags: ['HttpError'] });
          fn.memoryMb = Number(memory[1]);
          break;
        }
        case 'serviceConfig.availableCpu':
          // The platform's profile maps memory to CPU; the requested vCPUs are accepted as Google accepts them.
          break;
        default:
          throw new WorkflowDefinitionError(`functions.patch: updateMask field ${field} is not applied by the Google twin`);
      }
    }
    fn.revision += 1;
    const key = this.o.probeKeys.get(name!);
    if (key !== undefined) this.o.platform.reconfigure(key, { memoryMb: fn.memoryMb, env: gcfEnvironment(fn, this.o.services) }, `${fn.env.CURTAIN_GENERATION ?? 'rev'}@${fn.revision}`);
    else this.define(fn);
    // The connector waits for the update's long-running operation: operations.get on the project.
    if (!this.o.calls.authorize(caller, 'cloudfunctions.operations.get', { kind: 'project', project: project! })) {
      throw new WorkflowRaise({ message: `Permission 'cloudfunctions.operations.get' denied on 'projects/${project}/locations/${location}/operations/twin-${fn.revision}'`, code: 403, tags: ['HttpError'] });
    }
    return {
      name: String(args.name),
      state: 'ACTIVE',
      environment: 'GEN_2',
      serviceConfig: { availableMemory: `${fn.memoryMb}Mi`, environmentVariables: fn.env, revision: `${fn.spec.name}-${String(fn.revision).padStart(5, '0')}` },
    };
  }
}

/** The platform's front-door replies as the function's HTTP answer (local/platform/local-platform.ts). */
function fromPlatform(reply: HttpReply): FunctionReply {
  if (reply.status === 500) return functionAnswer((reply.body as { error?: unknown } | null)?.error);
  if (reply.status === 429) return { status: 429, body: { error: `Rate exceeded: ${JSON.stringify(reply.body)}` } };
  return { status: reply.status, body: reply.body };
}

/** An instance's non-200 answer, sent by the runtime as the JSON text {status, body}. */
function functionAnswer(error: unknown): FunctionReply {
  if (typeof error === 'string') {
    try {
      const parsed = JSON.parse(error) as { status?: unknown; body?: unknown };
      if (typeof parsed.status === 'number') return { status: parsed.status, body: parsed.body };
    } catch {
      // not the runtime's JSON: below
    }
  }
  return { status: 500, body: { error: String(error) } };
}

function fromProcess(reply: ProcessReply, fn: LiveGcpFunction): FunctionReply {
  switch (reply.kind) {
    case 'response':
      return { status: 200, body: reply.response };
    case 'error':
      return functionAnswer(reply.error);
    case 'timeout':
      return { status: 504, body: { error: `The request timed out after ${fn.spec.timeoutSeconds} s` } };
    case 'crashed':
      return { status: 503, body: { error: `the instance crashed: ${reply.error}` } };
  }
}
