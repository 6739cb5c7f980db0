/**
 * <proc>/stat: `btime` (the (micro)VM's boot time, the best VM id since Lambda
 * moved to Firecracker) and the aggregate `cpu` line, whose deltas across an
 * invocation show where CPU time went, including steal (SAAF's approach).
 */

export const CPU_TIME_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuTimes = Record<(typeof CPU_TIME_FIELDS)[number], number>;

/** Epoch seconds of `btime`, or null when absent or malformed. */
export function parseBootTime(stat: string | null): number | null {
  const match = stat && /^btime[ \t]+(\d{1,15})[ \t]*$/m.exec(stat);
  if (!match) return null;
  const value = Number(match[1]);
  return value > 0 ? value : null;
}

/**
 * The first eight counters of the aggregate `cpu` line, in clock ticks. Kernels
 * older than 2.6.11 have no steal column: such a line is reported as null rather
 * than pretending steal was zero.
 */
export function parseCpuTimes(stat: string | null): CpuTimes | null {
  const match = stat && /^cpu[ \t]+([^\n]*)$/m.exec(stat);
  if (!match) return null;
  const columns = match[1]!.replace(/^[ \t]+|[ \t]+$/g, '').split(/[ \t]+/);
  if (columns.length < CPU_TIME_FIELDS.length) return null;
  const times = {} as CpuTimes;
  for (let i = 0; i < CPU_TIME_FIELDS.length; i++) {
    if (!/^\d{1,15}$/.test(columns[i]!)) return null;
    times[CPU_TIME_FIELDS[i]!] = Number(columns[i]);
  }
  return times;
}

/** after - before per counter; null when either reading is missing. */
export function diffCpuTimes(before: CpuTimes | null, after: CpuTimes | null): CpuTimes | null {
  if (!before || !after) return null;
  const delta = {} as CpuTimes;
  for (const field of CPU_TIME_FIELDS) delta[field] = after[field] - before[field];
  return delta;
}
