/**
 * What the Google twin executes, read from a stack's Terraform JSON as
 * `cdktf synth` wrote it (cdktf.out/stacks/<stack>/cdk.tf.json and its assets):
 * the Cloud Functions (2nd gen) with the zip archive each one's source object
 * uploads, entry point, runtime, memory, timeout, environment and service
 * account; the workflow with its source, service account and environment; the
 * buckets; the IAM bindings and custom roles. The twin "applies" the stack:
 * project variables become the twin's projects, computed attributes (emails,
 * URLs, role names) the values Google would give them, with function URLs on
 * loopback. A resource kind, runtime or setting the twin does not model is
 * refused with its address.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../../experiments/canonical-json';
import { GcpArtifactError } from './gcp-artifact-error';
import { resolveValue, type TerraformContext } from './terraform-refs';

export type GcfRuntime = 'nodejs' | 'python';

export interface GcpFunction {
  /** Terraform address, e.g. google_cloudfunctions2_function.driver_function_C0652D03. */
  address: string;
  name: string;
  project: string;
  location: string;
  /** The loopback URL the twin serves it at (Google: https://<name>-<hash>.<region>.run.app). */
  url: string;
  entryPoint: string;
  /** Runtime id, e.g. nodejs24, python313. */
  runtimeId: string;
  runtime: GcfRuntime;
  memoryMb: number;
  timeoutSeconds: number;
  maxInstances: number;
  env: Record<string, string>;
  serviceAccount: string;
  /** The zip archive its source object uploads. */
  archive: string;
}

export interface GcpBinding {
  address: string;
  /** What the binding is on: a project, a Cloud Run service, a function, a bucket, a service account. */
  on: { kind: 'project' | 'service' | 'function' | 'bucket' | 'serviceAccount'; name: string };
  role: string;
  member: string;
  /** An IAM condition (CEL) limiting where it applies, as written. */
  condition: string | null;
}

export interface GcpWorkflow {
  address: string;
  name: string;
  project: string;
  region: string;
  source: string;
  serviceAccount: string;
  env: Record<string, string>;
}

export interface GcpStack {
  stackName: string;
  templateFile: string;
  templateHash: string;
  functions: GcpFunction[];
  workflow: GcpWorkflow;
  buckets: string[];
  bindings: GcpBinding[];
  /** Custom role name (projects/<p>/roles/<id>) → permissions. */
  customRoles: Map<string, string[]>;
  serviceAccounts: string[];
}

/** Resource kinds the twin reads; every other kind is refused. Project services (API enablement) need nothing from it. */
const MODELLED = new Set([
  'google_cloudfunctions2_function',
  'google_cloudfunctions2_function_iam_member',
  'google_cloud_run_v2_service_iam_member',
  'google_project_iam_custom_role',
  'google_project_iam_member',
  'google_project_service',
  'google_service_account',
  'google_service_account_iam_member',
  'google_storage_bucket',
  'google_storage_bucket_iam_member',
  'google_storage_bucket_object',
  'google_workflows_workflow',
]);


type Resources = Record<string, Record<string, Record<string, unknown>>>;

interface TerraformJson {
  resource?: Resources;
  data?: unknown;
  module?: unknown;
  provider?: { google?: { alias?: string; project?: string; region?: string }[] };
  [key: string]: unknown;
}

/** Names of the stack's functions, read before the twin assigns their URLs. */
export function functionNames(template: TerraformJson): string[] {
  return Object.values(template.resource?.google_cloudfunctions2_function ?? {}).map((f) => String(f.name));
}

export function readTemplate(stackDir: string): { file: string; template: TerraformJson; hash: string } {
  const file = path.join(stackDir, 'cdk.tf.json');
  if (!existsSync(file)) throw new GcpArtifactError(`${file}: no synthesized Terraform JSON`);
  const text = readFileSync(file, 'utf8');
  const template = JSON.parse(text) as TerraformJson;
  // As the AWS twin hashes its template: canonical JSON, so formatting does not change it.
  return { file, template, hash: sha256Hex(canonicalJson(template)) };
}

export interface ApplyOptions {
  stackName: string;
  stackDir: string;
  /** Project id per Terraform variable (gcp_project, gcp_project_b). */
  projects: Readonly<Record<string, string>>;
  /** The URL the twin serves each function at, by function name. */
  urlOf(functionName: string): string;
}

export function readGcpStack(options: ApplyOptions): GcpStack {
  const { file, template, hash } = readTemplate(options.stackDir);
  const refused = [
    ...(template.data ? ['data sources'] : []),
    ...(template.module ? ['modules'] : []),
    ...Object.keys(template.resource ?? {})
      .filter((t) => !MODELLED.has(t))
      .map((t) => `${t}.${Object.keys(template.resource![t]!)[0]}: resource kind ${t} is not modelled by the Google twin`),
  ];
  if (refused.length > 0) throw new GcpArtifactError(refused[0]!);
  const resources = template.resource ?? {};
  const providerProject = new Map<string, string>();
  for (const p of template.provider?.google ?? []) {
    const key = p.alias ? `google.${p.alias}` : 'google';
    providerProject.set(key, String(p.project));
  }
  const variables = options.projects;
  const raw = (type: string, name: string) => resources[type]?.[name];
  const projectOf = (type: string, name: string): string => {
    const body = raw(type, name)!;
    const explicit = typeof body.project === 'string' ? body.project : providerProject.get(String(body.provider ?? 'google'));
    if (explicit === undefined) throw new GcpArtifactError(`${type}.${name}: no project (neither its own nor its provider's)`);
    return resolveValue(explicit, { variables, reference: () => undefined, where: `${type}.${name}` }) as string;
  };
  const argument = (type: string, name: string, key: string): string => {
    const body = raw(type, name);
    if (!body || typeof body[key] !== 'string') throw new GcpArtifactError(`${type}.${name}: no ${key}`);
    return resolveValue(body[key], { variables, reference: (t, n, p) => reference(t, n, p), where: `${type}.${name}` }) as string;
  };
  const reference = (type: string, name: string, attr: readonly (string | number)[]): string | undefined => {
    if (!raw(type, name)) throw new GcpArtifactError(`a reference to ${type}.${name}, which the stack does not declare`);
    const key = attr.join('.');
    switch (type) {
      case 'google_service_account': {
        const email = `${argument(type, name, 'account_id')}@${projectOf(type, name)}.iam.gserviceaccount.com`;
        if (key === 'email') return email;
        if (key === 'name' || key === 'id') return `projects/${projectOf(type, name)}/serviceAccounts/${email}`;
        return undefined;
      }
      case 'google_storage_bucket':
      case 'google_storage_bucket_object':
      case 'google_workflows_workflow':
        return key === 'name' ? argument(type, name, 'name') : undefined;
      case 'google_project_iam_custom_role':
        return key === 'name' || key === 'id' ? `projects/${projectOf(type, name)}/roles/${argument(type, name, 'role_id')}` : undefined;
      case 'google_cloudfunctions2_function': {
        const fn = argument(type, name, 'name');
        if (key === 'name') return fn;
        if (key === 'url') return options.urlOf(fn);
        if (key === 'service_config.0.service') return `projects/${projectOf(type, name)}/locations/${argument(type, name, 'location')}/services/${fn}`;
        return undefined;
      }
      default:
        return undefined;
    }
  };
  const resolved = (type: string, name: string): Record<string, unknown> => {
    const ctx: TerraformContext = { variables, reference, where: `${type}.${name}` };
    return resolveValue(raw(type, name), ctx) as Record<string, unknown>;
  };
  const each = (type: string) => Object.keys(resources[type] ?? {}).map((name) => ({ name, address: `${type}.${name}`, body: resolved(type, name) }));

  const objects = new Map(each('google_storage_bucket_object').map((o) => [`${o.body.bucket}/${o.body.name}`, path.resolve(options.stackDir, String(o.body.source))]));
  const functions = each('google_cloudfunctions2_function').map(({ name, address, body }) => readFunction(address, body, projectOf('google_cloudfunctions2_function', name), objects, options.urlOf));
  const workflows = each('google_workflows_workflow');
  if (workflows.length !== 1) throw new GcpArtifactError(`${options.stackName}: the twin runs stacks with exactly one workflow (found ${workflows.length})`);
  const w = workflows[0]!;
  const workflow: GcpWorkflow = {
    address: w.address,
    name: String(w.body.name),
    project: projectOf('google_workflows_workflow', w.name),
    region: String(w.body.region),
    source: String(w.body.source_contents),
    serviceAccount: String(w.body.service_account),
    env: (w.body.user_env_vars ?? {}) as Record<string, string>,
  };
  const member = (address: string, body: Record<string, unknown>) => {
    if (typeof body.member !== 'string' || typeof body.role !== 'string') throw new GcpArtifactError(`${address}: a binding needs a member and a role`);
    return { member: body.member, role: body.role };
  };
  const lastSegment = (s: unknown) => String(s).split('/').pop()!;
  const bindings: GcpBinding[] = [
    ...each('google_project_iam_member').map(({ address, body }) => ({ address, on: { kind: 'project' as const, name: String(body.project) }, ...member(address, body), condition: conditionOf(address, body) })),
    ...each('google_cloud_run_v2_service_iam_member').map(({ address, body }) => ({ address, on: { kind: 'service' as const, name: lastSegment(body.name) }, ...member(address, body), condition: conditionOf(address, body) })),
    ...each('google_cloudfunctions2_function_iam_member').map(({ address, body }) => ({ address, on: { kind: 'function' as const, name: lastSegment(body.cloud_function) }, ...member(address, body), condition: conditionOf(address, body) })),
    ...each('google_storage_bucket_iam_member').map(({ address, body }) => ({ address, on: { kind: 'bucket' as const, name: String(body.bucket) }, ...member(address, body), condition: conditionOf(address, body) })),
    ...each('google_service_account_iam_member').map(({ address, body }) => ({ address, on: { kind: 'serviceAccount' as const, name: lastSegment(body.service_account_id) }, ...member(address, body), condition: conditionOf(address, body) })),
  ];
  const customRoles = new Map(
    each('google_project_iam_custom_role').map(({ name, body }) => [`projects/${projectOf('google_project_iam_custom_role', name)}/roles/${String(body.role_id)}`, (body.permissions as string[]) ?? []]),
  );
  return {
    stackName: options.stackName,
    templateFile: file,
    templateHash: hash,
    functions,
    workflow,
    buckets: each('google_storage_bucket').map((b) => String(b.body.name)),
    bindings,
    customRoles,
    serviceAccounts: Object.keys(resources.google_service_account ?? {}).map((n) => reference('google_service_account', n, ['email'])!),
  };
}

function conditionOf(address: string, body: Record<string, unknown>): string | null {
  const condition = body.condition as { expression?: unknown } | undefined;
  if (!condition) return null;
  if (typeof condition.expression !== 'string') throw new GcpArtifactError(`${address}: a condition without an expression`);
  return condition.expression;
}

/**
 * A resolved google_cloudfunctions2_function as the twin reads it (the provider's schema, 6.x,
 * https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/cloudfunctions2_function,
 * read 2026-12-06): only the settings the twin models; any other service_config key is refused.
 */
const FunctionBody = z.object({
  name: z.string().min(1),
  location: z.string().min(1),
  build_config: z.object({
    entry_point: z.string().min(1),
    runtime: z.string().regex(/^(nodejs\d+|python3\d+)$/, 'a runtime the Google twin runs (nodejs<n>, python3<n>)'),
    source: z.object({ storage_source: z.object({ bucket: z.string(), object: z.string() }) }),
  }),
  service_config: z.strictObject({
    all_traffic_on_latest_revision: z.boolean().optional(),
    available_cpu: z.string().optional(),
    available_memory: z.string().regex(/^\d+Mi$/, '<n>Mi'),
    environment_variables: z.record(z.string(), z.string()).default({}),
    ingress_settings: z.enum(['ALLOW_ALL', 'ALLOW_INTERNAL_ONLY', 'ALLOW_INTERNAL_AND_GCLB']).optional(),
    max_instance_count: z.number().int().positive().default(100),
    max_instance_request_concurrency: z.literal(1, 'the twin serves one request per instance (1)'),
    min_instance_count: z.number().int().min(0).optional(),
    service_account_email: z.string().min(1),
    timeout_seconds: z.number().int().positive().default(60),
  }),
});

function readFunction(address: string, body: Record<string, unknown>, project: string, objects: Map<string, string>, urlOf: (name: string) => string): GcpFunction {
  const parsed = FunctionBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    const value = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], body);
    const what =
      issue.code === 'unrecognized_keys' ? `${where ? `${where}.` : ''}${issue.keys[0]} is not modelled by the Google twin` : `${where} ${JSON.stringify(value) ?? '(missing)'}: expected ${issue.message}`;
    throw new GcpArtifactError(`${address}: ${what}`);
  }
  const { build_config: build, service_config: service, name } = parsed.data;
  const storage = build.source.storage_source;
  const archive = objects.get(`${storage.bucket}/${storage.object}`);
  if (!archive || !existsSync(archive)) throw new GcpArtifactError(`${address}: its source gs://${storage.bucket}/${storage.object} is no object the stack uploads`);
  return {
    address,
    name,
    project,
    location: parsed.data.location,
    url: urlOf(name),
    entryPoint: build.entry_point,
    runtimeId: build.runtime,
    runtime: build.runtime.startsWith('nodejs') ? 'nodejs' : 'python',
    memoryMb: Number(service.available_memory.slice(0, -2)),
    timeoutSeconds: service.timeout_seconds,
    maxInstances: service.max_instance_count,
    env: service.environment_variables,
    serviceAccount: service.service_account_email,
    archive,
  };
}
