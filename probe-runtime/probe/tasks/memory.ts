/**
 * memory: allocate N MB and touch every page, so the platform really has to
 * provide it (an untouched allocation costs nothing). Allocated in 64 MB chunks
 * (a single Buffer is limited to 4 GB) and stopped, completed=false, when the
 * task's duration bound (contracts/task.ts: max(100 ms, 1 ms per MB)) is hit.
 * An allocation the instance cannot satisfy is a failed task, not a crash.
 */
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { errorText, failed, MIB, perSecond, succeeded, type TaskOf } from './task-result';

const CHUNK_MB = 64;
const PAGE = 4096;

export function memoryBoundMs(megabytes: number): number {
  return Math.max(100, megabytes);
}

export function runMemory(task: TaskOf<'memory'>): TaskResult {
  const boundMs = memoryBoundMs(task.megabytes);
  const start = nowMs();
  const chunks: Buffer[] = [];
  let touchedMb = 0;
  try {
    while (touchedMb < task.megabytes && nowMs() - start < boundMs) {
      const mb = Math.min(CHUNK_MB, task.megabytes - touchedMb);
      const chunk = Buffer.allocUnsafeSlow(mb * MIB);
      chunks.push(chunk);
      for (let offset = 0; offset < chunk.length; offset += PAGE) chunk[offset] = 1;
      touchedMb += mb;
    }
  } catch (error) {
    return failed(task.name, `memory: ${errorText(error)}`, { megabytes: task.megabytes, touchedMb });
  }
  const totalMs = nowMs() - start;
  chunks.length = 0; // release before responding
  return succeeded(task.name, {
    megabytes: task.megabytes,
    touchedMb,
    totalMs,
    mbPerSec: perSecond(touchedMb, totalMs),
    completed: touchedMb === task.megabytes,
  });
}
