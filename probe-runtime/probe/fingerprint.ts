/**
 * What the probe sees of its machine, outside an invocation: the host
 * fingerprint, the current CPU counters and the provider ids. Used by
 * `curtain fingerprint` and the probe benchmark; the same collectors as
 * ProbeResponse, so the command shows exactly what a probe would report.
 */
import { join } from 'node:path';
import type { HostFingerprint } from '../contracts/probe-wire';
import { collectProviderIds } from './collectors/environment';
import { collectHost } from './collectors/host';
import { parseCpuTimes, type CpuTimes } from './collectors/proc-stat';
import { resolveProbeConfig, type ProbeConfigOptions } from './probe-config';
import { readText } from './read-text';

export type Fingerprint = HostFingerprint & {
  /** The aggregate `cpu` line of <proc>/stat now (clock ticks since boot). */
  cpuTimes: CpuTimes | null;
  providerIds: Record<string, string>;
};

export function collectFingerprint(options: ProbeConfigOptions = {}): Fingerprint {
  const config = resolveProbeConfig(options);
  const stat = readText(join(config.procRoot, 'stat'));
  return { ...collectHost(config, stat), cpuTimes: parseCpuTimes(stat), providerIds: collectProviderIds(config.env) };
}
