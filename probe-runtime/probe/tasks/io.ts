/**
 * io (paper E8, which used dd with fsync): write N MB in blocks to a file under
 * the instance's tmp dir, fsync it, and report the throughput including the
 * fsync. Blocks hold random bytes so no filesystem can compress them away. The
 * file is always removed; at maxMs the write stops and the partial figure is
 * reported with completed=false.
 */
import type * as Crypto from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { errorText, failed, MIB, perSecond, succeeded, type TaskOf } from './task-result';

export function runIo(task: TaskOf<'io'>, tmpDir: string): TaskResult {
  const file = join(tmpDir, `curtain-io-${process.pid}-${Date.now()}.tmp`);
  const total = task.megabytes * MIB;
  // node:crypto is loaded on first use: the local probe's start-up stays lean.
  const { randomFillSync } = require('node:crypto') as typeof Crypto;
  const block = randomFillSync(Buffer.allocUnsafe(Math.min(task.blockKb * 1024, total)));
  const start = nowMs();
  let written = 0;
  let fd: number | null = null;
  try {
    fd = openSync(file, 'w');
    while (written < total && nowMs() - start < task.maxMs) {
      written += writeSync(fd, block, 0, Math.min(block.length, total - written));
    }
    const wroteAt = nowMs();
    fsyncSync(fd);
    const end = nowMs();
    const totalMs = end - start;
    return succeeded(task.name, {
      megabytes: task.megabytes,
      blockKb: task.blockKb,
      bytesWritten: written,
      writeMs: wroteAt - start,
      fsyncMs: end - wroteAt,
      totalMs,
      mbPerSec: perSecond(written / MIB, totalMs),
      completed: written === total,
    });
  } catch (error) {
    return failed(task.name, `io: ${errorText(error)}`, { bytesWritten: written });
  } finally {
    if (fd !== null) closeSync(fd);
    rmSync(file, { force: true });
  }
}
