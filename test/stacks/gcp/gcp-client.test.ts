/**
 * `curtain fetch|start --provider gcp`. There is no installable GCS emulator,
 * so the GCS JSON API endpoints the client uses (objects.list with prefix,
 * delimiter and page tokens; objects.get with alt=media) and the Workflows
 * executions.create endpoint are served by a small loopback server here that
 * implements them as documented, checking the bearer token.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { gcsStore } from '../../../stacks/gcp/client/gcs-store';
import { gcpNames } from '../../../stacks/gcp/names';

const PROJECT = 'proj-x';
const BUCKET = gcpNames.resultsBucket(PROJECT, 'coldstart');
const OBJECTS: Record<string, string> = {
  'coldstart/20261126T100000Z-aaa1/run.json': '{"run":"old"}',
  'coldstart/20261126T120000Z-bbb2/plan.json': '{"plan":1}',
  'coldstart/20261126T120000Z-bbb2/run.json': '{"run":"new"}',
  'coldstart/20261126T120000Z-bbb2/steps/0001-burst-cold/000.jsonl': '{"a":1}\n',
  'coldstart/20261126T120000Z-bbb2/steps/0001-burst-cold/001.jsonl': '{"a":2}\n',
  'coldstart/not-a-run/x.json': '{}',
};

let server: http.Server;
let root: string;
let out: string;
const executions: unknown[] = [];
const saved = { token: process.env.CURTAIN_GCP_ACCESS_TOKEN };

/** objects.list as documented: lexicographic, prefix, optional delimiter, maxResults pages with nextPageToken. */
function list(url: URL): unknown {
  const prefix = url.searchParams.get('prefix') ?? '';
  const delimiter = url.searchParams.get('delimiter');
  const max = Number(url.searchParams.get('maxResults') ?? 1000);
  const start = Number(url.searchParams.get('pageToken') ?? 0);
  const entries: ({ kind: 'item'; name: string } | { kind: 'prefix'; name: string })[] = [];
  for (const name of Object.keys(OBJECTS).sort()) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) {
      const p = prefix + rest.slice(0, cut + 1);
      if (!entries.some((e) => e.kind === 'prefix' && e.name === p)) entries.push({ kind: 'prefix', name: p });
    } else entries.push({ kind: 'item', name });
  }
  const page = entries.slice(start, start + max);
  return {
    kind: 'storage#objects',
    items: page.filter((e) => e.kind === 'item').map((e) => ({ name: e.name, size: String(Buffer.byteLength(OBJECTS[e.name]!)) })),
    prefixes: page.filter((e) => e.kind === 'prefix').map((e) => e.name),
    ...(start + max < entries.length ? { nextPageToken: String(start + max) } : {}),
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer test-token') return void res.writeHead(401).end('{"error":{"code":401}}');
      const objects = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
      if (req.method === 'GET' && objects && decodeURIComponent(objects[1]!) === BUCKET) {
        if (!objects[2]) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list(url)));
        const name = decodeURIComponent(objects[2]);
        if (url.searchParams.get('alt') !== 'media' || !(name in OBJECTS)) return void res.writeHead(404).end('{"error":{"code":404}}');
        return void res.writeHead(200).end(OBJECTS[name]);
      }
      const wf = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/workflows\/([^/]+)\/executions$/.exec(url.pathname);
      if (req.method === 'POST' && wf) {
        executions.push({ project: wf[1], region: wf[2], workflow: wf[3], body: JSON.parse(body) });
        return void res.writeHead(200).end(JSON.stringify({ name: `projects/${wf[1]}/locations/${wf[2]}/workflows/${wf[3]}/executions/e-123`, state: 'ACTIVE' }));
      }
      res.writeHead(404).end('{"error":{"code":404}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  out = mkdtempSync(path.join(os.tmpdir(), 'curtain-gcp-client-'));
  process.env.CURTAIN_GCP_ACCESS_TOKEN = 'test-token';
});

afterAll(async () => {
  if (saved.token === undefined) delete process.env.CURTAIN_GCP_ACCESS_TOKEN;
  else process.env.CURTAIN_GCP_ACCESS_TOKEN = saved.token;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(out, { recursive: true, force: true });
});

function cli(args: string[]) {
  let o = '';
  let e = '';
  return main(args, { out: (t) => (o += `${t}\n`), err: (t) => (e += `${t}\n`), isTty: false, cwd: out }).then((code) => ({ code, out: o, err: e }));
}

describe('GCP client against a loopback GCS JSON API and Workflows executions API', () => {
  it('fetch: the newest Curtain run (ignoring folders that are not run ids), in the bucket layout', async () => {
    const r = await cli(['fetch', 'coldstart', '--provider', 'gcp', '--project', PROJECT, '--endpoint', root, '--out', 'dl', '--json']);
    expect(r.err).toContain('newest run of coldstart: 20261126T120000Z-bbb2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ run: '20261126T120000Z-bbb2', files: 4, bytes: 39 });
    const dir = path.join(out, 'dl', 'coldstart', '20261126T120000Z-bbb2');
    expect(readdirSync(path.join(dir, 'steps', '0001-burst-cold'))).toEqual(['000.jsonl', '001.jsonl']);
    expect(readFileSync(path.join(dir, 'steps', '0001-burst-cold', '001.jsonl'), 'utf8')).toBe('{"a":2}\n');
  });

  it('pages through listings with page tokens', async () => {
    const store = gcsStore(BUCKET, () => 'test-token', root, 1);
    expect(await store.listFolders('coldstart/')).toEqual(['20261126T100000Z-aaa1', '20261126T120000Z-bbb2', 'not-a-run']);
    expect(await store.listObjects('coldstart/20261126T120000Z-bbb2/')).toHaveLength(4);
  });

  it('fetch: a wrong token or bucket is one clear message', async () => {
    process.env.CURTAIN_GCP_ACCESS_TOKEN = 'wrong';
    const denied = await cli(['fetch', 'coldstart', '--provider', 'gcp', '--project', PROJECT, '--endpoint', root, '--out', 'x']);
    process.env.CURTAIN_GCP_ACCESS_TOKEN = 'test-token';
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/^curtain: listing gs:\/\/proj-x-curtain-coldstart\/coldstart\/: HTTP 401/);
    const absent = await cli(['fetch', 'coldstart', '--provider', 'gcp', '--project', PROJECT, '--bucket', 'nope', '--endpoint', root, '--out', 'x']);
    expect(absent.err).toContain('HTTP 404');
  });

  it('start: creates an execution of curtain-<study> with a new run id as its argument', async () => {
    const r = await cli(['start', 'coldstart', '--provider', 'gcp', '--project', PROJECT, '--region', 'europe-west1', '--endpoint', root, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.run).toMatch(/^\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    expect(executions).toEqual([{ project: PROJECT, region: 'europe-west1', workflow: 'curtain-coldstart', body: { argument: JSON.stringify({ run: result.run }) } }]);
    expect(result.watch).toContain('/workflows/workflow/europe-west1/curtain-coldstart/execution/e-123');
  });
});
