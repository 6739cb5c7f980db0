/**
 * io (paper E8): write N MB in blocks to a file under the instance's tmp dir
 * with synchronous writes (O_DSYNC: each block is on the disk before the next
 * is written), fdatasync at the end, and report the throughput including it.
 * That is what the paper's own dd did (`dd ... oflag=dsync conv=fdatasync`,
 * liangw89/faas_measure code/python/tests.py `ioload`, read 2026-12-06), and
 * synchronous writes are charged to the writer: the local platform's per-host
 * disk bandwidth (cgroup v1 blkio) sees them, where buffered writes would
 * reach the disk later through writeback. Blocks hold random bytes so no
 * filesystem can compress them away. The file is always removed; at maxMs the
 * write stops and the partial figure is reported with completed=false. Where
 * the platform has no O_DSYNC (Windows), every block is followed by an fsync.
 */
import type * as Crypto from 'node:crypto';
import { closeSync, constants, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
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
    const dsync = constants.O_DSYNC;
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (dsync ?? 0), 0o600);
    while (written < total && nowMs() - start < task.maxMs) {
      written += writeSync(fd, block, 0, Math.min(block.length, total - written));
      if (dsync === undefined) fsyncSync(fd);
    }
    const wroteAt = nowMs();
    fdatasyncSync(fd);
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
