/**
 * The local orchestrator's journal (local-run/journal.jsonl): one JSON line per
 * event, appended synchronously as it happens, so that whoever closes or
 * resumes a run after its `curtain run` died knows which steps were done and,
 * for every burst shard, each driver that was started and how it ended.
 * It plays the part of a cloud orchestrator's execution history.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { journalFile } from './run-dir-layout';

export const JournalEntry = z.discriminatedUnion('t', [
  /**
   * A `curtain run` or `curtain resume` began walking the plan, with `--resend` or not, and a driver
   * that keeps shard journals or not (drivers of older versions do not: their deaths are of unknown fate).
   */
  z.strictObject({ t: z.literal('segment'), at: z.iso.datetime(), pid: z.number().int(), fromStep: z.number().int(), resend: z.boolean(), driverJournals: z.boolean() }),
  z.strictObject({ t: z.literal('step'), at: z.iso.datetime(), step: z.number().int() }),
  z.strictObject({ t: z.literal('step-done'), at: z.iso.datetime(), step: z.number().int() }),
  /** A driver process started for a shard, asked to send `requests` of its requests. */
  z.strictObject({ t: z.literal('send'), at: z.iso.datetime(), step: z.number().int(), shard: z.number().int(), requests: z.number().int() }),
  z.strictObject({
    t: z.literal('send-end'),
    at: z.iso.datetime(),
    step: z.number().int(),
    shard: z.number().int(),
    outcome: z.enum(['written', 'died before sending', 'died after sending began', 'refused', 'unknown']),
    detail: z.string(),
  }),
]);
export type JournalEntry = z.output<typeof JournalEntry>;

/** Distributes Omit over the union, so each entry keeps its own fields. */
type WithoutTime<T> = T extends unknown ? Omit<T, 'at'> : never;

export class RunJournal {
  private readonly file: string;

  constructor(runDir: string) {
    this.file = journalFile(runDir);
    mkdirSync(path.dirname(this.file), { recursive: true });
  }

  append(entry: WithoutTime<JournalEntry>): void {
    appendFileSync(this.file, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
  }
}

/** Every entry that parses; a torn last line (the writer was killed mid-write) is skipped. */
export function readJournal(runDir: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(journalFile(runDir), 'utf8');
  } catch {
    return [];
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JournalEntry.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // torn line
    }
  }
  return entries;
}

/** Steps the journal says were done, and how many of the plan's steps were done in order from the first. */
export function stepsDone(entries: JournalEntry[]): { done: Set<number>; leading: number } {
  const done = new Set(entries.filter((e) => e.t === 'step-done').map((e) => (e as { step: number }).step));
  let leading = 0;
  while (done.has(leading)) leading += 1;
  return { done, leading };
}
