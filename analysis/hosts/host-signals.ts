/**
 * The host-identifying signals in a probe's fingerprint, normalised.
 *
 * Strong signals name the (micro)VM directly when present: the `sandbox-root-XXXXXX`
 * cgroup root of 2018 Lambda (shared by all sandboxes of one VM), the Xen
 * hypervisor UUID and the DMI product UUID. Boot time (`btime`) identifies a
 * (micro)VM up to a second of jitter. Hostname and private IP identify a VM on
 * some platforms and an instance (or nothing) on others, so they are only used
 * where the run shows them to be host-level (see infer-hosts.ts).
 */
import type { HostFingerprint } from '../../probe-runtime/contracts/probe-wire';

export const STRONG_SIGNALS = ['sandbox-root', 'hypervisor-uuid', 'dmi-product-uuid'] as const;
export const WEAK_SIGNALS = ['hostname', 'private-ip'] as const;
export type IdSignal = (typeof STRONG_SIGNALS)[number] | (typeof WEAK_SIGNALS)[number];
export type HostSignal = IdSignal | 'boot-time';

const SANDBOX_ROOT = /\/(sandbox-root-[A-Za-z0-9]+)(\/|$)/;

/** The 2018 Lambda VM id from /proc/self/cgroup lines, if any line carries one. */
export function sandboxRoot(cgroup: readonly string[] | null): string | null {
  if (!cgroup) return null;
  for (const line of cgroup) {
    const match = SANDBOX_ROOT.exec(line);
    if (match) return match[1]!;
  }
  return null;
}

/** An all-zero or empty id is as good as none (some hypervisors report them). */
function usableId(value: string | null): string | null {
  if (!value) return null;
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || /^[0-]+$/.test(trimmed)) return null;
  return trimmed;
}

/** Loopback and link-local addresses are the same on every host: they identify nothing. */
function usableIp(value: string | null): string | null {
  if (!value || /^(127\.|169\.254\.|0\.)/.test(value)) return null;
  return value;
}

export function idSignal(fp: HostFingerprint, signal: IdSignal): string | null {
  switch (signal) {
    case 'sandbox-root':
      return sandboxRoot(fp.cgroup);
    case 'hypervisor-uuid':
      return usableId(fp.hypervisorUuid);
    case 'dmi-product-uuid':
      return usableId(fp.dmiProductUuid);
    case 'hostname':
      return fp.hostname && fp.hostname !== 'localhost' ? fp.hostname : null;
    case 'private-ip':
      return usableIp(fp.privateIp);
  }
}

/** Hardware and kernel: instances with different classes cannot share a host. */
export function hardwareClass(fp: HostFingerprint): string {
  return [fp.cpuModel ?? '?', fp.cpuCount ?? '?', fp.memTotalKb ?? '?', fp.kernel ?? '?'].join('|');
}

/**
 * True when every cgroup line puts the process at the root of its hierarchy
 * (`0::/`, `4:cpuset:/`): nothing else shares its kernel, i.e. one sandbox per
 * (micro)VM. Container platforms show a nested path (`/docker/<id>`) instead.
 */
export function atCgroupRoot(fp: HostFingerprint): boolean {
  if (!fp.cgroup || fp.cgroup.length === 0) return false;
  return fp.cgroup.every((line) => {
    const parts = line.split(':');
    return parts.length >= 3 && parts.slice(2).join(':') === '/';
  });
}
