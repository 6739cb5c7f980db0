import { readdirSync } from 'node:fs';
import path from 'node:path';
import { collectGeneration, collectMemoryMb, collectProviderIds } from '../../../probe-runtime/probe/collectors/environment';
import { collectHost, parseUuid } from '../../../probe-runtime/probe/collectors/host';
import { createInstanceTracker, randomInstanceId, TMP_MARKER_FILE } from '../../../probe-runtime/probe/collectors/identity';
import { parseCgroup } from '../../../probe-runtime/probe/collectors/cgroup';
import { parseCpuInfo } from '../../../probe-runtime/probe/collectors/cpuinfo';
import { parseMemTotalKb } from '../../../probe-runtime/probe/collectors/meminfo';
import { parseFibTrieLocalAddresses, pickPrivateIpv4 } from '../../../probe-runtime/probe/collectors/private-ip';
import { diffCpuTimes, parseBootTime, parseCpuTimes } from '../../../probe-runtime/probe/collectors/proc-stat';
import { collectFingerprint } from '../../../probe-runtime/probe/fingerprint';
import { resolveProbeConfig } from '../../../probe-runtime/probe/probe-config';
import { cleanField } from '../../../probe-runtime/probe/read-text';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations';
import { cleanEnv, FIXTURES, fixtureRoots, tempDir } from './helpers';
import { existsSync, readFileSync } from 'node:fs';

describe('host fingerprint on the fixture trees', () => {
  test('every fixture tree has expectations', () => {
    expect(readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()).toEqual(
      Object.keys(FIXTURE_EXPECTATIONS).sort(),
    );
  });

  test.each(Object.entries(FIXTURE_EXPECTATIONS))('%s: every collector reads what the files say', (name, expected) => {
    const config = resolveProbeConfig({ ...fixtureRoots(name), env: cleanEnv() });
    expect(config.realProc).toBe(false);
    expect(collectHost(config)).toEqual(expected.host);
    const fingerprint = collectFingerprint({ ...fixtureRoots(name), env: cleanEnv() });
    expect(fingerprint.cpuTimes).toEqual(expected.cpuTimes);
    expect(fingerprint.providerIds).toEqual({});
  });

  test('a root that does not exist yields nulls, not exceptions', () => {
    const config = resolveProbeConfig({ procRoot: '/nonexistent/proc', sysRoot: '/nonexistent/sys', env: cleanEnv() });
    expect(Object.values(collectHost(config)).every((v) => v === null)).toBe(true);
  });

  test('roots come from CURTAIN_PROC_ROOT / CURTAIN_SYS_ROOT / CURTAIN_TMP_DIR, explicit options win', () => {
    const { procRoot, sysRoot } = fixtureRoots('arm64');
    const env = cleanEnv({ CURTAIN_PROC_ROOT: procRoot, CURTAIN_SYS_ROOT: sysRoot, CURTAIN_TMP_DIR: '/tmp/x' });
    expect(resolveProbeConfig({ env })).toMatchObject({ procRoot, sysRoot, tmpDir: '/tmp/x', realProc: false });
    expect(resolveProbeConfig({ env, procRoot: '/proc' })).toMatchObject({ procRoot: '/proc', realProc: true });
    expect(resolveProbeConfig({ env: cleanEnv() })).toMatchObject({ procRoot: '/proc', sysRoot: '/sys', realProc: true });
    expect(collectHost(resolveProbeConfig({ env })).cpuModel).toBe('ARM Neoverse-N1 r3p1');
  });

  test('on the real /proc the OS fallbacks fill hostname and private IP when the kernel files lack them', () => {
    const host = collectHost(resolveProbeConfig({ procRoot: '/proc', env: cleanEnv() }));
    // This machine has /proc/sys/kernel/hostname; what the probe reports must be it.
    if (existsSync('/proc/sys/kernel/hostname')) expect(host.hostname).toBe(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    expect(host.cpuCount).toBeGreaterThanOrEqual(1);
    expect(host.bootTime).toBeGreaterThan(1_000_000_000);
  });
});

describe('cpuinfo', () => {
  const arm = (implementer: string, part: string, extra = 'CPU variant\t: 0x1\nCPU revision\t: 2\n') =>
    `processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: ${implementer}\nCPU architecture: 8\n${extra}CPU part\t: ${part}\n\n`;

  test('arm64 cores are named from implementer and part', () => {
    expect(parseCpuInfo(arm('0x41', '0xd40'))).toEqual({ model: 'ARM Neoverse-V1 r1p2', count: 1 });
    expect(parseCpuInfo(arm('0x41', '0xD4F')).model).toBe('ARM Neoverse-V2 r1p2');
    expect(parseCpuInfo(arm('0xc0', '0xac3')).model).toBe('Ampere Ampere-1 r1p2');
  });

  test('unknown codes stay readable; missing variant/revision omit the suffix', () => {
    expect(parseCpuInfo(arm('0x41', '0xd99')).model).toBe('ARM part 0xd99 r1p2');
    expect(parseCpuInfo(arm('0x99', '0x123', '')).model).toBe('implementer 0x99 part 0x123');
  });

  test('the first processor block names a heterogeneous (big.LITTLE) CPU', () => {
    expect(parseCpuInfo(arm('0x41', '0xd03') + arm('0x41', '0xd0b').replace('processor\t: 0', 'processor\t: 1'))).toEqual({
      model: 'ARM Cortex-A53 r1p2',
      count: 2,
    });
  });

  test('board fields are the fallback: Model before Hardware', () => {
    const board = 'processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n';
    expect(parseCpuInfo(board)).toEqual({ model: 'Raspberry Pi 4 Model B Rev 1.4', count: 1 });
    expect(parseCpuInfo('processor\t: 0\n\nHardware\t: BCM2835\n')).toEqual({ model: 'BCM2835', count: 1 });
  });

  test('32-bit ARM model name wins over MIDR fields', () => {
    expect(parseCpuInfo(`processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nCPU implementer\t: 0x41\nCPU part\t: 0xd03\n`).model).toBe(
      'ARMv7 Processor rev 4 (v7l)',
    );
  });

  test('no processor entries: count null', () => {
    expect(parseCpuInfo('model name : X\n')).toEqual({ model: 'X', count: null });
    expect(parseCpuInfo(null)).toEqual({ model: null, count: null });
  });
});

describe('proc/stat, meminfo, cgroup, uuids and text fields', () => {
  test('btime must be a positive integer', () => {
    expect(parseBootTime('cpu 1\nbtime 1700000000\n')).toBe(1700000000);
    expect(parseBootTime('btime 0\n')).toBeNull();
    expect(parseBootTime('btime 17e8\n')).toBeNull();
    expect(parseBootTime(null)).toBeNull();
  });

  test('the cpu line needs all eight counters up to steal', () => {
    expect(parseCpuTimes('cpu  1 2 3 4 5 6 7\n')).toBeNull();
    expect(parseCpuTimes('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    const before = parseCpuTimes('cpu  1 2 3 4 5 6 7 8 9 10\n');
    const after = parseCpuTimes('cpu  2 2 5 10 5 6 7 11\n');
    expect(diffCpuTimes(before, after)).toEqual({ user: 1, nice: 0, system: 2, idle: 6, iowait: 0, irq: 0, softirq: 0, steal: 3 });
    expect(diffCpuTimes(before, null)).toBeNull();
  });

  test('MemTotal in kB only', () => {
    expect(parseMemTotalKb('MemFree: 1 kB\nMemTotal:  2048 kB\n')).toBe(2048);
    expect(parseMemTotalKb('MemTotal: 2048 MB\n')).toBeNull();
  });

  test('cgroup lines verbatim; any malformed line makes the file malformed', () => {
    expect(parseCgroup('0::/\n')).toEqual(['0::/']);
    expect(parseCgroup('1:cpu:/a\nnonsense\n')).toBeNull();
    expect(parseCgroup('\n\n')).toBeNull();
    expect(parseCgroup('1:cpu:/a\r\n')).toBeNull();
  });

  test('uuids must look like uuids', () => {
    expect(parseUuid('EC2E1916-9099-7CAF-FD21-012345ABCDEF\n')).toBe('EC2E1916-9099-7CAF-FD21-012345ABCDEF');
    expect(parseUuid('ec2e1916-9099-7caf-fd21')).toBeNull();
  });

  test('text fields are single printable lines of sane length', () => {
    expect(cleanField('  5.10.0 \n')).toBe('5.10.0');
    expect(cleanField('a\u0007b')).toBeNull();
    expect(cleanField('x'.repeat(257))).toBeNull();
    expect(cleanField('\ufffd')).toBeNull();
    expect(cleanField('')).toBeNull();
  });
});

describe('private IPv4', () => {
  const trie = readFileSync(path.join(fixtureRoots('docker-v1').procRoot, 'net/fib_trie'), 'utf8');

  test('the LOCAL /32 entries of both tables, deduplicated, in trie order', () => {
    expect(parseFibTrieLocalAddresses(trie)).toEqual(['127.0.0.1', '169.254.1.7', '172.17.0.2']);
  });

  test('loopback never counts; ordinary addresses are preferred over link-local', () => {
    expect(pickPrivateIpv4(['127.0.0.1', '169.254.1.7', '172.17.0.2'])).toBe('172.17.0.2');
    expect(pickPrivateIpv4(['127.0.0.1', '169.254.1.7'])).toBe('169.254.1.7');
    expect(pickPrivateIpv4(['127.0.0.1'])).toBeNull();
    expect(pickPrivateIpv4(['300.1.1.1'])).toBeNull();
  });

  test('a /32 LOCAL line belongs only to the leaf just above it', () => {
    expect(parseFibTrieLocalAddresses('Main:\n  +-- 10.0.0.0/8 1 0 0\n     /32 host LOCAL\n')).toEqual([]);
  });
});

describe('environment', () => {
  test('provider ids: only known variables that are set and non-empty', () => {
    const env = cleanEnv({
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]abc',
      WEBSITE_INSTANCE_ID: 'f00',
      K_REVISION: 'probe-00002-xyz',
      CURTAIN_LOCAL_INSTANCE_ID: 'i-3',
      CONTAINER_NAME: '',
      SECRET_TOKEN: 'never copied',
    });
    expect(collectProviderIds(env)).toEqual({
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]abc',
      WEBSITE_INSTANCE_ID: 'f00',
      K_REVISION: 'probe-00002-xyz',
      CURTAIN_LOCAL_INSTANCE_ID: 'i-3',
    });
  });

  test('memory: the provider setting first, malformed values skipped', () => {
    expect(collectMemoryMb({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769', CURTAIN_MEMORY_MB: '128' })).toBe(1769);
    expect(collectMemoryMb({ WEBSITE_MEMORY_LIMIT_MB: 'lots', CURTAIN_MEMORY_MB: '256' })).toBe(256);
    expect(collectMemoryMb({ CURTAIN_MEMORY_MB: '0' })).toBeNull();
    expect(collectMemoryMb({})).toBeNull();
  });

  test('generation', () => {
    expect(collectGeneration({ CURTAIN_GENERATION: 'g3' })).toBe('g3');
    expect(collectGeneration({ CURTAIN_GENERATION: '' })).toBeNull();
  });
});

describe('instance identity', () => {
  test('cold on the first invocation only; a second life in the same tmp finds the marker', () => {
    const tmp = tempDir();
    try {
      const first = createInstanceTracker(tmp.dir);
      expect(existsSync(path.join(tmp.dir, TMP_MARKER_FILE))).toBe(true);
      expect(first.next()).toMatchObject({ id: first.id, invocation: 1, cold: true, tmpMarkerFound: false });
      expect(first.next()).toMatchObject({ invocation: 2, cold: false, tmpMarkerFound: false });
      const second = createInstanceTracker(tmp.dir);
      expect(second.id).not.toBe(first.id);
      expect(second.next()).toMatchObject({ invocation: 1, cold: true, tmpMarkerFound: true });
    } finally {
      tmp.cleanup();
    }
  });

  test('instance ids are version-4 UUIDs and do not repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => randomInstanceId());
    for (const id of ids.slice(0, 200)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('an unusable tmp dir does not stop the probe', () => {
    const tracker = createInstanceTracker('/nonexistent/tmp/dir');
    expect(tracker.next()).toMatchObject({ invocation: 1, cold: true, tmpMarkerFound: false });
  });
});
