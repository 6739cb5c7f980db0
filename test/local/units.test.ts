/** The pure parts of the local platform: placement policies, scale-out, time scale, profiles, faults, host trees. */
import path from 'node:path';
import { loadDefinitionFile } from '../../experiments/load-definition';
import { planStudy } from '../../experiments/plan';
import type { StudyDefinitionInput } from '../../experiments/schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { ValidationError } from '../../experiments/errors';
import { describeFaults, parseFaultOptions } from '../../local/faults';
import { HostIdentityFactory, instanceCgroupLines } from '../../local/hosts/host-identity';
import { choosePlacement } from '../../local/hosts/placement';
import { cpuinfo, fibTrie, meminfo, statWithBootTime } from '../../local/hosts/proc-tree';
import { instancesToStart } from '../../local/platform/scale-out';
import { PROFILE_NAMES, resolveProfile } from '../../local/profiles';
import { Random } from '../../local/random';
import { ProgressDisplay } from '../../local/run/progress';
import { PlatformClock } from '../../local/orchestrator/platform-clock';
import { defaultTimeScale, minimumLocalSeconds, niceCeil, niceFloor, scheduleHolds, TimeScale } from '../../local/time-scale';

describe('placement policies', () => {
  const hosts = [
    { id: 'h1', freeMb: 200, seq: 1 },
    { id: 'h2', freeMb: 3000, seq: 2 },
    { id: 'h3', freeMb: 1000, seq: 3 },
  ];
  test('binpack: the oldest host with room, a new one only when none has room', () => {
    expect(choosePlacement('binpack', hosts, 512, 8, new Random(1))).toEqual({ hostId: 'h2', hostsWithRoom: 2 });
    expect(choosePlacement('binpack', hosts, 128, 8, new Random(1))).toEqual({ hostId: 'h1', hostsWithRoom: 3 });
    expect(choosePlacement('binpack', hosts, 3008, 8, new Random(1))).toEqual({ hostId: null, hostsWithRoom: 0 });
  });
  test('spread: new hosts until the pool is full, then the emptiest with room', () => {
    expect(choosePlacement('spread', hosts, 128, 8, new Random(1)).hostId).toBeNull();
    expect(choosePlacement('spread', hosts, 128, 3, new Random(1)).hostId).toBe('h2');
  });
  test('random: only hosts with room (or a new one while the pool grows)', () => {
    const picks = new Set(Array.from({ length: 50 }, (_, i) => choosePlacement('random', hosts, 900, 3, new Random(i)).hostId));
    expect(picks).toEqual(new Set(['h2', 'h3']));
    const growing = new Set(Array.from({ length: 50 }, (_, i) => choosePlacement('random', hosts, 900, 4, new Random(i)).hostId));
    expect(growing).toEqual(new Set(['h2', 'h3', null]));
  });
  test('microvm: always a new host', () => {
    expect(choosePlacement('microvm', hosts, 128, 8, new Random(1)).hostId).toBeNull();
  });
});

describe('scale-out', () => {
  const base = { queued: 0, unboundQueued: 0, live: 0, busy: 0, maxInstancesPerFunction: null, scaleOutFraction: 1 };
  test('one instance per waiting request by default', () => {
    expect(instancesToStart({ ...base, queued: 5, unboundQueued: 5 })).toBe(5);
    expect(instancesToStart({ ...base, queued: 5, unboundQueued: 0, live: 5 })).toBe(0);
  });
  test('a per-function limit counts live instances', () => {
    expect(instancesToStart({ ...base, queued: 8, unboundQueued: 8, live: 6, busy: 6, maxInstancesPerFunction: 10 })).toBe(4);
  });
  test('a fraction starts instances for about that share of the demand', () => {
    // 100 requests arriving one by one: instances track half of them.
    let live = 0;
    let queued = 0;
    for (let i = 0; i < 100; i++) {
      queued += 1;
      live += instancesToStart({ ...base, queued, unboundQueued: queued - live, live, scaleOutFraction: 0.5 });
    }
    expect(live).toBe(50);
  });
});

describe('time scale', () => {
  test('1-2-5 steps', () => {
    expect([0.5, 1, 1.5, 2, 3, 7, 12, 43.2, 120, 720].map(niceCeil)).toEqual([1, 1, 2, 2, 5, 10, 20, 50, 200, 1000]);
    expect([0.5, 1, 1.5, 2, 3, 7, 12, 600, 1260].map(niceFloor)).toEqual([1, 1, 1, 2, 2, 5, 10, 500, 1000]);
  });
  test('per plan: real time when the waits fit a minute, else the smallest step that fits them, within the schedule and the profile\'s timers', () => {
    const plan = (id: string, sets = {}) => planStudy(buildCatalogStudy(id, sets), { provider: 'local' });
    const modern = resolveProfile('modern');
    const idle = { driverStartupMs: 150, measured: true };
    const loaded = { driverStartupMs: 600, measured: true };
    expect(defaultTimeScale(plan('coldstart'), modern, loaded).scale).toBe(1);
    expect(defaultTimeScale(plan('accounting'), modern, loaded).scale).toBe(10); // 7.5 min of waits → 45 s
    // idle-recycling wants 200x for its 2 h, but its 25, 26 and 27 min gaps put three 1.2 s bursts
    // a platform-minute apart: at 200x a minute is 0.3 s. The machine's start-up decides how far
    // below: 50x on an idle machine, 20x on a loaded one.
    const idleRecycling = defaultTimeScale(plan('idle-recycling'), modern, idle);
    expect(idleRecycling.scale).toBe(50);
    expect(idleRecycling.reason).toMatch(/planned platform time.*measured driver start-up 0\.15 s/);
    expect(defaultTimeScale(plan('idle-recycling'), modern, loaded).scale).toBe(20);
    expect(scheduleHolds(plan('idle-recycling').steps, 200, idle)).toBe(false);
    // Gaps 10 min apart hold at 200x.
    expect(scheduleHolds(plan('idle-recycling', { gapsMinutes: [10, 20, 30, 60] }).steps, 200, idle)).toBe(true);
    // lifetime: each tick is due 60 s after the last one answered; the next driver must be up by
    // then, so the start-up bounds the scale: 200x idle, 50x loaded.
    expect(defaultTimeScale(plan('lifetime'), modern, idle).scale).toBe(200);
    expect(defaultTimeScale(plan('lifetime'), modern, loaded).scale).toBe(50);
    // A long burst against a short timer: azure-2018 idles instances out after 5 min, so bursts
    // holding a 10 s barrier may not run faster than 10x (10.3 s, scaled, within half of 5 min).
    const capped = defaultTimeScale(plan('lifetime', { holdMs: 10_000 }), resolveProfile('azure-2018'), idle);
    expect(capped.scale).toBe(10);
    expect(capped.reason).toMatch(/idle timeout of 5 min/);
  });
  test('the platform clock: a function is due its planned waits after its last answer, whatever other bursts took', () => {
    const clock = new PlatformClock(['f', 'g'], new TimeScale(100), 0, 500);
    // A warm-up of both: they answered at 2,000 ms.
    clock.burstDone(['f', 'g'], { spawnedAt: 0, releasedAt: 0, firstSendAt: 500, endedAt: 2000 });
    clock.wait(60); // 60 s of platform time: 600 ms at 100x
    expect(clock.dueAt(['f'])).toBe(2600);
    // f's burst takes 1.51 s of real time (151 s of platform time at 100x) ...
    clock.burstDone(['f'], { spawnedAt: 1600, releasedAt: 2590, firstSendAt: 2600, endedAt: 4100 });
    clock.wait(60);
    // ... which g's gap counts as a cloud would spend it (1.51 s), not as 151 s: g is due 121.51 s after its answer.
    expect(clock.dueAt(['g'])).toBeCloseTo(2000 + (60_000 + 1510 + 60_000) / 100, 6);
    expect(clock.dueAt(['f'])).toBe(4100 + 600);
    expect(clock.dueAt(['f', 'g'])).toBe(4100 + 600); // the later of the two (f's)
    // Drivers start twice their start-up ahead (the calibration: 500 ms) and get their event one reaction
    // (10 ms, seen on f's held burst) before the burst is due.
    expect(clock.spawnDriverAt(10_000)).toBe(9000);
    expect(clock.releaseDriverAt(10_000)).toBe(9990);
  });

  test('the platform clock: an anchored wait is due at the run start + untilSeconds, whatever the bursts took; later waits count from it', () => {
    const clock = new PlatformClock(['f', 'g'], new TimeScale(100), 1000, 500);
    clock.burstDone(['f'], { spawnedAt: 1000, releasedAt: 1000, firstSendAt: 1400, endedAt: 2900 });
    clock.waitUntil(300); // 5 platform-minutes after the run's start: 3,000 ms real at 100x
    expect(clock.dueAt(['f'])).toBe(4000);
    expect(clock.dueAt(['g'])).toBe(4000);
    // f's next burst runs late and long (ends at 6,500 ms); the next anchor is still on the grid.
    clock.burstDone(['f'], { spawnedAt: 4000, releasedAt: 4000, firstSendAt: 4100, endedAt: 6500 });
    clock.waitUntil(600);
    expect(clock.dueAt(['f'])).toBe(7000);
    // An anchor already passed is due at once (its instant), not pushed later.
    clock.burstDone(['f'], { spawnedAt: 7000, releasedAt: 7000, firstSendAt: 7100, endedAt: 11_000 });
    clock.waitUntil(900);
    expect(clock.dueAt(['f', 'g'])).toBe(10_000);
    // A plain wait after an anchored one counts from the anchor's instant.
    clock.wait(60);
    expect(clock.dueAt(['g'])).toBe(10_600);
  });

  test('the platform clock: an open-loop burst\'s send span is platform time for the other functions, the rest of its real time counts one to one', () => {
    const clock = new PlatformClock(['f', 'g'], new TimeScale(100), 0, 500);
    clock.burstDone(['g'], { spawnedAt: 0, releasedAt: 0, firstSendAt: 100, endedAt: 1000 });
    // f's open-loop burst sends over 60 s of platform time (600 ms real at 100x) and ends 900 ms after its release.
    clock.burstDone(['f'], { spawnedAt: 1000, releasedAt: 1000, firstSendAt: 1000, endedAt: 1900, sendSpanMs: 60_000 });
    clock.wait(60);
    // g: 60 s of sends + 300 ms of the rest + the 60 s wait after its answer at 1,000 ms.
    expect(clock.dueAt(['g'])).toBeCloseTo(1000 + (60_000 + 300 + 60_000) / 100, 6);
  });

  test('the default scale keeps anchored pings on their anchors and the idle gap before each as planned (docs/examples/keep-warm.ts)', () => {
    const plan = planStudy(loadDefinitionFile(path.resolve(__dirname, '../../docs/examples/keep-warm.ts')).data as StudyDefinitionInput, { provider: 'local' });
    const idle = { driverStartupMs: 150, measured: true };
    // The two first pings take ~0.75 s of real time (driver start-ups and answers, with the safety
    // factor): at 50x that is 37.5 s of the first 5 platform-minutes where the plan expects 2.6 s, so
    // the 5-minute ping would follow 35 s less idle time than planned, more than 5 % of the period
    // (15 s). At 20x it is 12.4 s.
    expect(scheduleHolds(plan.steps, 50, idle)).toBe(false);
    expect(scheduleHolds(plan.steps, 20, idle)).toBe(true);
    const choice = defaultTimeScale(plan, resolveProfile('modern'), idle);
    expect(choice.scale).toBe(20);
    expect(choice.reason).toMatch(/planned platform time/);
  });

  test('a run lasts at least its scaled waits and its barriers', () => {
    const p = planStudy(buildCatalogStudy('scalability'), { provider: 'local' });
    expect(minimumLocalSeconds(p, new TimeScale(1000))).toBe(40 * 10);
    expect(new TimeScale(100).realMs(60_000)).toBe(600);
    expect(() => new TimeScale(0)).toThrow(/positive/);
  });
});

describe('profiles and faults', () => {
  test('every built-in profile validates', () => {
    for (const name of PROFILE_NAMES) expect(resolveProfile(name).name).toBe(name);
  });
  test('overrides are validated and name their path; unknown profiles suggest the closest', () => {
    expect(resolveProfile('aws-2018', { 'lifecycle.freezeBetweenInvocations': false }).lifecycle.freezeBetweenInvocations).toBe(false);
    expect(() => resolveProfile('aws-2018', { 'scaling.scaleOutFraction': 2 })).toThrow(/scaling\.scaleOutFraction/);
    expect(() => resolveProfile('aws-2018', { 'lifecycle.idleTimeoutMinutes': { min: 9, max: 2 } })).toThrow(/min must not exceed max/);
    expect(() => resolveProfile('aws-2018', { 'placement.colour': 'red' })).toThrow(/unknown key "colour"/);
    expect(() => resolveProfile('aws2018')).toThrow(ValidationError);
    expect(() => resolveProfile('aws2018')).toThrow(/did you mean "aws-2018"/);
  });
  test('faults layer over a profile\'s and are described for run.json', () => {
    const faults = parseFaultOptions(['crash=0.1', 'driverCrash=0.5'], { hang: 0.2 });
    expect(faults).toMatchObject({ crash: 0.1, hang: 0.2, driverCrash: 0.5 });
    expect(describeFaults(faults).join('\n')).toMatch(/crash: 10 %.*\n.*hang: 20 %[\s\S]*driver crash: 50 %/);
    expect(describeFaults(parseFaultOptions([]))).toEqual([]);
    expect(() => parseFaultOptions(['explode=1'])).toThrow(/explode/);
  });
});

describe('host identities and trees', () => {
  test('aws-2018 hosts: ip-style hostname from the private IP, distinct boot times a minute apart, a sandbox root', () => {
    const factory = new HostIdentityFactory(resolveProfile('aws-2018'), new Random(3));
    const hosts = Array.from({ length: 30 }, (_, i) => factory.create({ index: i + 1, tenant: 'a', capacityMb: 3328, nowMs: Date.now(), slow: false, slowCpuFactor: 1 }));
    for (const h of hosts) {
      expect(h.hostname).toBe(`ip-${h.privateIp.replace(/\./g, '-')}`);
      expect(h.sandboxRoot).toMatch(/^sandbox-root-[A-Za-z0-9]{6}$/);
      expect(h.hypervisorUuid).toMatch(/^ec2/);
    }
    const boots = hosts.map((h) => h.bootTime).sort((a, b) => a - b);
    for (let i = 1; i < boots.length; i++) expect(boots[i]! - boots[i - 1]!).toBeGreaterThanOrEqual(60);
    expect(new Set(hosts.map((h) => h.privateIp)).size).toBe(30);
    expect(instanceCgroupLines('sandbox-root', hosts[0]!, 'ab'.repeat(32))[0]).toBe(`10:pids:/${hosts[0]!.sandboxRoot}/sandbox-ababab`);
  });
  test('proc files have the layouts Linux prints', () => {
    const factory = new HostIdentityFactory(resolveProfile('azure-2018'), new Random(4));
    const host = factory.create({ index: 1, tenant: null, capacityMb: 7168, nowMs: Date.now(), slow: false, slowCpuFactor: 1 });
    expect(cpuinfo(host).match(/^processor\t: \d+$/gm)).toHaveLength(host.cpus);
    expect(cpuinfo(host)).toContain(`model name\t: ${host.cpuModel}`);
    expect(meminfo(host)).toMatch(new RegExp(`^MemTotal: +${host.memTotalMb * 1024} kB$`, 'm'));
    expect(statWithBootTime(1234)).toMatch(/^btime 1234$/m);
    expect(statWithBootTime(1234)).toMatch(/^cpu /m);
    const trie = fibTrie('10.1.2.3');
    expect(trie).toMatch(/\|-- 10\.1\.2\.3\n +\/32 host LOCAL/);
    expect(trie).toMatch(/\|-- 10\.1\.0\.0\n +\/20 link UNICAST/);
  });
});

describe('progress display', () => {
  const plan = planStudy(buildCatalogStudy('coldstart', { memoryMb: [128], runtimes: ['nodejs'], rounds: 2 }), { provider: 'local' });
  const burst = plan.steps.find((s) => s.kind === 'burst')!;
  const shard = { v: 1 as const, action: 'burst' as const, study: 'coldstart', run: 'r', step: burst.index, stepId: burst.id, shard: 0, key: 'k', requests: 2, attempts: 2, counts: { ok: 2, error: 0, throttled: 0, timeout: 0, skipped: 0 }, startedAt: 0, endedAt: 1 };

  test('on a terminal it redraws one line in place; notes get their own line', () => {
    let text = '';
    const display = new ProgressDisplay({ write: (t) => (text += t), isTty: true }, plan);
    display.onEvent({ kind: 'step', step: burst, startedAt: Date.now() });
    display.onEvent({ kind: 'shard', step: burst as never, summary: shard });
    display.note('something happened');
    display.stop();
    expect(text).toMatch(/^\r\x1b\[2Kcoldstart: step 2\/6 burst cold · 0\/8 records/);
    expect(text).toMatch(/\r\x1b\[2Kcoldstart: step 2\/6 burst cold · 2\/8 records \(2 ok\)/);
    expect(text).toContain('\r\x1b[2Ksomething happened\n');
    expect(text.endsWith('\r\x1b[2K')).toBe(true); // cleared for the summary
  });

  test('elsewhere it prints plain lines, at most one every few seconds', () => {
    const lines: string[] = [];
    const display = new ProgressDisplay({ write: (t) => lines.push(t), isTty: false }, plan);
    for (const step of plan.steps) display.onEvent({ kind: 'step', step, startedAt: Date.now() });
    display.onEvent({ kind: 'failure', failure: { step: 3, shard: 0, message: 'the driver died' } });
    display.stop();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^coldstart: step 1\/6 update/);
    expect(lines[1]).toBe('step 3 shard 0: the driver died\n');
    expect(lines.join('')).not.toMatch(/\x1b/);
  });
});
