/** Runs one validated task; an unexpected exception becomes a failed TaskResult, never a crash. */
import type { TaskResult } from '../../contracts/probe-wire';
import type { Task } from '../../contracts/task';
import type { BackgroundWorker } from './background';
import { runCovertChannel } from './covert-channel';
import { runCpuShare } from './cpu-share';
import { runCpuWork } from './cpu-work';
import { runIo } from './io';
import { runMemory } from './memory';
import { runNet } from './net';
import { runSleep } from './sleep';
import { errorText, failed, succeeded } from './task-result';

export interface TaskContext {
  tmpDir: string;
  background: BackgroundWorker;
  invocation: number;
  /** The request's barrier (epoch ms) and its index in the burst: the covert channel's clock and frame. */
  barrierAt: number | null;
  request: number;
}

function dispatch(task: Task, context: TaskContext): TaskResult | Promise<TaskResult> {
  switch (task.name) {
    case 'noop':
      return succeeded(task.name);
    case 'sleep':
      return runSleep(task);
    case 'cpu-share':
      return runCpuShare(task);
    case 'cpu-work':
      return runCpuWork(task);
    case 'io':
      return runIo(task, context.tmpDir);
    case 'net':
      return runNet(task);
    case 'memory':
      return runMemory(task);
    case 'background':
      return context.background.start(task, context.invocation);
    case 'covert-channel':
      return runCovertChannel(task, context);
  }
}

export async function runTask(task: Task, context: TaskContext): Promise<TaskResult> {
  try {
    return await dispatch(task, context);
  } catch (error) {
    return failed(task.name, `${task.name}: ${errorText(error)}`);
  }
}
