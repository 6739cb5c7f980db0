/**
 * How the twin runs a Function App's package: extracted from its zip as the
 * host mounts it, indexed by the twin's Functions worker (functions-host/) as
 * the host indexes an app at start, and started with the environment App
 * Service gives the app's processes: its app settings, the platform's
 * variables (https://learn.microsoft.com/azure/azure-functions/functions-app-settings
 * and the App Service environment variables reference, read 2026-12-06), its
 * managed identity endpoint, and the twin's network (cloud names to the front
 * door, the twin's certificate trusted through NODE_EXTRA_CA_CERTS).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolvePythonExecutable, type RuntimeCommands } from '../../local/instances/runtime-commands';
import type { HttpFunction } from './function-keys';
import type { LiveApp } from './live-apps';
import { AzureTwinError, type TwinFunctionApp } from './terraform-stack';
import { TWIN_HOST_SUFFIXES } from './tls-cert';

const HOST_DIR = path.join(__dirname, 'functions-host');
const INDEX_TIMEOUT_MS = 60_000;

/** The commands that start the twin's Functions worker per runtime (python: null when python3 is missing). */
export function azureWorkerCommands(): RuntimeCommands {
  const python = resolvePythonExecutable();
  return {
    nodejs: { command: process.execPath, args: [path.join(HOST_DIR, 'node-worker.cjs')] },
    python: python ? { command: python, args: [path.join(HOST_DIR, 'python-worker.py')] } : null,
  };
}

const Binding = z.looseObject({ type: z.string(), direction: z.string().optional(), route: z.string().optional(), methods: z.array(z.string()).optional(), authLevel: z.string().optional() });
const Index = z.object({ functions: z.array(z.object({ name: z.string(), bindings: z.record(z.string(), Binding) })) });
export type IndexedFunction = z.output<typeof Index>['functions'][number];

/** The app's functions as its worker registers them (the host's function indexing). */
export function indexApp(spec: TwinFunctionApp, root: string, runtimes: RuntimeCommands): IndexedFunction[] {
  const command = runtimes[spec.runtime];
  if (!command) throw new AzureTwinError(`${spec.address}: no command runs ${spec.runtime} apps on this machine (python3 on PATH)`);
  const run = spawnSync(command.command, [...command.args, '--index'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: root, ...spec.appSettings, AzureWebJobsScriptRoot: root },
    encoding: 'utf8',
    timeout: INDEX_TIMEOUT_MS,
  });
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0];
    throw new AzureTwinError(`${spec.address}: the app's package does not load: ${why}`);
  }
  const parsed = Index.safeParse(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}'));
  if (!parsed.success) throw new AzureTwinError(`${spec.address}: the worker's function index is not understood`);
  return parsed.data.functions;
}

/** The HTTP-triggered functions of an index, with their route (default: the function name), methods and auth level. */
export function httpFunctions(functions: readonly IndexedFunction[]): HttpFunction[] {
  return functions.flatMap((f) => {
    const trigger = Object.values(f.bindings).find((b) => b.type === 'httpTrigger');
    return trigger ? [{ name: f.name, route: trigger.route ?? f.name, methods: trigger.methods ?? null, authLevel: trigger.authLevel ?? 'function' }] : [];
  });
}

export interface HostJson {
  timeoutSeconds: number;
  routePrefix: string;
  /** extensions.durableTask.hubName, when the app names one. */
  taskHub: string | null;
}

/** host.json's functionTimeout ("hh:mm:ss") and HTTP route prefix (default "api"). */
export function readHostJson(root: string, address: string): HostJson {
  let json: { functionTimeout?: unknown; extensions?: { http?: { routePrefix?: unknown }; durableTask?: { hubName?: unknown } } };
  try {
    json = JSON.parse(readFileSync(path.join(root, 'host.json'), 'utf8')) as typeof json;
  } catch (error) {
    throw new AzureTwinError(`${address}: host.json: ${error instanceof Error ? error.message : String(error)}`);
  }
  const timeout = /^(\d+):(\d{2}):(\d{2})$/.exec(String(json.functionTimeout ?? '00:05:00'));
  if (!timeout) throw new AzureTwinError(`${address}: host.json functionTimeout "${String(json.functionTimeout)}" is not hh:mm:ss`);
  const routePrefix = json.extensions?.http?.routePrefix;
  const hub = json.extensions?.durableTask?.hubName;
  return {
    timeoutSeconds: Number(timeout[1]) * 3600 + Number(timeout[2]) * 60 + Number(timeout[3]),
    routePrefix: typeof routePrefix === 'string' ? routePrefix : 'api',
    taskHub: typeof hub === 'string' ? hub : null,
  };
}

export interface TwinNetwork {
  certFile: string;
  frontDoorPort: number;
  region: string;
}

/** The environment of an app's process, from its live settings. */
export function appEnvironment(app: LiveApp, root: string, identity: Record<string, string>, network: TwinNetwork): Record<string, string> {
  return {
    ...app.settings,
    AzureWebJobsScriptRoot: root,
    FUNCTIONS_EXTENSION_VERSION: '~4',
    FUNCTIONS_WORKER_RUNTIME: app.spec.runtime === 'nodejs' ? 'node' : 'python',
    WEBSITE_SITE_NAME: app.spec.name,
    WEBSITE_HOSTNAME: app.spec.hostname,
    WEBSITE_SKU: app.spec.hosting === 'flex' ? 'FlexConsumption' : 'Dynamic',
    WEBSITE_MEMORY_LIMIT_MB: String(app.memoryMb),
    REGION_NAME: network.region,
    ...identity,
    NODE_EXTRA_CA_CERTS: network.certFile,
    _CURTAIN_TWIN_HOSTS: JSON.stringify(Object.fromEntries(TWIN_HOST_SUFFIXES.map((s) => [s, network.frontDoorPort]))),
  };
}
