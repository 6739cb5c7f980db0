import type { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { createHttpInvoker } from '../../../probe-runtime/driver/invokers/http';
import { FUNCTION_KEY_HEADER, functionKeyAuth, functionKeysFromEnv, googleAudience, googleIdTokenAuth } from '../../../probe-runtime/driver/invokers/http-auth';
import { jwtExpiry } from '../../../probe-runtime/driver/net/cached-token';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { fakeJwt, startFakeMetadataServer } from './support/fake-google';
import { type FakeProbeServer, startFakeProbeServer } from './support/fake-probe-server';
import type { LoopbackServer } from './support/loopback-server';
import { burstStep, testPlan } from './support/plan-fixture';

/** A deployment whose targets are URLs on the fake probe server, as on Azure and Google. */
function urlDeployment(plan: ReturnType<typeof testPlan>, origin: string, provider: 'azure' | 'gcp') {
  return { v: 1 as const, provider, region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, `${origin}/invoke/${f.key}`])) };
}

describe('HTTP invoker authentication', () => {
  let probes: FakeProbeServer;
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    probes = await startFakeProbeServer();
    tmp = tempDir('auth');
  });
  afterEach(async () => {
    await probes.close();
    tmp.remove();
  });

  test('Azure: each request carries the function key of its target', async () => {
    // The driver takes the provider from the deployment; the plan's own provider does not matter here.
    const plan = testPlan({ requestsPerTarget: 2 });
    const [a, b] = plan.functions.map((f) => f.key) as [string, string];
    const keys = functionKeysFromEnv({ CURTAIN_FUNCTION_KEYS: JSON.stringify({ [a]: 'key-a' }), CURTAIN_FUNCTION_KEY: 'shared-key' });
    const invoker = createHttpInvoker({ auth: functionKeyAuth(keys) });
    const deps = localDeps(plan, probes.endpoint, tmp.dir, { invoker, deployment: urlDeployment(plan, probes.endpoint, 'azure') });
    const summary = (await runDriverEvent({ v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 }, deps)) as BurstShardSummary;
    expect(summary.counts.ok).toBe(4);
    for (const arrival of probes.arrivals) expect(arrival.headers[FUNCTION_KEY_HEADER]).toBe(arrival.functionKey === a ? 'key-a' : 'shared-key');
    expect(probes.arrivals.filter((x) => x.functionKey === b)).toHaveLength(2);
  });

  test('Azure: missing or malformed keys are configuration errors', () => {
    expect(() => functionKeysFromEnv({})).toThrow(/set CURTAIN_FUNCTION_KEY or CURTAIN_FUNCTION_KEYS/);
    expect(() => functionKeysFromEnv({ CURTAIN_FUNCTION_KEYS: '{' })).toThrow(/CURTAIN_FUNCTION_KEYS: not JSON/);
    expect(() => functionKeysFromEnv({ CURTAIN_FUNCTION_KEYS: '{"a":1}' })).toThrow(/^CURTAIN_FUNCTION_KEYS: a: expected string/);
    expect(() => functionKeysFromEnv({ CURTAIN_FUNCTION_KEYS: '{"a":"k"}' })('b')).toThrow(/no function key for b/);
  });

  describe('Google: ID tokens from the metadata server', () => {
    let metadata: LoopbackServer;
    beforeEach(async () => {
      metadata = await startFakeMetadataServer();
    });
    afterEach(() => metadata.close());

    test('the audience is the URL without query or trailing slash, as Cloud Run prints service URLs', () => {
      expect(googleAudience(new URL('https://probe-abc123-uc.a.run.app/'))).toBe('https://probe-abc123-uc.a.run.app');
      expect(googleAudience(new URL('https://us-central1-p.cloudfunctions.net/probe-1/?x=1'))).toBe('https://us-central1-p.cloudfunctions.net/probe-1');
    });

    test('one token per audience, fetched before the burst and reused, sent as a bearer token', async () => {
      const plan = testPlan({ requestsPerTarget: 3 }, 'gcp');
      const invoker = createHttpInvoker({ auth: googleIdTokenAuth({ GCE_METADATA_HOST: metadata.host }) });
      const deps = localDeps(plan, probes.endpoint, tmp.dir, { invoker, deployment: urlDeployment(plan, probes.endpoint, 'gcp') });
      const event = { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 };
      await runDriverEvent(event, deps);
      await runDriverEvent(event, deps);
      const identity = metadata.seen.filter((r) => r.url.pathname.endsWith('/identity'));
      expect(identity.map((r) => r.url.searchParams.get('audience')).sort()).toEqual(Object.values(deps.deployment.targets).sort());
      expect(identity.every((r) => r.headers['metadata-flavor'] === 'Google')).toBe(true);
      for (const arrival of probes.arrivals) {
        const token = String(arrival.headers.authorization).replace(/^Bearer /, '');
        const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { aud: string };
        expect(claims.aud).toBe(deps.deployment.targets[arrival.functionKey]);
      }
      expect(probes.arrivals).toHaveLength(12);
    });

    test('a metadata server that fails turns every request into an error record naming authentication', async () => {
      const plan = testPlan({ requestsPerTarget: 1 }, 'gcp');
      await metadata.close();
      const invoker = createHttpInvoker({ auth: googleIdTokenAuth({ GCE_METADATA_HOST: metadata.host }) });
      const deps = localDeps(plan, probes.endpoint, tmp.dir, { invoker, deployment: urlDeployment(plan, probes.endpoint, 'gcp') });
      const summary = (await runDriverEvent({ v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan), shard: 0 }, deps)) as BurstShardSummary;
      expect(summary.counts).toMatchObject({ error: 2, ok: 0 });
      const text = (await deps.sink.get(summary.key))!;
      expect(text).toMatch(/"error":"authentication: connect ECONNREFUSED 127\.0\.0\.1:\d+"/);
      expect(probes.arrivals).toHaveLength(0);
    });
  });

  test('reads the expiry of a JWT', () => {
    expect(jwtExpiry(fakeJwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiry('not-a-jwt')).toBeNull();
  });

  test('probe URLs must use TLS unless they are on loopback', async () => {
    const invoker = createHttpInvoker();
    const outcome = await invoker.invoke({ functionKey: 'f', address: 'http://probe.example.com/x', freshConnection: true, signal: new AbortController().signal, body: () => '{}' });
    expect(outcome).toMatchObject({ kind: 'failure', status: 'error' });
    expect((outcome as { error: string }).error).toMatch(/must use https/);
  });
});
