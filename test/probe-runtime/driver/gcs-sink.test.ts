// No GCS emulator can be installed here: the GCS sink is tested against a loopback server
// implementing the JSON API's media upload and download endpoints (support/fake-google.ts).
import { createGcsSink, gcsSinkFromEnv } from '../../../probe-runtime/driver/sinks/gcs';
import { CachedToken } from '../../../probe-runtime/driver/net/cached-token';
import { metadataAccessToken } from '../../../probe-runtime/driver/net/gcp-metadata';
import { type LoopbackServer } from './support/loopback-server';
import { startFakeGcs, startFakeMetadataServer } from './support/fake-google';

describe('GCS sink against a loopback JSON API', () => {
  let metadata: LoopbackServer;
  let gcs: Awaited<ReturnType<typeof startFakeGcs>>;
  beforeAll(async () => {
    metadata = await startFakeMetadataServer();
    gcs = await startFakeGcs();
  });
  afterAll(async () => {
    await metadata.close();
    await gcs.close();
  });

  test('uploads with a metadata-server token (fetched once), reads back, reports missing objects as null', async () => {
    const sink = gcsSinkFromEnv({ CURTAIN_BUCKET: 'results-b', GCE_METADATA_HOST: metadata.host, STORAGE_EMULATOR_HOST: gcs.origin });
    await sink.put('s/r/steps/0001-burst/000.jsonl', '{"a":1}\n', 'application/x-ndjson');
    await sink.put('s/r/steps/0001-burst/000.jsonl', '{"a":2}\n', 'application/x-ndjson');
    expect(gcs.objects.get('results-b/s/r/steps/0001-burst/000.jsonl')).toBe('{"a":2}\n');
    expect(await sink.get('s/r/steps/0001-burst/000.jsonl')).toBe('{"a":2}\n');
    expect(await sink.get('s/r/none.json')).toBeNull();
    expect(metadata.seen.filter((r) => r.url.pathname.endsWith('/token'))).toHaveLength(1);
    const upload = gcs.seen.find((r) => r.method === 'POST')!;
    expect(upload.headers['content-type']).toBe('application/x-ndjson');
    expect(sink.location).toBe('gs://results-b');
  });

  test('an upload the API refuses is an error naming the key and status', async () => {
    const sink = createGcsSink({ bucket: 'b', token: new CachedToken(async () => ({ token: 'wrong', expiresAt: Date.now() + 3_600_000 })), apiRoot: gcs.origin });
    await expect(sink.put('s/r/x.json', '{}', 'application/json')).rejects.toThrow(/^GCS upload s\/r\/x\.json: HTTP 401/);
  });

  test('needs its bucket and refuses plain http off loopback', () => {
    expect(() => gcsSinkFromEnv({})).toThrow(/CURTAIN_BUCKET is not set/);
    expect(() => createGcsSink({ bucket: 'b', token: metadataAccessToken({}), apiRoot: 'http://storage.example.com' })).toThrow(/must use https/);
  });
});
