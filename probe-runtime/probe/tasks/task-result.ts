/** Building TaskResults (contract 3): a task's measurements as a flat record of scalars. */
import type { TaskResult } from '../../contracts/probe-wire';
import type { Task, TaskName } from '../../contracts/task';
import { roundMs } from '../clock';

export type TaskValues = TaskResult['values'];
/** The validated parameters of one task kind. */
export type TaskOf<N extends TaskName> = Extract<Task, { name: N }>;

/** Round every non-integer number to microsecond precision (values are mostly ms). */
function tidy(values: TaskValues): TaskValues {
  const out: TaskValues = {};
  for (const [key, value] of Object.entries(values)) {
    out[key] = typeof value === 'number' && !Number.isInteger(value) ? roundMs(value) : value;
  }
  return out;
}

export function succeeded(name: string, values: TaskValues = {}): TaskResult {
  return { name, ok: true, error: null, values: tidy(values) };
}

export function failed(name: string, error: string, values: TaskValues = {}): TaskResult {
  return { name, ok: false, error, values: tidy(values) };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** MB of the task parameters are MiB (2^20 bytes). */
export const MIB = 1024 * 1024;

/** Throughput helper: `amount` per second over `ms`; 0 when no time passed (rather than Infinity). */
export function perSecond(amount: number, ms: number): number {
  return ms > 0 ? (amount * 1000) / ms : 0;
}
