/**
 * background (paper E10, resource accounting): CPU work that keeps going after
 * the handler has returned. It runs in chunks of about CHUNK_MS, yielding to
 * the event loop between chunks so the instance still serves its next request.
 * Whether it progresses at all after the response depends on the platform:
 * Lambda freezes the sandbox, others may let it run unbilled, which is what the
 * study measures. The next invocation of the same instance reports a snapshot
 * (ProbeResponse.backgroundWork) taken when that request arrived.
 */
import type { BackgroundReport, TaskResult } from '../../contracts/probe-wire';
import { nowMs, roundMs } from '../clock';
import { workUnit } from './cpu-kernel';
import { succeeded, type TaskOf } from './task-result';

export const CHUNK_MS = 5;

/**
 * A gap between two work units longer than this is time the instance did not
 * run (frozen by the platform, throttled, descheduled), not work: one unit takes
 * well under a millisecond. Counting wall time instead would report a whole
 * SIGSTOP freeze as work done, the opposite of what E10 measures.
 */
export const STALL_MS = 10;

/**
 * A stall at least this long (longer than a CFS throttling period) is recorded as the
 * work's latest pause (BackgroundReport.lastPause): a freeze, or a long descheduling.
 * Shorter stalls would overwrite a freeze whenever the loaded machine hiccups.
 */
export const PAUSE_MS = 100;

export interface BackgroundWorker {
  /** Start work for `durationMs` (replacing any still running); the task result of the starting invocation. */
  start(task: TaskOf<'background'>, invocation: number): TaskResult;
  /** The latest background work's state, or null if none was ever started. */
  report(): BackgroundReport | null;
  /** Stop any running work (tests, shutdown). */
  stop(): void;
}

interface Run {
  startedInvocation: number;
  startedAt: number;
  durationMs: number;
  unitsDone: number;
  workMs: number;
  lastProgressAt: number | null;
  running: boolean;
  checksum: number;
  /** The most recent stall (see BackgroundReport.lastPause). */
  lastPause: { at: number; resumedAt: number; workMsBefore: number } | null;
}

export function createBackgroundWorker(): BackgroundWorker {
  let run: Run | null = null;

  function chunk(current: Run): void {
    if (run !== current || !current.running) return;
    const chunkStart = nowMs();
    const deadline = current.startedAt + current.durationMs;
    // The time between chunks is a stall too when the instance was frozen while it waited to run.
    if (current.lastProgressAt !== null && chunkStart - current.lastProgressAt >= PAUSE_MS) {
      current.lastPause = { at: current.lastProgressAt, resumedAt: chunkStart, workMsBefore: current.workMs };
    }
    let now = chunkStart;
    while (now - chunkStart < CHUNK_MS && now < deadline) {
      current.checksum = workUnit(current.checksum);
      current.unitsDone += 1;
      const before = now;
      current.lastProgressAt = now = nowMs();
      if (now - before < STALL_MS) current.workMs += now - before;
      else if (now - before >= PAUSE_MS) current.lastPause = { at: before, resumedAt: now, workMsBefore: current.workMs };
    }
    if (now >= deadline) current.running = false;
    // Not unref'd: Node runs unref'd immediates only when something else wakes the
    // loop, which would starve the work whenever the instance is otherwise idle.
    else setImmediate(chunk, current);
  }

  return {
    start(task, invocation) {
      const startedAt = nowMs();
      run = {
        startedInvocation: invocation,
        startedAt,
        durationMs: task.durationMs,
        unitsDone: 0,
        workMs: 0,
        lastProgressAt: null,
        running: true,
        checksum: 1,
        lastPause: null,
      };
      setImmediate(chunk, run);
      return succeeded(task.name, { durationMs: task.durationMs, chunkMs: CHUNK_MS, startedAt });
    },
    report() {
      if (!run) return null;
      return {
        startedInvocation: run.startedInvocation,
        startedAt: roundMs(run.startedAt),
        durationMs: run.durationMs,
        unitsDone: run.unitsDone,
        workMs: roundMs(run.workMs),
        lastProgressAt: run.lastProgressAt === null ? null : roundMs(run.lastProgressAt),
        running: run.running,
        lastPause: run.lastPause && { at: roundMs(run.lastPause.at), resumedAt: roundMs(run.lastPause.resumedAt), workMsBefore: roundMs(run.lastPause.workMsBefore) },
      };
    },
    stop() {
      if (run) run.running = false;
    },
  };
}
