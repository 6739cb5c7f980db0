/**
 * Every role binding of the synthesized Google and Azure Terraform JSON,
 * listed as (principal, role, target) and checked against the least-privilege
 * table below: a binding the table does not allow, a custom role with a
 * permission the table does not list, or a role held on more than the plan
 * needs is a finding (issue 10, defect 8). The table is the specification,
 * written out here rather than read from the stacks.
 *
 * Principals and targets are named by the Terraform resources they refer to
 * (`${google_service_account.driver-account.email}` → `driver-account`,
 * `${azurerm_linux_function_app.probe-..._app_X.id}` → `probe app`).
 */
import type { Finding } from './support/findings';

type Body = Record<string, unknown>;
type Json = { resource?: Record<string, Record<string, Body>> } & Record<string, unknown>;

export interface Binding {
  artifact: string;
  /** Who: a service account id, `driver identity`, `host identity`. */
  principal: string;
  /** A predefined role, or `custom:` and the sorted permissions/actions of the custom role. */
  role: string;
  /** What the role is held on: `probe service`, `driver service`, `probe function`, `project`, ... */
  target: string;
  /** The bound resource's Terraform name (a function, an app), for per-resource checks. */
  resource?: string;
  /** Google: the IAM condition's expression, when the binding has one. */
  condition?: string;
}

/** `${<type>.<name>.<attr>...}` → [type, name]. */
function reference(value: unknown): [string, string] | undefined {
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\./.exec(String(value));
  return m ? [m[1]!, m[2]!] : undefined;
}

function kindOf(resourceName: string): 'probe' | 'driver' | 'other' {
  return resourceName.startsWith('probe') ? 'probe' : resourceName.startsWith('driver') ? 'driver' : 'other';
}

const ALLOWED_GOOGLE: readonly { principal: RegExp; role: string; target: string; why: string }[] = [
  { principal: /^driver-account$/, role: 'roles/run.invoker', target: 'probe service', why: 'the driver invokes the probes' },
  { principal: /^driver-account$/, role: 'roles/storage.objectUser', target: 'results bucket (study prefix)', why: 'the driver writes its study prefix' },
  { principal: /^workflow-account$/, role: 'roles/run.invoker', target: 'driver service', why: 'the workflow invokes the driver' },
  { principal: /^workflow-account$/, role: 'custom:cloudfunctions.functions.get,cloudfunctions.functions.update', target: 'probe function', why: 'update steps patch the probes they change' },
  { principal: /^workflow-account$/, role: 'custom:cloudfunctions.operations.get', target: 'project', why: 'the connector waits for the update operation' },
  { principal: /^workflow-account$/, role: 'roles/logging.logWriter', target: 'project', why: 'the workflow writes its call log' },
  { principal: /^workflow-account$/, role: 'roles/iam.serviceAccountUser', target: 'probe account', why: 'a patched function keeps running as the probe account' },
];

export function googleBindings(stackName: string, json: Json): Binding[] {
  const resources = json.resource ?? {};
  const customRoles = (resources.google_project_iam_custom_role ?? {}) as unknown as Record<string, { permissions: string[] }>;
  const bindings: Binding[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    if (!type.endsWith('_iam_member') && !type.endsWith('_iam_binding') && !type.endsWith('_iam_policy')) continue;
    for (const [name, body] of Object.entries(byName as Record<string, Body>)) {
      const artifact = `${stackName}/${type}.${name}`;
      const member = String(body.member ?? body.members ?? body.policy_data);
      const principal = reference(member.replace(/^serviceAccount:/, ''))?.[1]?.replace(/_[a-z]$/, '') ?? member;
      const custom = reference(body.role);
      const role = custom?.[0] === 'google_project_iam_custom_role' ? `custom:${[...(customRoles[custom[1]]?.permissions ?? ['?'])].sort().join(',')}` : String(body.role);
      let target = type;
      let resource: string | undefined;
      if (type === 'google_cloud_run_v2_service_iam_member' || type === 'google_cloudfunctions2_function_iam_member') {
        resource = reference(body.name ?? body.cloud_function)?.[1] ?? '?';
        target = `${kindOf(resource)} ${type === 'google_cloud_run_v2_service_iam_member' ? 'service' : 'function'}`;
      } else if (type === 'google_storage_bucket_iam_member') {
        resource = reference(body.bucket)?.[1] ?? '?';
        target = resource.startsWith('results') ? 'results bucket' : `bucket ${resource}`;
      } else if (type === 'google_project_iam_member') target = 'project';
      else if (type === 'google_service_account_iam_member') target = `${kindOf(reference(body.service_account_id)?.[1] ?? '?')} account`;
      const condition = (body.condition as { expression?: string } | undefined)?.expression;
      bindings.push({ artifact, principal, role, target, resource, condition });
    }
  }
  return bindings;
}

/** Google bindings outside the table; the results grant must carry the study-prefix condition. */
export function checkGoogleBindings(bindings: readonly Binding[], study: string): Finding[] {
  const findings: Finding[] = [];
  for (const b of bindings) {
    const target = b.target === 'results bucket' && b.condition?.includes(`/objects/${study}/`) ? 'results bucket (study prefix)' : b.target;
    if (!ALLOWED_GOOGLE.some((a) => a.principal.test(b.principal) && a.role === b.role && a.target === target)) {
      findings.push({ artifact: b.artifact, field: 'role', reference: 'least-privilege table (test/conformance/iam-bindings.ts)', message: `${b.principal} holds ${b.role} on ${target}: not in the table` });
    }
  }
  return findings;
}

const ALLOWED_AZURE: readonly { principal: string; role: string; target: string; why: string }[] = [
  { principal: 'driver identity', role: 'Storage Blob Data Contributor', target: 'results container', why: 'the driver writes results' },
  { principal: 'driver identity', role: 'custom:Microsoft.Web/sites/config/list/action,Microsoft.Web/sites/config/write', target: 'probe app', why: 'update steps read and write the app settings' },
  { principal: 'driver identity', role: 'custom:Microsoft.Web/sites/config/list/action,Microsoft.Web/sites/config/write,Microsoft.Web/sites/write', target: 'probe app', why: 'Flex memory updates patch the site too' },
  { principal: 'probe host identity', role: 'Storage Blob Data Owner', target: 'host account', why: 'the Functions host keeps its state and reads its package (AzureWebJobsStorage)' },
  { principal: 'driver host identity', role: 'Storage Blob Data Owner', target: 'host account', why: 'the same for the driver' },
  { principal: 'driver host identity', role: 'Storage Queue Data Contributor', target: 'host account', why: 'the Durable task hub queues' },
  { principal: 'driver host identity', role: 'Storage Table Data Contributor', target: 'host account', why: 'the Durable task hub tables' },
];

export function azureBindings(stackName: string, json: Json): Binding[] {
  const resources = json.resource ?? {};
  const definitions = (resources.azurerm_role_definition ?? {}) as unknown as Record<string, { permissions: { actions?: string[]; data_actions?: string[] }[] }>;
  return Object.entries((resources.azurerm_role_assignment ?? {}) as Record<string, Body>).map(([name, body]) => {
    const artifact = `${stackName}/azurerm_role_assignment.${name}`;
    const who = reference(body.principal_id);
    const principal = !who
      ? String(body.principal_id)
      : who[0] === 'azurerm_user_assigned_identity'
        ? `${kindOf(who[1])} host identity`
        : `${kindOf(who[1])} identity`;
    const custom = reference(body.role_definition_id);
    const role =
      custom?.[0] === 'azurerm_role_definition'
        ? `custom:${(definitions[custom[1]]?.permissions ?? []).flatMap((p) => [...(p.actions ?? []), ...(p.data_actions ?? []).map((a) => `data:${a}`)]).sort().join(',')}`
        : String(body.role_definition_name ?? body.role_definition_id);
    const scope = String(body.scope);
    const on = reference(scope);
    const resource = on?.[1];
    const target = /\/containers\/results$/.test(scope)
      ? 'results container'
      : on?.[0] === 'azurerm_storage_account' && resource?.startsWith('host-storage')
        ? 'host account'
        : on && /function_app/.test(on[0])
          ? `${kindOf(on[1])} app`
          : scope;
    return { artifact, principal, role, target, resource };
  });
}

export function checkAzureBindings(bindings: readonly Binding[]): Finding[] {
  return bindings
    .filter((b) => !ALLOWED_AZURE.some((a) => a.principal === b.principal && a.role === b.role && a.target === b.target))
    .map((b) => ({ artifact: b.artifact, field: 'role', reference: 'least-privilege table (test/conformance/iam-bindings.ts)', message: `${b.principal} holds ${b.role} on ${b.target}: not in the table` }));
}

/** Custom Azure roles: assignable only within resource groups, no wildcard, no data actions. */
export function checkAzureRoleDefinitions(stackName: string, json: Json): Finding[] {
  const findings: Finding[] = [];
  for (const [name, body] of Object.entries((json.resource?.azurerm_role_definition ?? {}) as Record<string, Body>)) {
    const artifact = `${stackName}/azurerm_role_definition.${name}`;
    const scopes = (body.assignable_scopes as string[] | undefined) ?? [];
    if (scopes.length === 0 || scopes.some((s) => !/^\$\{azurerm_resource_group\.[^.]+\.id\}$/.test(s))) findings.push({ artifact, field: 'assignable_scopes', reference: 'least privilege', message: `${JSON.stringify(scopes)}: not limited to the study's resource groups` });
    for (const p of (body.permissions as { actions?: string[]; data_actions?: string[] }[] | undefined) ?? []) {
      if ((p.actions ?? []).some((a) => a.includes('*'))) findings.push({ artifact, field: 'permissions.actions', reference: 'least privilege', message: 'wildcard action' });
      if ((p.data_actions ?? []).length > 0) findings.push({ artifact, field: 'permissions.data_actions', reference: 'least privilege', message: 'data actions in the reconfigure role' });
    }
  }
  return findings;
}
