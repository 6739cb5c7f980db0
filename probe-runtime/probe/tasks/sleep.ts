/** sleep: wait without using CPU; `oversleepMs` shows timer and scheduling delay. */
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { delay } from './barrier';
import { succeeded, type TaskOf } from './task-result';

export async function runSleep(task: TaskOf<'sleep'>): Promise<TaskResult> {
  const start = nowMs();
  await delay(task.ms);
  const sleptMs = nowMs() - start;
  return succeeded(task.name, { requestedMs: task.ms, sleptMs, oversleepMs: sleptMs - task.ms });
}
