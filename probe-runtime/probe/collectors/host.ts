/**
 * The host fingerprint (contract 3, HostFingerprint): every field read through
 * the configured proc and sys roots, each independently null when its source is
 * missing, unreadable or malformed.
 */
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { HostFingerprint } from '../../contracts/probe-wire';
import type { ProbeConfig } from '../probe-config';
import { cleanField, readText } from '../read-text';
import { parseCgroup } from './cgroup';
import { parseCpuInfo } from './cpuinfo';
import { parseMemTotalKb } from './meminfo';
import { collectPrivateIp } from './private-ip';
import { parseBootTime } from './proc-stat';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseUuid(text: string | null): string | null {
  const value = cleanField(text);
  return value !== null && UUID.test(value) ? value : null;
}

/**
 * Collect the fingerprint. `stat` may be passed in when the caller has just read
 * <proc>/stat for CPU times, so one invocation reads it once.
 */
export function collectHost(config: ProbeConfig, stat: string | null = readText(join(config.procRoot, 'stat'))): HostFingerprint {
  const proc = (path: string) => readText(join(config.procRoot, path));
  const sys = (path: string) => readText(join(config.sysRoot, path));
  const cpu = parseCpuInfo(proc('cpuinfo'));
  return {
    bootTime: parseBootTime(stat),
    cgroup: parseCgroup(proc('self/cgroup')),
    cpuModel: cpu.model,
    cpuCount: cpu.count,
    memTotalKb: parseMemTotalKb(proc('meminfo')),
    kernel: cleanField(proc('sys/kernel/osrelease')),
    // The OS's own name only for the real /proc: an emulated host without the
    // file has no hostname, rather than the machine's that all hosts would share.
    hostname: cleanField(proc('sys/kernel/hostname')) ?? (config.realProc ? cleanField(osHostname()) : null),
    privateIp: collectPrivateIp(proc('net/fib_trie'), config.realProc),
    hypervisorUuid: parseUuid(sys('hypervisor/uuid')),
    dmiProductUuid: parseUuid(sys('class/dmi/id/product_uuid')),
  };
}
