/**
 * `curtain start|fetch --provider cloudflare`: start creates a Workflow
 * instance named after the run through the Workflows API (served on loopback
 * here, checking path, token and body as documented); fetch downloads a run
 * through R2's S3-compatible API, here s3rver (a real S3 protocol server) on
 * loopback in its place.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main } from '../../../cli/main';
import { cloudflareNames } from '../../../stacks/cloudflare/names';
import { RUN_TARGETS, TARGET_LIST } from '../../../targets/registry';
import { type S3Emulator, startS3rver } from '../../probe-runtime/driver/support/s3rver';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const RUN = '20261206T120000Z-abc123';
let work: string;
let s3: S3Emulator;
const saved = { ...process.env };

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTty: false, cwd: work });
  return { code, out, err };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-cf-client-'));
  mkdirSync(path.join(work, 's3'));
  s3 = await startS3rver(path.join(work, 's3'), cloudflareNames.resultsBucket('coldstart'));
  const client = new S3Client({ region: 'auto', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  for (const [key, body] of Object.entries({ [`coldstart/${RUN}/run.json`]: '{"status":"completed"}', [`coldstart/${RUN}/steps/0001-burst-cold/000.jsonl`]: '{"a":1}\n' })) {
    await client.send(new PutObjectCommand({ Bucket: cloudflareNames.resultsBucket('coldstart'), Key: key, Body: body }));
  }
  Object.assign(process.env, { CLOUDFLARE_ACCOUNT_ID: ACCOUNT, CLOUDFLARE_API_TOKEN: 'tok-1', R2_ACCESS_KEY_ID: s3.credentials.accessKeyId, R2_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

test('start: a Workflow instance of curtain-<study> named after a new run id, with the run as its params', async () => {
  const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, result: { id: JSON.parse(body).instance_id } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await cli(['start', 'coldstart', '--provider', 'cloudflare', '--endpoint', `http://127.0.0.1:${port}/client/v4`, '--json']);
    expect(r.code).toBe(0);
    const started = JSON.parse(r.out) as { run: string };
    expect(seen).toEqual([{ method: 'POST', url: `/client/v4/accounts/${ACCOUNT}/workflows/curtain-coldstart/instances`, auth: 'Bearer tok-1', body: JSON.stringify({ instance_id: started.run, params: { run: started.run } }) }]);
  } finally {
    server.close();
  }
});

test('fetch: the newest run from the R2 bucket through the S3 API, in the bucket layout', async () => {
  const r = await cli(['fetch', 'coldstart', '--provider', 'cloudflare', '--endpoint', s3.endpoint, '--out', 'dl', '--json']);
  expect(r.code).toBe(0);
  expect(readFileSync(path.join(work, 'dl', 'coldstart', RUN, 'steps', '0001-burst-cold', '000.jsonl'), 'utf8')).toBe('{"a":1}\n');
});

test('a missing credential is one line naming the variable', async () => {
  delete process.env.R2_SECRET_ACCESS_KEY;
  const r = await cli(['fetch', 'coldstart', '--provider', 'cloudflare', '--endpoint', s3.endpoint, '--out', 'x']);
  expect(r.code).toBe(1);
  expect(r.err.trim()).toMatch(/^curtain: no R2 secret access key: set R2_SECRET_ACCESS_KEY \(docs\/cloudflare\.md\)$/);
});

test('curtain run --target takes only targets with a twin here, and refuses a study Cloudflare cannot measure before starting anything', async () => {
  // A target without a twin here (today: any name that is not a registered target with one) is refused, naming those that have one.
  const noTwin = TARGET_LIST.find((t) => !RUN_TARGETS.includes(t))?.id ?? 'no-such-target';
  const refused = await cli(['run', 'coldstart', '--target', noTwin]);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(`--target: expected one of ${RUN_TARGETS.map((t) => t.id).join(', ')}`);
  // Options of the embedded platform do not apply to workerd: refused, not ignored.
  const scaled = await cli(['run', 'coldstart', '--target', 'cloudflare', '--time-scale', '10', '--profile', 'modern']);
  expect(scaled.code).toBe(1);
  expect(scaled.err.trim()).toBe('curtain run: --profile, --time-scale do not apply to --target cloudflare (it takes --bundles, --max-invocations)');
  const placement = await cli(['run', 'placement', '--target', 'cloudflare']);
  expect(placement.code).toBe(1);
  expect(placement.err).toMatch(/analysis placement is not measurable on Cloudflare Workers/);
});
