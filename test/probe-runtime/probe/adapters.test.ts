import { buildSync } from 'esbuild';
import path from 'node:path';
import { ShimReady, ShimResult } from '../../../probe-runtime/contracts/local-shim';
import { ProbeResponse } from '../../../probe-runtime/contracts/probe-wire';
import { PROBE_BUNDLE_MAX_BYTES, PROBE_NODE_ENTRIES } from '../../../probe-runtime/probe/bundle-entries';
import { delay } from '../../../probe-runtime/probe/tasks/barrier';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations';
import { cleanEnv, fixtureRoots, probeRequest, REPO, ShimClient, startLoopbackServer, tempDir } from './helpers';

const tmp = tempDir();
const savedEnv = { ...process.env };
const { procRoot, sysRoot } = fixtureRoots('arm64');

// The adapters create their probe at module load from the environment, as on a platform;
// some are loaded while jest collects the tests, so the environment is set right here.
Object.assign(process.env, { CURTAIN_PROC_ROOT: procRoot, CURTAIN_SYS_ROOT: sysRoot, CURTAIN_TMP_DIR: tmp.dir, CURTAIN_GENERATION: 'g1' });
afterAll(() => {
  process.env = savedEnv;
  tmp.cleanup();
});

/** Load an adapter in a fresh module registry (a fresh instance); `before` runs in that registry first. */
function load<T>(modulePath: string, before: () => void = () => undefined): T {
  let loaded!: T;
  jest.isolateModules(() => {
    before();
    loaded = require(modulePath) as T;
  });
  return loaded;
}

describe('bundles', () => {
  const bundles = PROBE_NODE_ENTRIES.map((e) => {
    const result = buildSync({
      entryPoints: [path.join(REPO, e.entry)],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      external: e.external,
      write: false,
      metafile: true,
    });
    return { ...e, bytes: result.outputFiles[0]!.contents.length, inputs: Object.keys(result.metafile.inputs) };
  });

  test.each(bundles.map((b) => [b.bundle, b]))('%s is minified under 30 KB and pulls in neither zod nor a platform SDK', (_name, b) => {
    expect(b.bytes).toBeLessThanOrEqual(PROBE_BUNDLE_MAX_BYTES);
    expect(b.inputs.filter((input) => input.includes('node_modules'))).toEqual([]);
  });
});

describe('AWS Lambda handler', () => {
  const aws = load<typeof import('../../../probe-runtime/probe/adapters/aws')>('../../../probe-runtime/probe/adapters/aws');

  test('answers the Invoke payload with a valid response carrying the request id', async () => {
    const response = await aws.handler(probeRequest(), { awsRequestId: 'aws-req-1' });
    expect(ProbeResponse.parse(response)).toEqual(response);
    expect(response).toMatchObject({ host: FIXTURE_EXPECTATIONS.arm64!.host, generation: 'g1', providerIds: { awsRequestId: 'aws-req-1' } });
    expect(response.instance.cold).toBe(true);
    expect((await aws.handler(probeRequest())).instance).toMatchObject({ invocation: 2, cold: false });
  });

  test('an invalid event is a function error naming the path', async () => {
    await expect(aws.handler({ ...probeRequest(), study: '' })).rejects.toThrow(/^invalid probe request: study: too small/);
  });
});

describe('Google Cloud Functions HTTP handler, served by the real functions framework', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const gcp = load<typeof import('../../../probe-runtime/probe/adapters/gcp')>('../../../probe-runtime/probe/adapters/gcp');
    const framework = require('@google-cloud/functions-framework') as typeof import('@google-cloud/functions-framework');
    const { getTestServer } = require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
    framework.http('probe', gcp.probe);
    const server = getTestServer('probe');
    const loopback = await startLoopbackServer((req, res) => server.emit('request', req, res));
    url = loopback.url;
    close = loopback.close;
  });
  afterAll(() => close());

  const post = (body: string, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'function-execution-id': 'exec-9' }, body });

  test('POST a ProbeRequest: 200 with a valid ProbeResponse', async () => {
    const answer = await post(JSON.stringify(probeRequest({ name: 'sleep', ms: 5 })));
    expect(answer.status).toBe(200);
    const response = ProbeResponse.parse(await answer.json());
    expect(response.task).toMatchObject({ name: 'sleep', ok: true });
    expect(response.providerIds.executionId).toBe('exec-9');
    expect(response.host.cpuModel).toBe('ARM Neoverse-N1 r3p1');
  });

  test('a JSON body sent as text is parsed too', async () => {
    expect((await post(JSON.stringify(probeRequest()), 'text/plain')).status).toBe(200);
  });

  test('invalid requests get 400 naming the path; other methods 405', async () => {
    const invalid = await post(JSON.stringify(probeRequest({ name: 'io', megabytes: 0 })));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: 'invalid probe request: task.megabytes: too small: expected a number >= 1' });
    const notJson = await post('{not json', 'text/plain');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
    expect((await fetch(url)).status).toBe(405);
  });
});

describe('Azure Functions v4 HTTP trigger', () => {
  let azureFunctions!: typeof import('@azure/functions');
  let register!: jest.SpyInstance;
  // Outside the Functions host the package runs in "test mode" and skips registrations: record them instead.
  const azure = load<typeof import('../../../probe-runtime/probe/adapters/azure')>('../../../probe-runtime/probe/adapters/azure', () => {
    azureFunctions = require('@azure/functions');
    register = jest.spyOn(azureFunctions.app, 'http').mockImplementation(() => undefined);
  });
  afterAll(() => register.mockRestore());

  test('registers a POST trigger with function-key auth', () => {
    expect(register).toHaveBeenCalledWith('probe', { methods: ['POST'], authLevel: 'function', handler: azure.probeHandler });
  });

  const call = (body: string) =>
    azure.probeHandler(
      new azureFunctions.HttpRequest({ method: 'POST', url: 'https://app.example/api/probe', body: { string: body } }),
      new azureFunctions.InvocationContext({ invocationId: 'inv-42', functionName: 'probe' }),
    );

  test('answers with a valid response and the invocation id', async () => {
    const answer = await call(JSON.stringify(probeRequest()));
    expect(answer.status).toBe(200);
    const response = ProbeResponse.parse(answer.jsonBody);
    expect(response.providerIds.invocationId).toBe('inv-42');
  });

  test('invalid request: 400 naming the path', async () => {
    const answer = await call(JSON.stringify({ ...probeRequest(), v: 2 }));
    expect(answer).toEqual({ status: 400, jsonBody: { error: 'invalid probe request: v: expected 1' } });
  });
});

describe('local shim (the minified probe-local bundle in a real process)', () => {
  const bundle = path.join(tmp.dir, 'probe-local.js');
  let shim: ShimClient;

  beforeAll(() => {
    buildSync({ entryPoints: [path.join(REPO, 'probe-runtime/probe/adapters/local.ts')], bundle: true, minify: true, platform: 'node', target: 'node20', outfile: bundle });
  });
  afterEach(() => shim?.kill());

  test('ready, then one result per invoke, in order; errors name the path; exits when stdin closes', async () => {
    const instanceTmp = tempDir();
    try {
      shim = new ShimClient(process.execPath, [bundle], cleanEnv({
        CURTAIN_PROC_ROOT: procRoot,
        CURTAIN_SYS_ROOT: sysRoot,
        CURTAIN_TMP_DIR: instanceTmp.dir,
        CURTAIN_LOCAL_INSTANCE_ID: 'h1/i1',
        CURTAIN_MEMORY_MB: '256',
      }));
      const ready = ShimReady.parse(await shim.next());
      expect(ready.pid).toBe(shim.child.pid);
      expect(ready.initMs).toBeGreaterThan(0);

      shim.send({ type: 'invoke', id: 1, request: probeRequest() });
      const first = await shim.next();
      expect(ShimResult.parse(first)).toMatchObject({ type: 'result', id: 1 });
      const response = ProbeResponse.parse(first.response);
      expect(response).toMatchObject({ memoryMb: 256, providerIds: { CURTAIN_LOCAL_INSTANCE_ID: 'h1/i1' }, instance: { cold: true } });
      expect(response.host).toEqual(FIXTURE_EXPECTATIONS.arm64!.host);

      shim.send({ type: 'invoke', id: 2, request: { ...probeRequest(), attempt: 0 } });
      expect(await shim.next()).toEqual({ type: 'result', id: 2, error: 'invalid probe request: attempt: too small: expected a number >= 1' });

      shim.send('this is not json');
      shim.send({ type: 'ping', id: 3 });
      expect(await shim.next()).toMatchObject({ type: 'result', id: 3, error: expect.stringContaining('invoke') });

      shim.send({ type: 'invoke', id: 4, request: probeRequest({ name: 'background', durationMs: 50 }) });
      shim.send({ type: 'invoke', id: 5, request: probeRequest({ name: 'sleep', ms: 400 }) });
      shim.send({ type: 'invoke', id: 6, request: probeRequest() });
      const [r4, r5, r6] = [await shim.next(), await shim.next(), await shim.next()];
      expect([r4.id, r5.id, r6.id]).toEqual([4, 5, 6]);
      const afterBackground = ProbeResponse.parse(r6.response);
      // Lines that arrived together are timed from when the instance takes them up, not from arrival
      // (id 6 waited ~400 ms behind id 5).
      expect(afterBackground.overheadMs.total).toBeLessThan(200);
      // Invocations 1 (ok), 2 (invalid), 3 (background, id 4), 4 (sleep), 5; the ping never reached the probe.
      expect(afterBackground.instance.invocation).toBe(5);
      expect(afterBackground.backgroundWork).toMatchObject({ startedInvocation: 3, running: false });
      expect(afterBackground.backgroundWork!.unitsDone).toBeGreaterThan(0);

      expect(await shim.close()).toBe(0);
      expect(shim.lines).toHaveLength(7); // ready + 6 results: stdout carried protocol lines only
      expect(shim.stderr).toContain('not JSON');
    } finally {
      instanceTmp.cleanup();
    }
  });

  test('background work keeps running while the instance waits for its next request', async () => {
    shim = new ShimClient(process.execPath, [bundle], cleanEnv({ CURTAIN_PROC_ROOT: procRoot, CURTAIN_TMP_DIR: tmp.dir }));
    await shim.next();
    shim.send({ type: 'invoke', id: 1, request: probeRequest({ name: 'background', durationMs: 400 }) });
    await shim.next();
    await delay(150);
    shim.send({ type: 'invoke', id: 2, request: probeRequest() });
    const during = ProbeResponse.parse((await shim.next()).response).backgroundWork!;
    expect(during.running).toBe(true);
    expect(during.unitsDone).toBeGreaterThan(0);
    expect(await shim.close()).toBe(0);
  });
});
