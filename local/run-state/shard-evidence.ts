/**
 * What is known about one burst shard after its driver ended, for whoever
 * writes, closes or resumes it: the records already written (steps/…/NNN.jsonl)
 * and the driver's own journal (local-run/partial/…, shard-journal.ts). Both
 * files are read only when they are regular files of bounded size, and only
 * records that belong to this run, step and shard count.
 */
import { lstatSync, readFileSync, rmSync, type Stats } from 'node:fs';
import path from 'node:path';
import { shardRequestRange } from '../../experiments/expand-schedule';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import { shardKey } from '../../probe-runtime/contracts/bucket-layout';
import { InvocationRecord, MAX_RECORD_LINE_BYTES } from '../../probe-runtime/contracts/invocation-record';
import { partialShardFile, ShardJournalHeader } from '../../probe-runtime/driver/shard-journal';
import { partialDir } from './run-dir-layout';

export interface DriverJournal {
  /** Whether the driver said requests may leave (a `sending` line). */
  sending: boolean;
  /** The requests it was asked to send. */
  requests: number[];
  /** Final records it wrote, by request. */
  records: Map<number, InvocationRecord>;
}

/** The file of a shard in a run directory (`<out>/<study>/<run>`). */
export function shardFile(runDir: string, plan: StudyPlan, run: string, step: BurstStep, shard: number): string {
  return path.join(path.dirname(path.dirname(runDir)), ...shardKey(plan.study.id, run, step.id, shard).split('/'));
}

/** A regular file no larger than `maxBytes`, as text; null when absent; an error naming it otherwise. */
function readBounded(file: string, maxBytes: number): string | null {
  let info: Stats;
  try {
    info = lstatSync(file);
  } catch {
    return null;
  }
  if (!info.isFile()) throw new Error(`${file} is not a regular file`);
  if (info.size > maxBytes) throw new Error(`${file} is ${info.size} bytes, more than its shard can hold (${maxBytes})`);
  return readFileSync(file, 'utf8');
}

function belongs(record: InvocationRecord, plan: StudyPlan, run: string, step: BurstStep, shard: number): boolean {
  return record.run === run && record.planHash === plan.hash && record.step === step.index && record.stepId === step.id && record.shard === shard;
}

function shardBound(step: BurstStep, shard: number): number {
  const { start, end } = shardRequestRange(step, shard);
  return (end - start + 2) * MAX_RECORD_LINE_BYTES;
}

/**
 * The written records of a shard by request, or null when the shard was never written. A line that
 * is not a record of this shard is an error naming the file and line: nothing can be completed or
 * closed on top of a shard whose content is not understood.
 */
export function readShardRecords(runDir: string, plan: StudyPlan, run: string, step: BurstStep, shard: number): Map<number, InvocationRecord> | null {
  const file = shardFile(runDir, plan, run, step, shard);
  const text = readBounded(file, shardBound(step, shard));
  if (text === null) return null;
  const { start, end } = shardRequestRange(step, shard);
  const records = new Map<number, InvocationRecord>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let record: InvocationRecord;
    try {
      record = InvocationRecord.parse(JSON.parse(line));
    } catch {
      throw new Error(`${file}:${i + 1} is not a valid record`);
    }
    if (!belongs(record, plan, run, step, shard) || record.request < start || record.request >= end) {
      throw new Error(`${file}:${i + 1} is not a record of this run's step ${step.index} shard ${shard}`);
    }
    if (records.has(record.request)) throw new Error(`${file}:${i + 1} repeats request ${record.request}`);
    records.set(record.request, record);
  });
  return records;
}

/** The journal a driver left for the shard, or null when it left none. */
export function readDriverJournal(runDir: string, plan: StudyPlan, run: string, step: BurstStep, shard: number): DriverJournal | null {
  const file = partialShardFile(partialDir(runDir), step.id, shard);
  let text: string | null;
  try {
    text = readBounded(file, shardBound(step, shard));
  } catch {
    return null;
  }
  if (text === null) return null;
  const journal: DriverJournal = { sending: false, requests: [], records: new Map() };
  let header = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue; // a torn last line
    }
    const head = ShardJournalHeader.safeParse(json);
    if (head.success) {
      const h = head.data;
      if (h.run !== run || h.planHash !== plan.hash || h.step !== step.index || h.shard !== shard) return null;
      header = true;
      journal.requests = h.requests;
      if (h.phase === 'sending') journal.sending = true;
      continue;
    }
    const record = InvocationRecord.safeParse(json);
    if (header && record.success && belongs(record.data, plan, run, step, shard) && journal.requests.includes(record.data.request)) {
      journal.records.set(record.data.request, record.data);
    }
  }
  return header ? journal : null;
}

export function removeDriverJournal(runDir: string, step: BurstStep, shard: number): void {
  rmSync(partialShardFile(partialDir(runDir), step.id, shard), { force: true });
}
