/**
 * The Azure twin's ARM operations (twins/azure/arm-api.ts) and Blob decisions
 * (blob-front.ts): a managed identity token for the right audience, RBAC on the
 * site's scope, 403 AuthorizationFailed naming the action and scope as ARM
 * words it, and app settings replaced (the app restarted) only when allowed.
 */
import { answerArm } from '../../../twins/azure/arm-api';
import { AzureCallLog } from '../../../twins/azure/azure-calls';
import { blobOperation } from '../../../twins/azure/blob-front';
import { type LiveApp, liveApps } from '../../../twins/azure/live-apps';
import { ManagedIdentityEndpoint } from '../../../twins/azure/managed-identity';
import type { TwinFunctionApp } from '../../../twins/azure/terraform-stack';

const GROUP = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites';
const role = { name: 'reconfigure', actions: ['Microsoft.Web/sites/config/list/action', 'Microsoft.Web/sites/config/write'], notActions: [], dataActions: [], notDataActions: [] };

function app(name: string): LiveApp {
  const spec = { name, id: `${GROUP}/${name}`, hostname: `${name}.azurewebsites.net`, hosting: 'consumption', defaultFunctionKey: 'k' } as TwinFunctionApp;
  return { spec, settings: { CURTAIN_GENERATION: 'g0' }, memoryMb: 1536, revision: 0, http: [], routePrefix: 'api', keys: { functionKeys: ['k'], masterKey: 'm' }, planKey: name };
}

let identities: ManagedIdentityEndpoint;
beforeAll(async () => {
  identities = await ManagedIdentityEndpoint.start();
});
afterAll(() => identities.close());

describe('answerArm', () => {
  it('lists and replaces the settings of a site the role is assigned on, restarting the app; refuses the other site with 403 AuthorizationFailed', async () => {
    const a = app('probe-a');
    const b = app('probe-b');
    const changed: string[] = [];
    const apps = liveApps([a, b], (x) => changed.push(`${x.spec.name}@${x.revision}`));
    const calls = new AzureCallLog([{ principalId: 'p-driver', scope: a.spec.id, role }], new Map([['p-driver', 'driver']]));
    const token = `Bearer ${identities.issue('p-driver', 'https://management.azure.com/')}`;
    const call = (method: string, site: LiveApp, suffix: string, body?: unknown) =>
      answerArm(
        { method, url: new URL(`https://management.azure.com${site.spec.id}${suffix}?api-version=2024-04-01`), authorization: token, body: Buffer.from(body === undefined ? '' : JSON.stringify(body)) },
        { identities, calls, apps },
      );
    const listed = await call('POST', a, '/config/appsettings/list');
    expect(listed.status).toBe(200);
    expect(JSON.parse(String(listed.body)).properties).toEqual({ CURTAIN_GENERATION: 'g0' });
    expect((await call('PUT', a, '/config/appsettings', { properties: { CURTAIN_GENERATION: 'g1' } })).status).toBe(200);
    expect(a.settings).toEqual({ CURTAIN_GENERATION: 'g1' });
    expect(changed).toEqual(['probe-a@1']);
    const refused = await call('PUT', b, '/config/appsettings', { properties: { CURTAIN_GENERATION: 'g1' } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(String(refused.body)).error).toEqual({
      code: 'AuthorizationFailed',
      message: expect.stringContaining(`does not have authorization to perform action 'Microsoft.Web/sites/config/write' over scope '${b.spec.id}'`),
    });
    expect(b.settings).toEqual({ CURTAIN_GENERATION: 'g0' });
    expect(calls.denied()).toEqual([expect.objectContaining({ identity: 'driver', action: 'Microsoft.Web/sites/config/write', resource: b.spec.id })]);
  });

  it('refuses a token issued for another audience and a request without one', async () => {
    const a = app('probe-a');
    const calls = new AzureCallLog([], new Map());
    const deps = { identities, calls, apps: liveApps([a], () => {}) };
    const url = new URL(`https://management.azure.com${a.spec.id}/config/appsettings/list?api-version=2024-04-01`);
    const storage = `Bearer ${identities.issue('p', 'https://storage.azure.com/')}`;
    const wrong = await answerArm({ method: 'POST', url, authorization: storage, body: Buffer.alloc(0) }, deps);
    expect([wrong.status, JSON.parse(String(wrong.body)).error.code]).toEqual([401, 'InvalidAuthenticationTokenAudience']);
    const none = await answerArm({ method: 'POST', url, authorization: undefined, body: Buffer.alloc(0) }, deps);
    expect(none.status).toBe(401);
    expect(calls.calls).toEqual([]);
  });
});

describe('blobOperation', () => {
  const account = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/ctres1';
  it('maps Blob REST operations to the data actions Storage checks, on the blob or container scope', () => {
    const url = (p: string) => new URL(`https://ctres1.blob.core.windows.net${p}`);
    const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
    expect(blobOperation('PUT', url('/results/coldstart/r/run.json'), account)).toEqual({ action: `${BLOBS}/write`, resource: `${account}/blobServices/default/containers/results/blobs/coldstart/r/run.json` });
    expect(blobOperation('GET', url('/results/a%20b'), account)).toEqual({ action: `${BLOBS}/read`, resource: `${account}/blobServices/default/containers/results/blobs/a b` });
    expect(blobOperation('GET', url('/results?restype=container&comp=list&prefix=x'), account)).toEqual({ action: `${BLOBS}/read`, resource: `${account}/blobServices/default/containers/results` });
    expect(blobOperation('PUT', url('/results?restype=container'), account)).toBeNull();
    expect(blobOperation('PUT', url('/results/x?comp=block&blockid=AA'), account)).toBeNull();
  });
});
