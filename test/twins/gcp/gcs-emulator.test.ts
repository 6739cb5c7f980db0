/**
 * The Google twin's Cloud Storage JSON API (twins/gcp/gcs-emulator.ts), spoken
 * to by the product's own two clients: the driver's sink (media uploads,
 * alt=media downloads, STORAGE_EMULATOR_HOST) and the store `curtain fetch
 * --provider gcp` lists and downloads with (prefix, delimiter, page tokens);
 * every request decided before it is served.
 */
import { gcsSinkFromEnv } from '../../../probe-runtime/driver/sinks/gcs';
import { gcsStore } from '../../../stacks/gcp/client/gcs-store';
import type { GcpResource } from '../../../twins/gcp/gcp-iam';
import { startGcsEmulator, type GcsEmulator } from '../../../twins/gcp/gcs-emulator';
import { startMetadataServer, type MetadataServer } from '../../../twins/gcp/metadata-server';
import { TokenAuthority } from '../../../twins/gcp/token-authority';

const WRITER = 'writer@twin.iam.gserviceaccount.com';
let authority: TokenAuthority;
let gcs: GcsEmulator;
let metadata: MetadataServer;
const decisions: { who: string; permission: string; resource: GcpResource }[] = [];
/** The writer may create objects under study/ only, and never delete (so never overwrite). */
const allowedFor = (who: string, permission: string, resource: GcpResource) =>
  who === 'reader' || (who === WRITER && resource.kind === 'object' && resource.object.startsWith('study/') && ['storage.objects.create', 'storage.objects.get'].includes(permission));

beforeAll(async () => {
  authority = new TokenAuthority();
  gcs = await startGcsEmulator({
    buckets: [{ name: 'results', project: 'twin' }],
    maxPage: 3,
    authorize: (authorization, permission, resource) => {
      const who = authority.accessTokenOwner(authorization);
      if (!who) return { allowed: false, status: 401, message: 'no token' };
      decisions.push({ who, permission, resource });
      return allowedFor(who, permission, resource) ? { allowed: true } : { allowed: false, status: 403, message: `${who} does not have ${permission} access` };
    },
  });
  metadata = await startMetadataServer(authority, WRITER);
});

afterAll(async () => {
  await gcs.close();
  await metadata.close();
});

describe('the twin Cloud Storage JSON API', () => {
  it('takes the driver sink through STORAGE_EMULATOR_HOST (with and without a scheme) and the metadata server token', async () => {
    for (const host of [gcs.endpoint, gcs.endpoint.replace('http://', '')]) {
      const sink = gcsSinkFromEnv({ CURTAIN_BUCKET: 'results', GCE_METADATA_HOST: metadata.host, STORAGE_EMULATOR_HOST: host });
      await sink.put(`study/run/${host.length}.json`, '{"a":1}', 'application/json');
      expect(await sink.get(`study/run/${host.length}.json`)).toBe('{"a":1}');
    }
    expect(await gcsSinkFromEnv({ CURTAIN_BUCKET: 'results', GCE_METADATA_HOST: metadata.host, STORAGE_EMULATOR_HOST: gcs.endpoint }).get('study/run/none.json')).toBeNull();
  });

  it('refuses a write outside the granted prefix (403) and an overwrite without storage.objects.delete', async () => {
    const sink = gcsSinkFromEnv({ CURTAIN_BUCKET: 'results', GCE_METADATA_HOST: metadata.host, STORAGE_EMULATOR_HOST: gcs.endpoint });
    await expect(sink.put('other/x.json', '{}', 'application/json')).rejects.toThrow(/HTTP 403/);
    await sink.put('study/once.json', '1', 'application/json');
    await expect(sink.put('study/once.json', '2', 'application/json')).rejects.toThrow(/HTTP 403/);
    expect(decisions.filter((d) => d.who === WRITER && d.permission === 'storage.objects.delete')).toHaveLength(1);
    expect(gcs.names('results')).not.toContain('other/x.json');
  });

  it('lists folders and objects with page tokens for curtain fetch, and downloads', async () => {
    const token = authority.accessToken('reader');
    for (const name of ['study/r1/a.jsonl', 'study/r1/b.jsonl', 'study/r1/steps/0.jsonl', 'study/r1/steps/1.jsonl', 'study/r2/c.json']) {
      const sink = gcsSinkFromEnv({ CURTAIN_BUCKET: 'results', GCE_METADATA_HOST: metadata.host, STORAGE_EMULATOR_HOST: gcs.endpoint });
      await sink.put(name, name, 'text/plain');
    }
    const store = gcsStore('results', () => token, gcs.endpoint, 2);
    expect(await store.listFolders('study/')).toEqual(['r1', 'r2', 'run']);
    expect((await store.listObjects('study/r1/')).map((o) => o.key)).toEqual(['study/r1/a.jsonl', 'study/r1/b.jsonl', 'study/r1/steps/0.jsonl', 'study/r1/steps/1.jsonl']);
    expect((await store.download('study/r1/steps/1.jsonl')).toString()).toBe('study/r1/steps/1.jsonl');
    await expect(store.download('study/missing')).rejects.toThrow(/404/);
  });

  it('answers 401 without a token and 404 for an unknown bucket', async () => {
    await expect(gcsStore('results', () => 'not-a-token', gcs.endpoint).listObjects('')).rejects.toThrow(/401/);
    await expect(gcsStore('nope', () => authority.accessToken('reader'), gcs.endpoint).listObjects('')).rejects.toThrow(/404/);
  });
});
