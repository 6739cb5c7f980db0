/**
 * cpu-share (paper E7): a tight loop reading the clock. Whenever two consecutive
 * readings are further apart than the gap threshold, the instance was
 * descheduled (or throttled) for that long; the share is the fraction of wall
 * time the loop actually ran.
 */
import type { TaskResult } from '../../contracts/probe-wire';
import { succeeded, type TaskOf } from './task-result';

export function runCpuShare(task: TaskOf<'cpu-share'>): TaskResult {
  const thresholdMs = task.gapThresholdUs / 1000;
  const start = performance.now();
  const end = start + task.durationMs;
  let previous = start;
  let gaps = 0;
  let descheduledMs = 0;
  let longestGapMs = 0;
  let iterations = 0;
  for (;;) {
    const now = performance.now();
    const gap = now - previous;
    if (gap > thresholdMs) {
      gaps += 1;
      descheduledMs += gap;
      if (gap > longestGapMs) longestGapMs = gap;
    }
    previous = now;
    iterations += 1;
    if (now >= end) break;
  }
  const wallMs = previous - start;
  return succeeded(task.name, {
    share: wallMs > 0 ? (wallMs - descheduledMs) / wallMs : 1,
    wallMs,
    descheduledMs,
    gaps,
    longestGapMs,
    iterations,
    gapThresholdUs: task.gapThresholdUs,
  });
}
