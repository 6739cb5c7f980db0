/** cpu-work: a fixed number of work units (cpu-kernel.ts), timed; stops early at maxMs. */
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { workUnit } from './cpu-kernel';
import { succeeded, type TaskOf } from './task-result';

export function runCpuWork(task: TaskOf<'cpu-work'>): TaskResult {
  const start = nowMs();
  let checksum = 1;
  let unitsDone = 0;
  let now = start;
  while (unitsDone < task.units && now - start < task.maxMs) {
    checksum = workUnit(checksum);
    unitsDone += 1;
    now = nowMs();
  }
  const workMs = now - start;
  return succeeded(task.name, {
    units: task.units,
    unitsDone,
    workMs,
    msPerUnit: unitsDone > 0 ? workMs / unitsDone : null,
    completed: unitsDone === task.units,
    checksum,
  });
}
