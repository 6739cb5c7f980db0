/**
 * covert-channel: the paper confirmed that instances it had judged co-resident
 * from fingerprints really shared a machine with a contention covert channel
 * (Varadarajan et al., USENIX Security 2015: a sender makes a shared resource
 * slow in a known pattern; a receiver sees its own accesses slow down in that
 * pattern only if it shares the resource). This is a disk channel, which works
 * from any runtime without native code: the memory-bus channel of the paper
 * needs locked atomic instructions JavaScript and Python cannot issue.
 *
 * Time after the barrier is cut into `frames` frames of `bits` slots of `bitMs`.
 * Every instance takes both roles: in frame f the instance answering request f
 * of the burst is the sender, every other instance a receiver.
 * - The sender spends its disk's I/O operations: 4 KB direct writes (O_DIRECT)
 *   as fast as it can, in the first half of each slot where its frame's pattern
 *   (contracts/covert-pattern.ts) has a 1, and nothing otherwise. Only half: a
 *   throttled disk stays stalled for a while after the last write (Linux settles
 *   block-I/O budgets per 100 ms slice), and that stall must end in the slot.
 * - A receiver makes one 4 KB direct write every 40 ms and keeps, per slot, the
 *   fraction of the slot its writes were held up (a write held across a slot
 *   boundary counts in both). Sharing the disk's operations with the sender, it
 *   is held up in the 1-slots. It reports those fractions (`heldUp`, percent per
 *   slot) and its own blind decode (`decoded`): the slots it was held up most are
 *   the ones (the pattern is balanced, so no calibration is needed). The analysis,
 *   which knows the patterns, tests the fractions against chance and counts the
 *   decode's bit errors.
 * Direct rather than synchronous writes: a synchronous write waits for the
 * disk's cache flush, whose latency all tenants of a machine share (1-4 ms on
 * the development machine under load), which drowns the signal; a direct write
 * skips the page cache without a flush (~0.06 ms there) and still goes through
 * the writer's own block-I/O accounting. O_DIRECT wants a buffer aligned to the
 * disk's block size, which JavaScript cannot ask for: the task finds an aligned
 * offset in its buffer by trial (a misaligned write fails at once with EINVAL).
 * Where the filesystem refuses O_DIRECT (tmpfs) it falls back to synchronous
 * writes and says so (`mode`). Measured with 8 instances on 2 emulated hosts of
 * aws-2018 (2026-12, a load of 16 on two cores): 0-4 bit errors of 16 between
 * co-residents, which were held up 20-55 % more of the 1-slots than of the
 * others; 4-12 errors across hosts, held up at most 5 % more.
 *
 * Slots are computed from the absolute barrier time, so every instance agrees
 * on them; frames that would end more than MAX_TASK_MS after the barrier are not
 * run, and frames that had ended before the instance started are reported
 * unheard ('-'). The file is always removed.
 */
import type * as Crypto from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { covertPattern, patternText } from '../../contracts/covert-pattern';
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { MAX_TASK_MS } from '../validation/probe-request';
import { delay } from './barrier';
import { errorText, failed, succeeded, type TaskOf } from './task-result';

/** Every write is one 4 KB block: the sender spends the disk's operations, not its bandwidth. */
const BLOCK_BYTES = 4096;
/** The sender writes on through a region this large, then starts over (the file never grows past it). */
const SEND_REGION_BYTES = 8 * 1024 * 1024;
/** The part of a 1-slot the sender writes in. */
const SEND_DUTY = 0.35;
/** A receiver writes this often: 25 operations a second, a small share of any host's disk. */
const PROBE_INTERVAL_MS = 40;
/** O_DIRECT alignment is at most a 4 KB page; Node buffers are 16-byte aligned. */
const ALIGN_SEARCH_BYTES = 4096;
const ALIGN_STEP = 16;

export interface ChannelContext {
  tmpDir: string;
  barrierAt: number | null;
  /** The request's index in its burst: the frame this instance sends in. */
  request: number;
}

type WriteMode = 'direct' | 'dsync' | 'fsync';

export async function runCovertChannel(task: TaskOf<'covert-channel'>, context: ChannelContext): Promise<TaskResult> {
  if (context.barrierAt === null) return failed(task.name, 'covert-channel: needs a barrier, which aligns the frames of every instance');
  const barrierAt = context.barrierAt;
  const slotStart = (frame: number, bit: number) => barrierAt + (frame * task.bits + bit) * task.bitMs;
  const framesRun = Math.min(task.frames, Math.floor(MAX_TASK_MS / (task.bits * task.bitMs)));
  const own = context.request < framesRun ? context.request : null;
  const file = join(context.tmpDir, `curtain-covert-${process.pid}-${Date.now()}.tmp`);
  const { randomFillSync } = require('node:crypto') as typeof Crypto;
  const decoded: string[] = [];
  const heldUpText: string[] = [];
  const latencies: number[] = [];
  let sentBytes = 0;
  let fd: number | null = null;
  try {
    const opened = openChannelFile(file, randomFillSync(Buffer.allocUnsafeSlow(BLOCK_BYTES + ALIGN_SEARCH_BYTES)));
    fd = opened.fd;
    const write = (position: number) => {
      writeSync(opened.fd, opened.block, 0, BLOCK_BYTES, position);
      if (opened.mode === 'fsync') fsyncSync(opened.fd);
    };
    const unheard = () => {
      decoded.push('-'.repeat(task.bits));
      heldUpText.push('');
    };
    for (let frame = 0; frame < framesRun; frame++) {
      if (slotStart(frame + 1, 0) <= nowMs()) {
        unheard(); // the frame was over before this instance started (a late request)
        continue;
      }
      if (frame === own) {
        const pattern = covertPattern(task.seed, frame, task.bits);
        for (let bit = 0; bit < task.bits; bit++) {
          await until(slotStart(frame, bit));
          const stopAt = slotStart(frame, bit) + task.bitMs * SEND_DUTY;
          while (pattern[bit] === 1 && nowMs() < stopAt) {
            write(sentBytes % SEND_REGION_BYTES);
            sentBytes += BLOCK_BYTES;
          }
        }
        unheard();
        continue;
      }
      const heldUp = Array.from({ length: task.bits }, () => 0);
      const frameEnd = slotStart(frame + 1, 0);
      await until(slotStart(frame, 0));
      for (let t = nowMs(); t < frameEnd - 1; t = nowMs()) {
        write(0);
        const done = nowMs();
        latencies.push(done - t);
        for (let bit = Math.max(0, Math.floor((t - slotStart(frame, 0)) / task.bitMs)); bit < task.bits; bit++) {
          const overlap = Math.min(done, slotStart(frame, bit + 1)) - Math.max(t, slotStart(frame, bit));
          if (overlap <= 0) break;
          heldUp[bit]! += overlap / task.bitMs;
        }
        await until(Math.min(t + PROBE_INTERVAL_MS, frameEnd));
      }
      decoded.push(patternText(rankDecode(heldUp)));
      heldUpText.push(heldUp.map((h) => Math.round(Math.min(1, h) * 100)).join(','));
    }
    return succeeded(task.name, {
      frames: task.frames,
      framesRun,
      bits: task.bits,
      bitMs: task.bitMs,
      seed: task.seed,
      ownFrame: own,
      decoded: decoded.join('.'),
      heldUp: heldUpText.join('.'),
      mode: opened.mode,
      sentBytes,
      probes: latencies.length,
      medianProbeMs: latencies.length > 0 ? median(latencies) : null,
    });
  } catch (error) {
    return failed(task.name, `covert-channel: ${errorText(error)}`, { sentBytes });
  } finally {
    if (fd !== null) closeSync(fd);
    rmSync(file, { force: true });
  }
}

/**
 * The channel's file, opened for direct I/O with a block that starts at an aligned address, or
 * for synchronous writes where the filesystem has no direct I/O (`fsync` where the OS has no O_DSYNC).
 */
function openChannelFile(file: string, buffer: Buffer): { fd: number; block: Buffer; mode: WriteMode } {
  const base = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
  if (constants.O_DIRECT !== undefined) {
    let fd: number | null = null;
    try {
      fd = openSync(file, base | constants.O_DIRECT, 0o600);
      for (let offset = 0; offset < ALIGN_SEARCH_BYTES; offset += ALIGN_STEP) {
        try {
          writeSync(fd, buffer, offset, BLOCK_BYTES, 0);
          return { fd, block: buffer.subarray(offset, offset + BLOCK_BYTES), mode: 'direct' };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
    if (fd !== null) closeSync(fd);
  }
  const dsync = constants.O_DSYNC;
  return { fd: openSync(file, base | (dsync ?? 0), 0o600), block: buffer.subarray(0, BLOCK_BYTES), mode: dsync === undefined ? 'fsync' : 'dsync' };
}

async function until(at: number): Promise<void> {
  const wait = at - nowMs();
  if (wait > 0) await delay(wait);
}

/** The half of the slots held up most are ones (ties: the earlier slot). */
function rankDecode(heldUp: readonly number[]): number[] {
  const order = heldUp.map((h, i) => [h, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const bits = heldUp.map(() => 0);
  for (const [, i] of order.slice(0, Math.floor(heldUp.length / 2))) bits[i] = 1;
  return bits;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
