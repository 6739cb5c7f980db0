import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { collectFingerprint } from '../../probe-runtime/probe/fingerprint';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, validateOptions } from '../options';

const usage = `Usage: curtain fingerprint [--proc-root DIR] [--sys-root DIR] [--json]

Shows what the probe sees of a host: boot time (btime), cgroup lines, CPU model and count, memory,
kernel, hostname, private IPv4, hypervisor and DMI uuids, the CPU counters of <proc>/stat and the
provider ids in the environment. Every field is read exactly as a probe reads it; a field whose
source is missing or malformed is null.
  --proc-root DIR   read this proc tree instead of /proc (default: $CURTAIN_PROC_ROOT or /proc)
  --sys-root DIR    read this sys tree instead of /sys (default: $CURTAIN_SYS_ROOT or /sys)
  --json            print one JSON object with the contract's field names`;

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

const directory = z.string().min(1).refine(isDirectory, 'no such directory').optional();

const Options = z.object({
  'proc-root': directory,
  'sys-root': directory,
  json: z.boolean().default(false),
});

function show(value: unknown): string {
  if (value === null) return '(unavailable)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const fingerprintCommand: Command = {
  name: 'fingerprint',
  summary: 'show what the probe sees of this machine or of a given proc tree',
  usage,
  async run(args, io) {
    const parsed = parseCommandArgs('fingerprint', args, { 'proc-root': { type: 'string' }, 'sys-root': { type: 'string' }, json: { type: 'boolean' } }, usage);
    if (parsed.positionals.length > 0) throw new CliError(`curtain fingerprint: unexpected argument "${parsed.positionals[0]}"\n\n${usage}`);
    const options = validateOptions('fingerprint', Options, parsed.values);
    const resolveDir = (dir: string | undefined) => (dir === undefined ? undefined : path.resolve(io.cwd, dir));
    const fingerprint = collectFingerprint({ procRoot: resolveDir(options['proc-root']), sysRoot: resolveDir(options['sys-root']) });
    if (options.json) {
      io.out(JSON.stringify(fingerprint, null, 2));
      return 0;
    }
    const { cgroup, cpuTimes, providerIds, ...fields } = fingerprint;
    const width = Math.max(...Object.keys(fields).map((k) => k.length), 'providerIds'.length);
    for (const [key, value] of Object.entries(fields)) {
      const extra = key === 'bootTime' && typeof value === 'number' ? ` (${new Date(value * 1000).toISOString()})` : '';
      io.out(`${key.padEnd(width)}  ${show(value)}${extra}`);
    }
    io.out(`${'cgroup'.padEnd(width)}  ${cgroup === null ? '(unavailable)' : cgroup.join('\n'.padEnd(width + 3))}`);
    io.out(`${'cpuTimes'.padEnd(width)}  ${cpuTimes === null ? '(unavailable)' : Object.entries(cpuTimes).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    const ids = Object.entries(providerIds);
    io.out(`${'providerIds'.padEnd(width)}  ${ids.length === 0 ? '(none)' : ids.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    return 0;
  },
};
