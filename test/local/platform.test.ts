/**
 * The platform itself, with real instance processes (a stand-in shim process,
 * so these tests do not depend on the probe bundle) behind the real HTTP front door.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalPlatform } from '../../local/platform/local-platform';
import { instanceIdOf, invokeHttp, invokeTask, isAlive, planFunction, probeRequest, sleep, startTestPlatform } from './helpers';

const platforms: LocalPlatform[] = [];
async function start(...args: Parameters<typeof startTestPlatform>): Promise<LocalPlatform> {
  const p = await startTestPlatform(...args);
  platforms.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.stop()));
});

describe('instances and hosts', () => {
  test('the first request starts a real process (cold); the next reuses it (warm)', async () => {
    const p = await start([planFunction('f')]);
    const first = await invokeTask(p, 'f');
    const second = await invokeTask(p, 'f');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect((first.body.instance as { cold: boolean }).cold).toBe(true);
    expect((second.body.instance as { cold: boolean }).cold).toBe(false);
    expect(instanceIdOf(second)).toBe(instanceIdOf(first));
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.instances).toHaveLength(1);
    expect(truth.instances[0]!.probeInstanceId).toBe(instanceIdOf(first));
    expect(isAlive(truth.instances[0]!.pid!)).toBe(true);
    expect(truth.invocations.map((i) => i.cold)).toEqual([true, false]);
  });

  test('the probe reads its host through the proc root: btime, hostname and 2018 sandbox-root cgroup of its host', async () => {
    const p = await start([planFunction('a0'), planFunction('a1')], { profile: 'aws-2018' });
    const [x, y] = await Promise.all([invokeTask(p, 'a0', { name: 'sleep', ms: 100 }), invokeTask(p, 'a1', { name: 'sleep', ms: 100 })]);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.hosts).toHaveLength(1); // two 128 MB instances fit one 3,328 MB host
    const host = truth.hosts[0]!;
    for (const r of [x, y]) {
      const fp = r.body.host as { bootTime: number; hostname: string; cgroup: string[] };
      expect(fp.bootTime).toBe(host.bootTime);
      expect(fp.hostname).toBe(host.hostname);
      expect(fp.hostname).toBe(`ip-${host.privateIp.replace(/\./g, '-')}`);
      expect(fp.cgroup.every((line) => line.includes(`/${host.sandboxRoot}/sandbox-`))).toBe(true);
    }
    // Same sandbox root, different sandboxes.
    expect((x.body.host as { cgroup: string[] }).cgroup[0]).not.toBe((y.body.host as { cgroup: string[] }).cgroup[0]);
    expect(host.bootTime).toBeLessThan(Date.now() / 1000 - 3600);
  });

  test('aws-2018 bin-packs by memory into 3,328 MB hosts dedicated to one tenant', async () => {
    const fns = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => planFunction(`f${i}`, { memoryMb: 1024, tenant: i % 2 === 0 ? 'a' : 'b' }));
    const p = await start(fns, { profile: 'aws-2018' });
    const results = await Promise.all(fns.map((f) => invokeTask(p, f.key, { name: 'sleep', ms: 300 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    // 4 instances of 1,024 MB per tenant: 3 fit a 3,328 MB host, so each tenant needs 2 hosts.
    expect(truth.hosts).toHaveLength(4);
    for (const host of truth.hosts) {
      expect(host.peakMemoryMb).toBeLessThanOrEqual(3328);
      expect(host.tenantsSeen).toHaveLength(1);
    }
    expect(truth.hosts.map((h) => h.peakMemoryMb).sort()).toEqual([1024, 1024, 3072, 3072]);
    // First fit: a new host was only opened when no host of the tenant had room.
    for (const i of truth.instances) if (i.newHost) expect(i.hostsWithRoom).toBe(0);
  });

  test('microvm (modern): every instance gets a host of its own, booted when it starts', async () => {
    const p = await start([planFunction('f')]);
    const before = Math.floor(Date.now() / 1000);
    await Promise.all([invokeTask(p, 'f', { name: 'sleep', ms: 200 }), invokeTask(p, 'f', { name: 'sleep', ms: 200 })]);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.instances).toHaveLength(2);
    expect(new Set(truth.instances.map((i) => i.host)).size).toBe(2);
    for (const h of truth.hosts) expect(h.bootTime).toBeGreaterThanOrEqual(before - 1);
  });
});

describe('scaling', () => {
  test('azure-2018 gives a function at most 10 instances; the other requests queue and still succeed', async () => {
    const p = await start([planFunction('f')], { profile: 'azure-2018', profileSet: { 'lifecycle.initDelayMs': { min: 0, max: 0 } } });
    const results = await Promise.all(Array.from({ length: 16 }, () => invokeTask(p, 'f', { name: 'sleep', ms: 300 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map(instanceIdOf)).size).toBe(10);
    // The six requests beyond the limit waited for an instance to finish: they ran warm.
    expect(p.groundTruth({ study: 't', run: 'r' }).invocations.filter((i) => !i.cold)).toHaveLength(6);
  });

  test('gcp-2018 starts instances for about half of a burst; the rest queue', async () => {
    const p = await start([planFunction('f')], { profile: 'gcp-2018' });
    const results = await Promise.all(Array.from({ length: 16 }, () => invokeTask(p, 'f', { name: 'sleep', ms: 400 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const instances = new Set(results.map(instanceIdOf)).size;
    expect(instances).toBeGreaterThanOrEqual(7);
    expect(instances).toBeLessThanOrEqual(9);
  });

  test('past the account-wide concurrency limit the front door answers 429', async () => {
    const p = await start([planFunction('f')], { profileSet: { 'scaling.accountConcurrency': 3 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => invokeTask(p, 'f', { name: 'sleep', ms: 400 })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(3);
    expect(String(throttled[0]!.body.error)).toMatch(/concurrency limit of 3/);
  });
});

describe('lifecycle', () => {
  test('idle instances are reaped after the idle timeout, on the scaled clock', async () => {
    // 10 min idle timeout at 1,000x = 0.6 s real.
    const p = await start([planFunction('f')], { timeScale: 1000 });
    const first = await invokeTask(p, 'f');
    await sleep(1100);
    const second = await invokeTask(p, 'f');
    expect(instanceIdOf(second)).not.toBe(instanceIdOf(first));
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.instances[0]!.endReason).toBe('idle');
    expect(isAlive(truth.instances[0]!.pid!)).toBe(false);
  });

  test('an instance in use is retired after its maximum lifetime', async () => {
    const p = await start([planFunction('f')], { timeScale: 1000, profileSet: { 'lifecycle.maxLifetimeHours': { min: 0.0002, max: 0.0002 } } });
    const ids = new Set<string>();
    for (let i = 0; i < 8; i++) {
      ids.add(instanceIdOf(await invokeTask(p, 'f')));
      await sleep(100);
    }
    expect(ids.size).toBeGreaterThan(1);
    expect(p.groundTruth({ study: 't', run: 'r' }).instances.some((i) => i.endReason === 'lifetime')).toBe(true);
  });

  test('an immediate update replaces instances: the next request runs the new generation', async () => {
    const p = await start([planFunction('f')]);
    const before = await invokeTask(p, 'f');
    p.update('f', { kind: 'refresh' }, 'g5');
    const after = await invokeTask(p, 'f');
    expect(before.body.generation).toBe('g0');
    expect(after.body.generation).toBe('g5');
    expect(instanceIdOf(after)).not.toBe(instanceIdOf(before));
    await sleep(50);
    expect(p.groundTruth({ study: 't', run: 'r' }).instances[0]!.endReason).toBe('replaced');
  });

  test('a lazy update lets stale instances answer during the window, never after it', async () => {
    const p = await start([planFunction('f')], {
      profile: 'aws-2018',
      profileSet: { 'lifecycle.update': { mode: 'lazy', staleWindowSeconds: 1, staleProbability: 1 } },
    });
    await invokeTask(p, 'f');
    p.update('f', { kind: 'memory', memoryMb: 256 }, 'g3');
    const during = await invokeTask(p, 'f');
    expect(during.body.generation).toBe('g0');
    await sleep(1200);
    const after = await invokeTask(p, 'f');
    expect(after.body.generation).toBe('g3');
    expect(after.body.memoryMb).toBe(256);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.invocations.map((i) => i.stale)).toEqual([false, true, false]);
    expect(truth.instances[0]!.endReason).toBe('replaced');
  });

  test('freezing between invocations stops background work (aws-2018); without it the work goes on (gcp-2018)', async () => {
    const ticks = async (profile: string) => {
      const p = await start([planFunction('f')], { profile });
      await invokeTask(p, 'f', { name: 'background', durationMs: 2000 });
      await sleep(500);
      const collect = await invokeTask(p, 'f', { name: 'noop' });
      return (collect.body.task as { values: { ticksSoFar: number } }).values.ticksSoFar;
    };
    expect(await ticks('aws-2018')).toBeLessThan(5);
    expect(await ticks('gcp-2018')).toBeGreaterThan(40);
  });
});

describe('faults', () => {
  test('a crash kills the instance mid-request: 502, and the next request gets a new instance', async () => {
    const p = await start([planFunction('f')], { faults: { crash: 1 } });
    const crashed = await invokeTask(p, 'f');
    expect(crashed.status).toBe(502);
    expect(String(crashed.body.error)).toMatch(/crashed during the invocation \(signal SIGKILL\)/);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.instances[0]!.endReason).toBe('crashed');
    expect(truth.invocations[0]!.outcome).toBe('crashed');
  });

  test('a hang is cut by the function timeout: 504 and the instance is killed', async () => {
    const p = await start([planFunction('f', { timeoutSeconds: 1 })], { faults: { hang: 1 } });
    const t0 = Date.now();
    const hung = await invokeTask(p, 'f');
    expect(hung.status).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.instances[0]!.endReason).toBe('timeout');
    expect(isAlive(truth.instances[0]!.pid!)).toBe(false);
  });

  test('an instance that fails to start answers its request with 502', async () => {
    const p = await start([planFunction('f')], { faults: { startFailure: 1 } });
    const r = await invokeTask(p, 'f');
    expect(r.status).toBe(502);
    expect(String(r.body.error)).toMatch(/failed to start/);
  });

  test('a handler error is a 500 with the message; the instance stays', async () => {
    const p = await start([planFunction('f')]);
    const r = await invokeTask(p, 'f', { name: 'cpu-work', units: 666 });
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('handler threw: units 666');
    expect((await invokeTask(p, 'f')).status).toBe(200);
  });

  test('slow hosts add their delay to every request', async () => {
    const p = await start([planFunction('f')], { faults: { slowHosts: 1, slowHostDelayMs: 300 } });
    await invokeTask(p, 'f');
    const t0 = Date.now();
    await invokeTask(p, 'f');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(p.groundTruth({ study: 't', run: 'r' }).hosts[0]!.slow).toBe(true);
  });
});

describe('front door', () => {
  test('rejects unknown functions, invalid requests and wrong paths with a message', async () => {
    const p = await start([planFunction('f')]);
    expect((await invokeTask(p, 'nope')).status).toBe(404);
    const bad = await invokeHttp(p, 'f', { ...probeRequest('f'), step: 'x' });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/^invalid probe request: step:/);
    const mismatch = await invokeHttp(p, 'f', probeRequest('g'));
    expect(mismatch.status).toBe(400);
    const base = new URL(p.endpoint);
    const wrong = await fetch(`${base.origin}/invoke/f`, { method: 'POST', body: JSON.stringify(probeRequest('f')) });
    expect(wrong.status).toBe(404);
    expect(base.hostname).toBe('127.0.0.1');
  });

  test('fills the net task endpoint with a per-host URL that names no host', async () => {
    const p = await start([planFunction('f')], { profile: 'aws-2018' });
    const r = await invokeTask(p, 'f', { name: 'net', megabytes: 1 });
    const url = String((r.body.task as { values: { url: string } }).values.url);
    expect(url.startsWith(`${p.endpoint}/net/`)).toBe(true);
    expect(url).not.toMatch(/h00\d/);
    const download = await fetch(url);
    expect((await download.arrayBuffer()).byteLength).toBe(1024 * 1024);
  });
});

describe('CPU quotas', () => {
  test('where cgroups are missing the platform runs without quotas and says why', async () => {
    const p = await start([planFunction('f')], { profile: 'aws-2018', cpuQuota: 'auto', cgroupParent: '/nonexistent/cgroup/cpu' });
    expect(p.cpuQuota.applied).toBe(false);
    expect(p.cpuQuota.reason).toMatch(/no cgroup v1 cpu controller at \/nonexistent\/cgroup\/cpu/);
    expect((await invokeTask(p, 'f')).status).toBe(200);
    expect(p.groundTruth({ study: 't', run: 'r' }).instances[0]!.cpuQuotaVcpus).toBeNull();
  });

  const cgroupV1 = existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') && process.getuid?.() === 0;
  (cgroupV1 ? test : test.skip)('with cgroup v1 each instance gets its memory\'s quota under its host, and stop removes the cgroups', async () => {
    const p = await startTestPlatform([planFunction('f', { memoryMb: 512 })], { profile: 'aws-2018', cpuQuota: 'auto' });
    expect(p.cpuQuota).toEqual({ applied: true, reason: null });
    await invokeTask(p, 'f');
    const instance = (p as unknown as { allInstances: { cgroupPath: string; process: { pid: number } }[] }).allInstances[0]!;
    expect(readFileSync(path.join(instance.cgroupPath, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe(String(Math.round((512 / 1769) * 100_000)));
    expect(readFileSync(path.join(instance.cgroupPath, 'cgroup.procs'), 'utf8')).toContain(String(instance.process.pid));
    expect(readFileSync(path.join(path.dirname(instance.cgroupPath), 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('200000'); // the host: 2 vCPUs
    const root = path.dirname(path.dirname(instance.cgroupPath));
    await p.stop();
    expect(existsSync(root)).toBe(false);
  });
});

describe('stop', () => {
  test('ends every instance process, answers queued requests and removes its scratch files', async () => {
    const p = await startTestPlatform([planFunction('f')], { profile: 'azure-2018', profileSet: { 'scaling.maxInstancesPerFunction': 1, 'lifecycle.initDelayMs': { min: 0, max: 0 } } });
    await invokeTask(p, 'f');
    const inflight = [invokeTask(p, 'f', { name: 'sleep', ms: 3000 }), invokeTask(p, 'f', { name: 'sleep', ms: 3000 })];
    await sleep(200);
    const pids = p.livePids();
    expect(pids.length).toBe(1);
    await p.stop();
    const results = await Promise.all(inflight);
    expect(results.map((r) => r.status).sort()).toEqual([503, 503]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(p.livePids()).toEqual([]);
    expect(existsSync((p as unknown as { options: { workDir: string } }).options.workDir)).toBe(false);
  });
});
