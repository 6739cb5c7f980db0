/**
 * Reading task measurements (TaskResult.values). The keys are the ones the probe
 * emits (probe-runtime/probe/tasks/*.ts, documented in docs/probe.md); a missing
 * or non-numeric value is reported by the analysis as not measurable, never a crash.
 */
import type { TaskResult } from '../../probe-runtime/contracts/probe-wire';

export function numericValue(values: TaskResult['values'], key: string): number | null {
  const value = values[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
