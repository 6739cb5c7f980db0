/**
 * Reads a synthesized `azure-<study>` stack (cdktf.out/stacks/<stack>/cdk.tf.json)
 * as `terraform apply` would create it, with the attributes Azure would give
 * the resources in the twin's subscription: names (evaluated from the stack's
 * own expressions), ARM ids, host names, managed identity principals, the
 * Function Apps' default function keys (fresh per run, as Azure generates
 * them), the apps' app settings with every reference resolved, their package
 * zips, runtimes, hosting and memory, and the role assignments with the role
 * definitions they name. A resource type or argument the twin does not model
 * is refused naming the resource (`<type>.<name>`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../experiments/canonical-json';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CAPABILITIES } from '../../experiments/capabilities';
import { FLEX_PACKAGE_BLOB } from '../../stacks/azure/constructs/function-app';
import { builtInRole, type RoleDefinition } from './azure-roles';
import { TargetError } from '../../targets/target-errors';
import { evaluateValue, type ExpressionScope, type ReferencePath, TerraformExpressionError } from './terraform-expr';

/** An artifact the twin does not understand, or an emulator that cannot start: one line naming it, exit 1 (`curtain run` reports TargetErrors as input errors). */
export class AzureTwinError extends TargetError {
  override name = 'AzureTwinError';
  constructor(message: string) {
    super(`curtain run --target azure: ${message}`, 'input');
  }
}

/** Subscriptions of the twin: zero GUIDs, never a real subscription; tenant b (a second variable) gets ...0002. */
export const TWIN_SUBSCRIPTIONS = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'] as const;

export interface TwinFunctionApp {
  /** `<type>.<name>` in the stack. */
  address: string;
  name: string;
  id: string;
  hostname: string;
  hosting: 'consumption' | 'flex';
  runtime: 'nodejs' | 'python';
  runtimeVersion: string;
  memoryMb: number;
  appSettings: Record<string, string>;
  /** The zip the app runs (WEBSITE_RUN_FROM_PACKAGE's blob, or Flex's released package). */
  packageZip: string;
  /** The app's system-assigned identity, when it has one. */
  principalId: string | null;
  /** Its user-assigned identities: client id → principal id. */
  userIdentities: Record<string, string>;
  defaultFunctionKey: string;
}

export interface TwinRoleAssignment {
  address: string;
  principalId: string;
  scope: string;
  role: RoleDefinition;
}

export interface TwinAzureStack {
  file: string;
  hash: string;
  apps: TwinFunctionApp[];
  assignments: TwinRoleAssignment[];
  /** The results container: the account and container the driver's settings name. */
  storageAccounts: { name: string; id: string; containers: string[] }[];
}

const MODELLED = new Set([
  'azurerm_resource_group',
  'azurerm_storage_account',
  'azurerm_storage_container',
  'azurerm_storage_blob',
  'azurerm_service_plan',
  'azurerm_linux_function_app',
  'azurerm_function_app_flex_consumption',
  'azurerm_user_assigned_identity',
  'azurerm_role_assignment',
  'azurerm_role_definition',
  'data.azurerm_function_app_host_keys',
  'data.azurerm_storage_account_blob_container_sas',
]);

type Block = Record<string, unknown>;
const APP_TYPES = ['azurerm_linux_function_app', 'azurerm_function_app_flex_consumption'];

/** A GUID derived from a name, so identities and role ids are stable within a stack. */
function guidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function readAzureStack(file: string): TwinAzureStack {
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text) as { resource?: Record<string, Record<string, Block>>; data?: Record<string, Record<string, Block>>; variable?: Record<string, unknown>; provider?: Record<string, Block[]> };
  const dir = path.dirname(file);
  const resources = json.resource ?? {};
  const data = json.data ?? {};
  for (const [type, blocks] of [...Object.entries(resources), ...Object.entries(data).map(([t, b]) => [`data.${t}`, b] as const)]) {
    if (!MODELLED.has(type)) throw new AzureTwinError(`${type}.${Object.keys(blocks)[0]}: resource type ${type} is not modelled by the Azure twin`);
  }
  const variables = Object.keys(json.variable ?? {});
  if (variables.length > TWIN_SUBSCRIPTIONS.length) throw new AzureTwinError(`variables ${variables.join(', ')}: the twin models at most ${TWIN_SUBSCRIPTIONS.length} subscriptions`);
  const varValues = new Map(variables.map((v, i) => [v, TWIN_SUBSCRIPTIONS[i]!]));
  const keys = new Map<string, string>();
  const evaluating = new Set<string>();

  const blockOf = (kind: 'resource' | 'data', type: string, name: string): Block => {
    const block = (kind === 'resource' ? resources : data)[type]?.[name];
    if (!block) throw new AzureTwinError(`${kind === 'data' ? 'data.' : ''}${type}.${name}: referenced but not in the stack`);
    return block;
  };
  const scope: ExpressionScope = {
    dir,
    reference: (ref: ReferencePath) => {
      const [head, ...rest] = ref;
      if (head === 'var') {
        const value = varValues.get(String(rest[0]));
        if (value === undefined) throw new AzureTwinError(`var.${String(rest[0])}: not a variable of the stack`);
        return value;
      }
      if (head === 'data') return attribute('data', String(rest[0]), String(rest[1]), rest.slice(2));
      return attribute('resource', String(head), String(rest[0]), rest.slice(1));
    },
  };
  const evaluate = (address: string, value: unknown): unknown => {
    if (evaluating.has(address)) throw new AzureTwinError(`${address}: refers to itself`);
    evaluating.add(address);
    try {
      return evaluateValue(value, scope);
    } catch (error) {
      if (error instanceof TerraformExpressionError) throw new AzureTwinError(`${address}: ${error.message}`);
      throw error;
    } finally {
      evaluating.delete(address);
    }
  };
  const arg = (kind: 'resource' | 'data', type: string, name: string, field: string): string => {
    const value = evaluate(`${type}.${name}.${field}`, blockOf(kind, type, name)[field]);
    if (typeof value !== 'string') throw new AzureTwinError(`${type}.${name}: ${field} is ${JSON.stringify(value)}, expected a string`);
    return value;
  };
  const subscriptionOf = (type: string, name: string): string => {
    const provider = String(blockOf('resource', type, name).provider ?? 'azurerm');
    const alias = provider.includes('.') ? provider.split('.')[1] : undefined;
    const config = (json.provider?.azurerm ?? []).find((p) => (p.alias ?? undefined) === alias);
    if (!config) throw new AzureTwinError(`${type}.${name}: provider ${provider} is not configured in the stack`);
    return String(evaluate(`provider.${provider}`, config.subscription_id));
  };
  const groupId = (type: string, name: string) => `/subscriptions/${subscriptionOf(type, name)}/resourceGroups/${arg('resource', type, name, 'resource_group_name')}`;
  const accountName = (accountId: string) => accountId.split('/').pop()!;

  function attribute(kind: 'resource' | 'data', type: string, name: string, rest: ReferencePath): unknown {
    const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
    const attr = rest.map(String).join('.');
    const unknown = () => new AzureTwinError(`${address}.${attr}: attribute not modelled by the Azure twin`);
    if (kind === 'data') {
      if (type === 'azurerm_function_app_host_keys' && attr === 'default_function_key') {
        const app = arg('data', type, name, 'name');
        if (!keys.has(app)) keys.set(app, randomBytes(32).toString('base64url'));
        return keys.get(app);
      }
      if (type === 'azurerm_storage_account_blob_container_sas' && attr === 'sas') return '?sv=2023-11-03&sr=c&sp=r&sig=twin';
      throw unknown();
    }
    switch (type) {
      case 'azurerm_resource_group':
        if (attr === 'name') return arg('resource', type, name, 'name');
        if (attr === 'id') return `/subscriptions/${subscriptionOf(type, name)}/resourceGroups/${arg('resource', type, name, 'name')}`;
        break;
      case 'azurerm_storage_account': {
        const account = arg('resource', type, name, 'name');
        if (attr === 'name') return account;
        if (attr === 'id') return `${groupId(type, name)}/providers/Microsoft.Storage/storageAccounts/${account}`;
        if (attr === 'primary_blob_endpoint') return `https://${account}.blob.core.windows.net/`;
        // The host storage key of Consumption apps: the twin's host never uses it.
        if (attr === 'primary_access_key') return randomBytes(32).toString('base64');
        if (attr === 'primary_connection_string') return `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=twin;EndpointSuffix=core.windows.net`;
        break;
      }
      case 'azurerm_storage_container':
        if (attr === 'name') return arg('resource', type, name, 'name');
        if (attr === 'id') return `${arg('resource', type, name, 'storage_account_id')}/blobServices/default/containers/${arg('resource', type, name, 'name')}`;
        break;
      case 'azurerm_storage_blob':
        if (attr === 'content_md5') return arg('resource', type, name, 'content_md5');
        if (attr === 'url') return `https://${arg('resource', type, name, 'storage_account_name')}.blob.core.windows.net/${arg('resource', type, name, 'storage_container_name')}/${arg('resource', type, name, 'name')}`;
        break;
      case 'azurerm_service_plan':
        if (attr === 'id') return `${groupId(type, name)}/providers/Microsoft.Web/serverFarms/${arg('resource', type, name, 'name')}`;
        break;
      case 'azurerm_user_assigned_identity':
        if (attr === 'id') return `${groupId(type, name)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${arg('resource', type, name, 'name')}`;
        if (attr === 'principal_id') return guidOf(`principal:${address}`);
        if (attr === 'client_id') return guidOf(`client:${address}`);
        break;
      case 'azurerm_linux_function_app':
      case 'azurerm_function_app_flex_consumption': {
        const app = arg('resource', type, name, 'name');
        if (attr === 'name') return app;
        if (attr === 'id') return `${groupId(type, name)}/providers/Microsoft.Web/sites/${app}`;
        if (attr === 'default_hostname') return `${app}.azurewebsites.net`;
        if (attr === 'identity.0.principal_id') return guidOf(`principal:${address}`);
        break;
      }
      case 'azurerm_role_definition':
        if (attr === 'role_definition_resource_id') return `/subscriptions/${subscriptionOf(type, name)}/providers/Microsoft.Authorization/roleDefinitions/${guidOf(`role:${address}`)}`;
        break;
    }
    throw unknown();
  }

  // Packages: blob URL → the zip the stack uploads there.
  const packages = new Map<string, string>();
  for (const [name, block] of Object.entries(resources.azurerm_storage_blob ?? {})) {
    const url = String(attribute('resource', 'azurerm_storage_blob', name, ['url']));
    packages.set(url, path.resolve(dir, String(block.source)));
  }

  const apps: TwinFunctionApp[] = [];
  for (const type of APP_TYPES) {
    for (const [name, block] of Object.entries(resources[type] ?? {})) {
      const address = `${type}.${name}`;
      const settings = evaluate(`${address}.app_settings`, block.app_settings ?? {}) as Record<string, unknown>;
      const appSettings = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
      const flex = type === 'azurerm_function_app_flex_consumption';
      let packageZip: string | undefined;
      let runtime: string;
      let runtimeVersion: string;
      let memoryMb: number;
      if (flex) {
        const endpoint = String(evaluate(`${address}.storage_container_endpoint`, block.storage_container_endpoint));
        packageZip = packages.get(`${endpoint}/${FLEX_PACKAGE_BLOB}`);
        runtime = String(block.runtime_name);
        runtimeVersion = String(block.runtime_version);
        memoryMb = Number(block.instance_memory_in_mb);
      } else {
        const run = appSettings.WEBSITE_RUN_FROM_PACKAGE;
        packageZip = run ? packages.get(run.split('?')[0]!) : undefined;
        const stack = ((block.site_config as Block | undefined)?.application_stack ?? {}) as Block;
        runtime = stack.node_version ? 'node' : stack.python_version ? 'python' : '';
        runtimeVersion = String(stack.node_version ?? stack.python_version ?? '');
        memoryMb = CAPABILITIES.azure.hosting.consumption!.memory.sizesMb[0]!;
      }
      if (!packageZip) throw new AzureTwinError(`${address}: no package the stack uploads is the app's code`);
      if (runtime !== 'node' && runtime !== 'python') throw new AzureTwinError(`${address}: runtime "${runtime}" is not modelled by the Azure twin`);
      const identity = (block.identity ?? null) as Block | null;
      const identityType = String(identity?.type ?? '');
      const userIdentities: Record<string, string> = {};
      for (const id of (identity?.identity_ids ?? []) as string[]) {
        const ref = /^\$\{azurerm_user_assigned_identity\.([^.]+)\.id\}$/.exec(id);
        if (!ref) throw new AzureTwinError(`${address}: identity ${id} is not a user-assigned identity of the stack`);
        userIdentities[String(attribute('resource', 'azurerm_user_assigned_identity', ref[1]!, ['client_id']))] = String(
          attribute('resource', 'azurerm_user_assigned_identity', ref[1]!, ['principal_id']),
        );
      }
      const appName = arg('resource', type, name, 'name');
      if (!keys.has(appName)) keys.set(appName, randomBytes(32).toString('base64url'));
      apps.push({
        address,
        name: appName,
        id: String(attribute('resource', type, name, ['id'])),
        hostname: `${appName}.azurewebsites.net`,
        hosting: flex ? 'flex' : 'consumption',
        runtime: runtime === 'node' ? 'nodejs' : 'python',
        runtimeVersion: `${runtime}|${runtimeVersion}`,
        memoryMb,
        appSettings,
        packageZip,
        principalId: identityType.includes('SystemAssigned') ? guidOf(`principal:${address}`) : null,
        userIdentities,
        defaultFunctionKey: keys.get(appName)!,
      });
    }
  }

  const definitions = new Map<string, RoleDefinition>();
  for (const [name, block] of Object.entries(resources.azurerm_role_definition ?? {})) {
    const address = `azurerm_role_definition.${name}`;
    const permissions = (block.permissions ?? []) as Block[];
    if (permissions.length !== 1) throw new AzureTwinError(`${address}: ${permissions.length} permission blocks (the twin models one)`);
    const p = permissions[0]!;
    definitions.set(String(attribute('resource', 'azurerm_role_definition', name, ['role_definition_resource_id'])), {
      name: arg('resource', 'azurerm_role_definition', name, 'name'),
      actions: (p.actions ?? []) as string[],
      notActions: (p.not_actions ?? []) as string[],
      dataActions: (p.data_actions ?? []) as string[],
      notDataActions: (p.not_data_actions ?? []) as string[],
    });
  }
  const assignments: TwinRoleAssignment[] = [];
  for (const [name, block] of Object.entries(resources.azurerm_role_assignment ?? {})) {
    const address = `azurerm_role_assignment.${name}`;
    let role: RoleDefinition | undefined;
    if (block.role_definition_name !== undefined) {
      const roleName = arg('resource', 'azurerm_role_assignment', name, 'role_definition_name');
      role = builtInRole(roleName);
      if (!role) throw new AzureTwinError(`${address}: built-in role "${roleName}" is not modelled by the Azure twin`);
    } else {
      const id = arg('resource', 'azurerm_role_assignment', name, 'role_definition_id');
      role = definitions.get(id);
      if (!role) throw new AzureTwinError(`${address}: role definition ${id} is not a role definition of the stack`);
    }
    if (block.condition !== undefined) throw new AzureTwinError(`${address}: role assignment conditions are not modelled by the Azure twin`);
    assignments.push({ address, principalId: arg('resource', 'azurerm_role_assignment', name, 'principal_id'), scope: arg('resource', 'azurerm_role_assignment', name, 'scope'), role });
  }

  const storageAccounts = Object.keys(resources.azurerm_storage_account ?? {}).map((name) => {
    const id = String(attribute('resource', 'azurerm_storage_account', name, ['id']));
    const containers = Object.keys(resources.azurerm_storage_container ?? {})
      .filter((c) => arg('resource', 'azurerm_storage_container', c, 'storage_account_id') === id)
      .map((c) => arg('resource', 'azurerm_storage_container', c, 'name'));
    return { name: accountName(id), id, containers };
  });

  // As the AWS and Google twins hash their templates: canonical JSON, so formatting does not change it.
  return { file, hash: sha256Hex(canonicalJson(JSON.parse(text))), apps, assignments, storageAccounts };
}
