/**
 * Per-host proc and sys trees, read by the probe through CURTAIN_PROC_ROOT and
 * CURTAIN_SYS_ROOT instead of /proc and /sys.
 *
 *   <work>/hosts/<host>/proc/{stat,uptime,cpuinfo,meminfo,sys/kernel/{osrelease,hostname},net/fib_trie}
 *   <work>/hosts/<host>/sys/{hypervisor/uuid,class/dmi/id/product_uuid}   (where the profile has them)
 *   <work>/instances/<instance>/proc/          symlinks to the host's entries, plus
 *   <work>/instances/<instance>/proc/self/cgroup   the instance's own cgroup lines
 *
 * `stat` carries the machine's real CPU counters (so the probe's CPU deltas are
 * real, at the refresh interval's resolution) with the host's own `btime`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostIdentity } from './host-identity';

/** Entries of a host's proc tree an instance's proc root links to. */
const HOST_PROC_ENTRIES = ['stat', 'uptime', 'cpuinfo', 'meminfo', 'sys', 'net'] as const;

export function hostDir(workDir: string, hostId: string): string {
  return path.join(workDir, 'hosts', hostId);
}

export function hostTreePaths(workDir: string, hostId: string): { procRoot: string; sysRoot: string } {
  const root = hostDir(workDir, hostId);
  return { procRoot: path.join(root, 'proc'), sysRoot: path.join(root, 'sys') };
}

export function instanceProcRoot(instanceDir: string): string {
  return path.join(instanceDir, 'proc');
}

export async function writeHostTree(workDir: string, host: HostIdentity, nowMs: number): Promise<{ procRoot: string; sysRoot: string }> {
  const { procRoot: proc, sysRoot: sys } = hostTreePaths(workDir, host.id);
  await mkdir(path.join(proc, 'sys', 'kernel'), { recursive: true });
  await mkdir(path.join(proc, 'net'), { recursive: true });
  await mkdir(sys, { recursive: true });
  await Promise.all([
    writeFile(path.join(proc, 'cpuinfo'), cpuinfo(host)),
    writeFile(path.join(proc, 'meminfo'), meminfo(host)),
    writeFile(path.join(proc, 'sys', 'kernel', 'osrelease'), `${host.kernel}\n`),
    writeFile(path.join(proc, 'sys', 'kernel', 'hostname'), `${host.hostname}\n`),
    writeFile(path.join(proc, 'net', 'fib_trie'), fibTrie(host.privateIp)),
    refreshHostClock(proc, host, nowMs),
  ]);
  if (host.hypervisorUuid) {
    await mkdir(path.join(sys, 'hypervisor'), { recursive: true });
    await writeFile(path.join(sys, 'hypervisor', 'uuid'), `${host.hypervisorUuid}\n`);
  }
  if (host.dmiProductUuid) {
    await mkdir(path.join(sys, 'class', 'dmi', 'id'), { recursive: true });
    await writeFile(path.join(sys, 'class', 'dmi', 'id', 'product_uuid'), `${host.dmiProductUuid}\n`);
  }
  return { procRoot: proc, sysRoot: sys };
}

/** An instance's proc root: the host's entries plus its own `self/cgroup`. */
export async function writeInstanceProcRoot(instanceDir: string, hostProcRoot: string, cgroupLines: string[]): Promise<string> {
  const proc = instanceProcRoot(instanceDir);
  await mkdir(path.join(proc, 'self'), { recursive: true });
  await Promise.all([
    ...HOST_PROC_ENTRIES.map((entry) => symlink(path.join(hostProcRoot, entry), path.join(proc, entry))),
    writeFile(path.join(proc, 'self', 'cgroup'), `${cgroupLines.join('\n')}\n`),
  ]);
  return proc;
}

/** Rewrites `stat` (real CPU counters, the host's btime) and `uptime`; atomic so a probe never reads half a file. */
export async function refreshHostClock(procRoot: string, host: HostIdentity, nowMs: number): Promise<void> {
  const uptime = Math.max(0, nowMs / 1000 - host.bootTime);
  await Promise.all([
    atomicWrite(path.join(procRoot, 'stat'), statWithBootTime(host.bootTime)),
    atomicWrite(path.join(procRoot, 'uptime'), `${uptime.toFixed(2)} ${(uptime * host.cpus * 0.9).toFixed(2)}\n`),
  ]);
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** The machine's /proc/stat with `btime` replaced; a synthetic one where /proc is not Linux's. */
export function statWithBootTime(bootTime: number): string {
  let real = '';
  try {
    real = existsSync('/proc/stat') ? readFileSync('/proc/stat', 'utf8') : '';
  } catch {
    real = '';
  }
  if (!/^cpu /m.test(real)) real = 'cpu  0 0 0 0 0 0 0 0 0 0\nctxt 0\nbtime 0\nprocesses 0\nprocs_running 1\nprocs_blocked 0\n';
  return /^btime \d+$/m.test(real) ? real.replace(/^btime \d+$/m, `btime ${bootTime}`) : `${real.trimEnd()}\nbtime ${bootTime}\n`;
}

export function cpuinfo(host: HostIdentity): string {
  const amd = /AMD|EPYC|Opteron/i.test(host.cpuModel);
  const mhz = /@ ?([0-9.]+)GHz/.exec(host.cpuModel);
  const speed = mhz ? (Number(mhz[1]) * 1000).toFixed(3) : '2500.000';
  const blocks: string[] = [];
  for (let i = 0; i < host.cpus; i++) {
    blocks.push(
      [
        `processor\t: ${i}`,
        `vendor_id\t: ${amd ? 'AuthenticAMD' : 'GenuineIntel'}`,
        `cpu family\t: ${amd ? 16 : 6}`,
        `model\t\t: ${amd ? 9 : 63}`,
        `model name\t: ${host.cpuModel}`,
        'stepping\t: 2',
        `cpu MHz\t\t: ${speed}`,
        'cache size\t: 25600 KB',
        'physical id\t: 0',
        `siblings\t: ${host.cpus}`,
        `core id\t\t: ${i}`,
        `cpu cores\t: ${host.cpus}`,
        `apicid\t\t: ${i * 2}`,
        'fpu\t\t: yes',
        'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl pni ssse3 cx16 sse4_1 sse4_2 x2apic popcnt aes xsave avx hypervisor',
        `bogomips\t: ${(Number(speed) * 2).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  }
  return `${blocks.join('\n')}\n`;
}

export function meminfo(host: HostIdentity): string {
  const totalKb = host.memTotalMb * 1024;
  const lines: [string, number][] = [
    ['MemTotal', totalKb],
    ['MemFree', Math.round(totalKb * 0.6)],
    ['MemAvailable', Math.round(totalKb * 0.8)],
    ['Buffers', 20_480],
    ['Cached', Math.round(totalKb * 0.15)],
    ['SwapCached', 0],
    ['SwapTotal', 0],
    ['SwapFree', 0],
  ];
  return `${lines.map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB`).join('\n')}\n`;
}

/** A /proc/net/fib_trie with loopback and the host's address on a /20 (the layout Linux prints). */
export function fibTrie(ip: string): string {
  const octets = ip.split('.').map(Number);
  const base = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = (0xffffffff << 12) >>> 0;
  const net = (base & mask) >>> 0;
  const broadcast = (net | ~mask) >>> 0;
  const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const table = [
    '  +-- 0.0.0.0/0 3 0 5',
    '     |-- 0.0.0.0',
    '        /0 universe UNICAST',
    '     +-- 127.0.0.0/8 2 0 2',
    '        +-- 127.0.0.0/31 1 0 0',
    '           |-- 127.0.0.0',
    '              /8 host LOCAL',
    '           |-- 127.0.0.1',
    '              /32 host LOCAL',
    '        |-- 127.255.255.255',
    '           /32 link BROADCAST',
    `     +-- ${dotted(net)}/20 2 0 2`,
    `        |-- ${dotted(net)}`,
    '           /20 link UNICAST',
    `        |-- ${ip}`,
    '           /32 host LOCAL',
    `        |-- ${dotted(broadcast)}`,
    '           /32 link BROADCAST',
  ].join('\n');
  return `Main:\n${table}\nLocal:\n${table}\n`;
}
