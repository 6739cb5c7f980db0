import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { managedIdentityToken } from '../../../probe-runtime/driver/net/azure-managed-identity';
import { httpRequest } from '../../../probe-runtime/driver/net/http-request';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { blobSinkFromEnv, createBlobSink, BLOB_API_VERSION } from '../../../probe-runtime/driver/sinks/azure-blob';
import { parseConnectionString, sharedKeyAuthorization } from '../../../probe-runtime/driver/sinks/azure-shared-key';
import { type Azurite, DEV_ACCOUNT, DEV_KEY, startAzurite } from './support/azurite';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { startFakeProbeServer } from './support/fake-probe-server';
import { burstStep, testPlan } from './support/plan-fixture';

const CONTAINER = 'curtain-results';

async function createContainer(endpoint: string, name: string): Promise<number> {
  const url = new URL(`${endpoint}/${name}?restype=container`);
  const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': BLOB_API_VERSION, 'content-length': '0' };
  headers.authorization = sharedKeyAuthorization(DEV_ACCOUNT, DEV_KEY, 'PUT', url, headers);
  return (await httpRequest({ method: 'PUT', url, headers, body: '' })).status;
}

describe('Azure Blob sink against azurite on loopback', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    expect(await createContainer(azurite.blobEndpoint, CONTAINER)).toBe(201);
  });
  afterAll(() => azurite.stop());

  const sink = () => blobSinkFromEnv({ CURTAIN_BUCKET: CONTAINER, CURTAIN_STORAGE_CONNECTION_STRING: azurite.connectionString });

  test('puts a block blob signed with Shared Key, replaces it, reads it back; a missing blob is null', async () => {
    await sink().put('s/r/run.json', '{"first":true}\n', 'application/json');
    await sink().put('s/r/run.json', '{"second":true}\n', 'application/json');
    expect(await sink().get('s/r/run.json')).toBe('{"second":true}\n');
    expect(await sink().get('s/r/none.json')).toBeNull();
  });

  test('azurite rejects a wrong key, so the signature really is checked', async () => {
    const wrong = createBlobSink({
      endpoint: azurite.blobEndpoint,
      container: CONTAINER,
      credential: { kind: 'shared-key', account: DEV_ACCOUNT, key: Buffer.from('not the key').toString('base64') },
    });
    await expect(wrong.put('s/r/x.json', '{}', 'application/json')).rejects.toThrow(/^Put Blob s\/r\/x\.json: HTTP 403/);
  });

  test('a missing container is an error, not an empty result', async () => {
    const other = blobSinkFromEnv({ CURTAIN_BUCKET: 'no-such-container', CURTAIN_STORAGE_CONNECTION_STRING: azurite.connectionString });
    await expect(other.get('s/r/run.json')).rejects.toThrow(/HTTP 404/);
  });

  test('a driver burst writes its shard to Blob storage and a re-run overwrites it', async () => {
    const plan = testPlan({ requestsPerTarget: 2 });
    const probes = await startFakeProbeServer();
    const tmp = tempDir('blob');
    try {
      const deps = localDeps(plan, probes.endpoint, tmp.dir, { sink: sink() });
      const event = { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 };
      const first = (await runDriverEvent(event, deps)) as BurstShardSummary;
      const firstText = (await sink().get(first.key))!;
      await runDriverEvent(event, deps);
      const text = (await sink().get(first.key))!;
      expect(text).not.toBe(firstText);
      expect(text.trimEnd().split('\n').map((l) => InvocationRecord.parse(JSON.parse(l)).request)).toEqual([0, 1, 2, 3]);
    } finally {
      await probes.close();
      tmp.remove();
    }
  });
});

describe('Azure Blob sink with the managed identity', () => {
  test('fetches a storage token from IDENTITY_ENDPOINT once and sends it as a bearer token over the REST API', async () => {
    const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url!, headers: req.headers });
      if (req.url!.startsWith('/msi')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-1', expires_on: String(Math.floor(Date.now() / 1000) + 3600) }));
      } else {
        req.resume();
        req.on('end', () => res.writeHead(201).end());
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const token = managedIdentityToken('https://storage.azure.com/', {
        IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`,
        IDENTITY_HEADER: 'secret-header',
        AZURE_CLIENT_ID: 'client-1',
      });
      const sink = createBlobSink({ endpoint: `http://127.0.0.1:${port}/acct`, container: 'c', credential: { kind: 'token', token } });
      await sink.put('s/r/a.jsonl', 'x\n', 'application/x-ndjson');
      await sink.put('s/r/b.jsonl', 'y\n', 'application/x-ndjson');
      const msi = seen.filter((s) => s.url.startsWith('/msi'));
      expect(msi).toHaveLength(1);
      const q = new URL(msi[0]!.url, 'http://x').searchParams;
      expect([q.get('resource'), q.get('api-version'), q.get('client_id')]).toEqual(['https://storage.azure.com/', '2019-08-01', 'client-1']);
      expect(msi[0]!.headers['x-identity-header']).toBe('secret-header');
      const puts = seen.filter((s) => s.url.startsWith('/acct'));
      expect(puts.map((p) => p.url)).toEqual(['/acct/c/s/r/a.jsonl', '/acct/c/s/r/b.jsonl']);
      expect(puts.every((p) => p.headers.authorization === 'Bearer tok-1' && p.headers['x-ms-blob-type'] === 'BlockBlob')).toBe(true);
    } finally {
      server.close();
    }
  });

  test('refuses plain http to a non-loopback endpoint and explains a missing identity', () => {
    expect(() => createBlobSink({ endpoint: 'http://acct.blob.core.windows.net', container: 'c', credential: { kind: 'shared-key', account: 'a', key: 'aw==' } })).toThrow(
      /must use https/,
    );
    expect(() => blobSinkFromEnv({ CURTAIN_BUCKET: 'c', CURTAIN_STORAGE_ACCOUNT: 'acct' })).toThrow(/IDENTITY_ENDPOINT and IDENTITY_HEADER are not set/);
    expect(() => blobSinkFromEnv({})).toThrow(/CURTAIN_BUCKET is not set/);
  });

  test('parses connection strings with and without an explicit blob endpoint', () => {
    expect(parseConnectionString('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net')).toEqual({
      account: 'acct',
      key: 'a2V5',
      blobEndpoint: 'https://acct.blob.core.windows.net',
    });
    expect(() => parseConnectionString('AccountName=acct')).toThrow(/needs AccountName and AccountKey/);
  });
});
