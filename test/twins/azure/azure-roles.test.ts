/**
 * The Azure twin's RBAC decision (twins/azure/azure-roles.ts) on the cases the
 * stacks produce, following "Understand Azure role definitions" and
 * "Understand scope for Azure RBAC" (learn.microsoft.com, read 2026-12-06):
 * assignments inherit down the scope hierarchy but not up or sideways, Actions
 * govern control-plane operations and DataActions data-plane ones, NotActions
 * subtract, wildcards match any run of characters, case does not matter.
 */
import { builtInRole, decide, operationMatches, scopeCovers } from '../../../twins/azure/azure-roles';

const ACCOUNT = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/ctres1';
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/results`;
const SITE = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/probe-a';
const WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';

const contributor = builtInRole('Storage Blob Data Contributor')!;
const reconfigure = { name: 'custom', actions: ['Microsoft.Web/sites/config/list/action', 'Microsoft.Web/sites/config/write'], notActions: [], dataActions: [], notDataActions: [] };
const assignments = [
  { principalId: 'driver', scope: CONTAINER, role: contributor },
  { principalId: 'driver', scope: SITE, role: reconfigure },
];

describe('decide', () => {
  it('allows a data action on a blob below the container the role is assigned on, to that principal only', () => {
    expect(decide(assignments, { principalId: 'driver', operation: WRITE, resource: `${CONTAINER}/blobs/coldstart/run/run.json`, dataAction: true }).allowed).toBe(true);
    expect(decide(assignments, { principalId: 'probe', operation: WRITE, resource: `${CONTAINER}/blobs/x`, dataAction: true }).allowed).toBe(false);
  });

  it('denies outside the assigned scope: another container, a sibling site with a common name prefix, the account above', () => {
    expect(decide(assignments, { principalId: 'driver', operation: WRITE, resource: `${ACCOUNT}/blobServices/default/containers/results2/blobs/x`, dataAction: true }).allowed).toBe(false);
    expect(decide(assignments, { principalId: 'driver', operation: 'Microsoft.Web/sites/config/write', resource: `${SITE}-b`, dataAction: false }).allowed).toBe(false);
    expect(decide(assignments, { principalId: 'driver', operation: 'Microsoft.Storage/storageAccounts/blobServices/containers/read', resource: ACCOUNT, dataAction: false }).allowed).toBe(false);
  });

  it('keeps Actions and DataActions apart, and applies NotActions', () => {
    // A data operation is not granted by a control-plane Action of the same name, nor the reverse.
    expect(decide(assignments, { principalId: 'driver', operation: WRITE, resource: `${CONTAINER}/blobs/x`, dataAction: false }).allowed).toBe(false);
    expect(decide(assignments, { principalId: 'driver', operation: 'Microsoft.Web/sites/config/write', resource: SITE, dataAction: true }).allowed).toBe(false);
    expect(decide(assignments, { principalId: 'driver', operation: 'Microsoft.Web/sites/write', resource: SITE, dataAction: false }).allowed).toBe(false);
    const owner = builtInRole('storage blob data owner')!;
    const minus = { ...owner, notDataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'] };
    const a = [{ principalId: 'p', scope: ACCOUNT, role: minus }];
    expect(decide(a, { principalId: 'p', operation: WRITE, resource: `${CONTAINER}/blobs/x`, dataAction: true }).allowed).toBe(true);
    expect(decide(a, { principalId: 'p', operation: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete', resource: `${CONTAINER}/blobs/x`, dataAction: true }).allowed).toBe(false);
  });
});

describe('operationMatches and scopeCovers', () => {
  it('match wildcards and case as Azure does', () => {
    expect(operationMatches('Microsoft.Storage/*/read', 'microsoft.storage/storageAccounts/blobServices/containers/read')).toBe(true);
    expect(operationMatches('Microsoft.Web/sites/config/write', 'Microsoft.Web/sites/write')).toBe(false);
    expect(scopeCovers('/subscriptions/S/resourceGroups/G/', '/subscriptions/s/resourceGroups/g/providers/x')).toBe(true);
    expect(scopeCovers('/subscriptions/s/resourceGroups/g', '/subscriptions/s/resourceGroups/g2')).toBe(false);
  });
});
