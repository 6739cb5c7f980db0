/**
 * Azure RBAC as the twin decides it: a call by a principal is allowed when a
 * role assignment of that principal, at the resource's scope or a scope above
 * it, names a role whose Actions (control plane) or DataActions (data plane)
 * match the operation and whose NotActions / NotDataActions do not; otherwise
 * it is denied (there are no deny assignments in the stacks). Matching is
 * case-insensitive with `*` wildcards ("Understand Azure role definitions",
 * learn.microsoft.com/azure/role-based-access-control/role-definitions, and
 * "Understand scope", .../scope-overview, read 2026-12-06).
 *
 * The built-in roles the stacks assign, with their permissions as published
 * in "Azure built-in roles for Storage" (learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage,
 * read 2026-12-06). Conditions (ABAC) are not modelled: the reader refuses them.
 */
export interface RoleDefinition {
  name: string;
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const CONTAINERS = 'Microsoft.Storage/storageAccounts/blobServices/containers';

const BUILT_IN: readonly RoleDefinition[] = [
  {
    name: 'Storage Blob Data Contributor',
    actions: [`${CONTAINERS}/delete`, `${CONTAINERS}/read`, `${CONTAINERS}/write`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
    notActions: [],
    dataActions: [`${BLOBS}/delete`, `${BLOBS}/read`, `${BLOBS}/write`, `${BLOBS}/move/action`, `${BLOBS}/add/action`],
    notDataActions: [],
  },
  {
    name: 'Storage Blob Data Owner',
    actions: [`${CONTAINERS}/*`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
    notActions: [],
    dataActions: [`${BLOBS}/*`],
    notDataActions: [],
  },
  { name: 'Storage Blob Data Reader', actions: [`${CONTAINERS}/read`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'], notActions: [], dataActions: [`${BLOBS}/read`], notDataActions: [] },
  {
    name: 'Storage Queue Data Contributor',
    actions: ['Microsoft.Storage/storageAccounts/queueServices/queues/delete', 'Microsoft.Storage/storageAccounts/queueServices/queues/read', 'Microsoft.Storage/storageAccounts/queueServices/queues/write'],
    notActions: [],
    dataActions: [
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/read',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/write',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action',
    ],
    notDataActions: [],
  },
  {
    name: 'Storage Table Data Contributor',
    actions: ['Microsoft.Storage/storageAccounts/tableServices/tables/read', 'Microsoft.Storage/storageAccounts/tableServices/tables/write', 'Microsoft.Storage/storageAccounts/tableServices/tables/delete'],
    notActions: [],
    dataActions: [
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/write',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/update/action',
    ],
    notDataActions: [],
  },
];

/** Owner ("Azure built-in roles", General): what the researcher who deploys the stack holds on its subscription. */
export const OWNER: RoleDefinition = { name: 'Owner', actions: ['*'], notActions: [], dataActions: [], notDataActions: [] };

export function builtInRole(name: string): RoleDefinition | undefined {
  return BUILT_IN.find((r) => r.name.toLowerCase() === name.toLowerCase());
}

/** An operation pattern (`*` matches any run of characters) against an operation, case-insensitively. */
export function operationMatches(pattern: string, operation: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(operation);
}

/** Whether `scope` is `resource` or one of its parents (at a path-segment boundary). */
export function scopeCovers(scope: string, resource: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resource.toLowerCase();
  return r === s || r.startsWith(`${s}/`);
}

export interface Assignment {
  principalId: string;
  scope: string;
  role: RoleDefinition;
}

export interface RoleDecision {
  allowed: boolean;
  /** The assignments that allow it (empty when denied). */
  by: readonly Assignment[];
}

export function decide(assignments: readonly Assignment[], call: { principalId: string; operation: string; resource: string; dataAction: boolean }): RoleDecision {
  const by = assignments.filter((a) => {
    if (a.principalId !== call.principalId || !scopeCovers(a.scope, call.resource)) return false;
    const [allow, deny] = call.dataAction ? [a.role.dataActions, a.role.notDataActions] : [a.role.actions, a.role.notActions];
    return allow.some((p) => operationMatches(p, call.operation)) && !deny.some((p) => operationMatches(p, call.operation));
  });
  return { allowed: by.length > 0, by };
}
