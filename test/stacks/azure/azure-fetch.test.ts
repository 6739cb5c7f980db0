/**
 * `curtain fetch --provider azure` against azurite (a real Blob protocol server
 * checking Shared Key signatures) on 127.0.0.1. The run is written with the
 * driver's own Blob sink, so the test reads what a deployed driver writes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { planKey, runManifestKey, shardKey } from '../../../probe-runtime/contracts/bucket-layout';
import { BLOB_API_VERSION, createBlobSink } from '../../../probe-runtime/driver/sinks/azure-blob';
import { parseConnectionString, sharedKeyAuthorization } from '../../../probe-runtime/driver/sinks/azure-shared-key';
import { blobAuthFromConnectionString, blobStore } from '../../../stacks/azure/client/blob-store';
import { type Azurite, startAzurite } from '../../probe-runtime/driver/support/azurite';

const STUDY = 'coldstart';
const OLD = '20261126T100000Z-aaa1';
const NEW = '20261126T120000Z-bbb2';

let azurite: Azurite;
let out: string;
const saved = process.env.AZURE_STORAGE_CONNECTION_STRING;

/** Create Container, signed with the account key like every other azurite request here. */
async function createContainer(connectionString: string, container: string): Promise<void> {
  const cs = parseConnectionString(connectionString);
  const url = new URL(`${cs.blobEndpoint}/${container}?restype=container`);
  const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': BLOB_API_VERSION, 'content-length': '0' };
  headers.authorization = sharedKeyAuthorization(cs.account, cs.key, 'PUT', url, headers);
  const res = await fetch(url, { method: 'PUT', headers });
  if (res.status !== 201) throw new Error(`create container: ${res.status} ${await res.text()}`);
}

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let o = '';
  let e = '';
  return main(args, { out: (t) => (o += `${t}\n`), err: (t) => (e += `${t}\n`), isTty: false, cwd: out }).then((code) => ({ code, out: o, err: e }));
}

beforeAll(async () => {
  azurite = await startAzurite();
  out = mkdtempSync(path.join(os.tmpdir(), 'curtain-azure-fetch-'));
  await createContainer(azurite.connectionString, 'results');
  const cs = parseConnectionString(azurite.connectionString);
  const sink = createBlobSink({ endpoint: cs.blobEndpoint, container: 'results', credential: { kind: 'shared-key', account: cs.account, key: cs.key } });
  for (const runId of [OLD, NEW]) {
    await sink.put(planKey(STUDY, runId), JSON.stringify({ run: runId }), 'application/json');
    await sink.put(runManifestKey(STUDY, runId), JSON.stringify({ status: 'completed', run: runId }), 'application/json');
  }
  for (let s = 0; s < 3; s++) await sink.put(shardKey(STUDY, NEW, '0001-burst-cold', s), `{"shard":${s}}\n{"shard":${s},"n":2}\n`, 'application/x-ndjson');
  await sink.put(shardKey('other-study', NEW, '0001-burst-cold', 0), '{}\n', 'application/x-ndjson');
  process.env.AZURE_STORAGE_CONNECTION_STRING = azurite.connectionString;
});

afterAll(async () => {
  if (saved === undefined) delete process.env.AZURE_STORAGE_CONNECTION_STRING;
  else process.env.AZURE_STORAGE_CONNECTION_STRING = saved;
  await azurite?.stop();
  rmSync(out, { recursive: true, force: true });
});

describe('curtain fetch --provider azure (azurite)', () => {
  it('downloads the newest run in the bucket layout', async () => {
    const r = await run(['fetch', STUDY, '--provider', 'azure', '--out', 'dl', '--json']);
    expect(r.err).toContain(`newest run of ${STUDY}: ${NEW}`);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ run: NEW, files: 5 });
    const dir = path.join(out, 'dl', STUDY, NEW);
    expect(readdirSync(path.join(dir, 'steps', '0001-burst-cold')).sort()).toEqual(['000.jsonl', '001.jsonl', '002.jsonl']);
    expect(readFileSync(path.join(dir, 'steps', '0001-burst-cold', '002.jsonl'), 'utf8')).toBe('{"shard":2}\n{"shard":2,"n":2}\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'))).toEqual({ status: 'completed', run: NEW });
    expect(result.bytes).toBeGreaterThan(0);
  });

  it('downloads a named run, and says clearly when a run or study is absent', async () => {
    const r = await run(['fetch', STUDY, '--provider', 'azure', '--run', OLD, '--out', 'old']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(out, 'old', STUDY, OLD)).sort()).toEqual(['plan.json', 'run.json']);
    const missing = await run(['fetch', STUDY, '--provider', 'azure', '--run', '20261126T130000Z-ccc3', '--out', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/run 20261126T130000Z-ccc3 of coldstart is not in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/results/);
    const none = await run(['fetch', 'lifetime', '--provider', 'azure', '--out', 'x']);
    expect(none.err).toContain('no runs of lifetime');
    expect(none.err).not.toContain('    at ');
  });

  it('lists runs with a delimiter and pages through markers', async () => {
    const { auth, endpoint } = blobAuthFromConnectionString(azurite.connectionString);
    const store = blobStore(endpoint, 'results', auth, 2);
    expect((await store.listFolders(`${STUDY}/`)).sort()).toEqual([OLD, NEW]);
    expect((await store.listObjects(`${STUDY}/${NEW}/`)).map((o) => o.key)).toHaveLength(5);
  });
});
