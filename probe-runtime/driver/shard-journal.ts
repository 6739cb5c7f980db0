/**
 * A driver's running journal of the shard it sends, for hosts where the driver
 * can die with answers in memory (the local platform: a SIGKILL, the OOM
 * killer). As soon as the driver has its event, a `started` line; before the
 * first request leaves, a `sending` line; then each request's final record,
 * appended the moment it is known. If the driver dies, whoever closes or
 * resumes the run keeps every answer it got and knows whether any request can
 * have left; once the shard itself is written the journal is removed.
 *
 * Writes are synchronous appends of whole lines: a kill between two of them
 * loses nothing already written, and a reader tolerates a torn last line.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BurstShardEvent } from '../contracts/driver-event';
import type { InvocationRecord } from '../contracts/invocation-record';

export interface ShardJournal {
  /** The driver has its event (nothing is sent yet). */
  start(): void;
  /** Sending is about to begin. */
  begin(): void;
  /** A request's final record. */
  settled(record: InvocationRecord): void;
  /** The shard is written: the journal is no longer needed. */
  discard(): void;
}

export const SHARD_JOURNAL_VERSION = 1;

/** Where a shard's journal lives under a journal directory (CURTAIN_PARTIAL_DIR). */
export function partialShardFile(partialRoot: string, stepId: string, shard: number): string {
  return path.join(partialRoot, stepId, `${String(shard).padStart(3, '0')}.jsonl`);
}

export const ShardJournalHeader = z.strictObject({
  journal: z.literal('shard'),
  v: z.literal(SHARD_JOURNAL_VERSION),
  /** `started`: the driver has its event; `sending`: requests may leave from now on. */
  phase: z.enum(['started', 'sending']),
  study: z.string(),
  run: z.string(),
  planHash: z.string(),
  step: z.number().int(),
  shard: z.number().int(),
  pid: z.number().int(),
  /** Epoch ms of the line. */
  at: z.number(),
  /** The requests this driver was asked to send (all of the shard's unless the event listed `only`). */
  requests: z.array(z.number().int()),
});
export type ShardJournalHeader = z.output<typeof ShardJournalHeader>;

/** A journal in a file; the directory is created when sending begins. */
export function createFileShardJournal(file: string, event: BurstShardEvent, requests: number[], now: () => number): ShardJournal {
  let begun = false;
  const header = (phase: ShardJournalHeader['phase']): string =>
    `${JSON.stringify({
      journal: 'shard',
      v: SHARD_JOURNAL_VERSION,
      phase,
      study: event.study,
      run: event.run,
      planHash: event.planHash,
      step: event.step.index,
      shard: event.shard,
      pid: process.pid,
      at: now(),
      requests,
    } satisfies ShardJournalHeader)}\n`;
  return {
    start() {
      mkdirSync(path.dirname(file), { recursive: true });
      // A fresh journal per driver: an earlier driver's journal of this shard was read by the orchestrator already.
      rmSync(file, { force: true });
      appendFileSync(file, header('started'));
    },
    begin() {
      appendFileSync(file, header('sending'));
      begun = true;
    },
    settled(record) {
      if (begun) appendFileSync(file, `${JSON.stringify(record)}\n`);
    },
    discard() {
      rmSync(file, { force: true });
    },
  };
}
