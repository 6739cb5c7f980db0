/**
 * The Google twin's Cloud Run fronts accept a call only as Cloud Run does for a
 * private service: an ID token from the metadata server (reached as Google's
 * libraries and the driver reach it, through GCE_METADATA_HOST) whose audience
 * is the service's URL, from a member granted run.routes.invoke on it.
 */
import { metadataIdToken } from '../../../probe-runtime/driver/net/gcp-metadata';
import { httpRequest } from '../../../probe-runtime/driver/net/http-request';
import { startFunctionFronts, type FunctionFronts } from '../../../twins/gcp/function-fronts';
import { GcpCallLog, GcpPolicy } from '../../../twins/gcp/gcp-iam';
import { startMetadataServer, type MetadataServer } from '../../../twins/gcp/metadata-server';
import { TokenAuthority } from '../../../twins/gcp/token-authority';

const DRIVER = 'driver@twin.iam.gserviceaccount.com';
const OTHER = 'other@twin.iam.gserviceaccount.com';

let authority: TokenAuthority;
let fronts: FunctionFronts;
let calls: GcpCallLog;
let driverMetadata: MetadataServer;
let otherMetadata: MetadataServer;

beforeAll(async () => {
  authority = new TokenAuthority();
  const policy = new GcpPolicy(
    [{ address: 'google_cloud_run_v2_service_iam_member.d', on: { kind: 'service', name: 'probe-a' }, role: 'roles/run.invoker', member: `serviceAccount:${DRIVER}`, condition: null }],
    new Map(),
  );
  calls = new GcpCallLog(policy, new Map([[DRIVER, 'driver'], [OTHER, 'other']]));
  fronts = await startFunctionFronts(['probe-a', 'probe-b'], authority, calls);
  for (const name of ['probe-a', 'probe-b']) {
    fronts.attach({
      name,
      project: 'twin',
      url: fronts.urls.get(name)!,
      invoke: async () => {
        return { status: 200, body: { ok: name } };
      },
    });
  }
  driverMetadata = await startMetadataServer(authority, DRIVER);
  otherMetadata = await startMetadataServer(authority, OTHER);
});

afterAll(async () => {
  await fronts.close();
  await driverMetadata.close();
  await otherMetadata.close();
});

const post = (url: string, authorization?: string) =>
  httpRequest({ method: 'POST', url: new URL(url), headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{"x":1}', timeoutMs: 5000 });

describe('ID tokens and the Cloud Run fronts', () => {
  it('accepts the driver with a token for the service URL, fetched from the metadata server through GCE_METADATA_HOST', async () => {
    const url = fronts.urls.get('probe-a')!;
    const token = await metadataIdToken(url, { GCE_METADATA_HOST: driverMetadata.host }).get();
    const res = await post(url, `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: 'probe-a' });
    expect(calls.calls.at(-1)).toMatchObject({ identity: 'driver', permission: 'run.routes.invoke', allowed: true });
  });

  it('refuses a token whose audience is another service (401), before IAM is asked', async () => {
    const before = calls.calls.filter((c) => c.allowed).length;
    const token = await metadataIdToken(fronts.urls.get('probe-b')!, { GCE_METADATA_HOST: driverMetadata.host }).get();
    const res = await post(fronts.urls.get('probe-a')!, `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.toString()).toContain('audience');
    expect(calls.calls.filter((c) => c.allowed).length).toBe(before);
  });

  it('refuses a call without a token, and a token signed by another key (401)', async () => {
    const url = fronts.urls.get('probe-a')!;
    expect((await post(url)).status).toBe(401);
    const forged = new TokenAuthority().idToken(DRIVER, url);
    expect((await post(url, `Bearer ${forged}`)).status).toBe(401);
  });

  it('refuses a member without run.invoker on the service (403) and records the denied call', async () => {
    const url = fronts.urls.get('probe-a')!;
    const token = await metadataIdToken(url, { GCE_METADATA_HOST: otherMetadata.host }).get();
    const res = await post(url, `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(calls.denied().at(-1)).toMatchObject({ identity: 'other', permission: 'run.routes.invoke', resource: 'projects/twin/locations/-/services/probe-a' });
    // The driver is granted on probe-a only.
    const tokenB = await metadataIdToken(fronts.urls.get('probe-b')!, { GCE_METADATA_HOST: driverMetadata.host }).get();
    expect((await post(fronts.urls.get('probe-b')!, `Bearer ${tokenB}`)).status).toBe(403);
  });

  it('the metadata server refuses a request without Metadata-Flavor: Google (403)', async () => {
    const res = await httpRequest({ method: 'GET', url: new URL(`http://${driverMetadata.host}/computeMetadata/v1/instance/service-accounts/default/identity?audience=x`), timeoutMs: 5000 });
    expect(res.status).toBe(403);
  });
});
