/**
 * Streams every record of a run: each line of each shard is parsed, validated
 * against the InvocationRecord schema and checked against the run's plan.
 * A line that fails is counted and listed (file and line number, reason) and
 * skipped; it never stops the analysis. Nothing is accumulated here: each valid
 * record is handed to the caller and forgotten.
 */
import path from 'node:path';
import { InputFileError, formatProblem, problemsFromZod } from '../../experiments/errors';
import type { StudyPlan } from '../../experiments/plan-schema';
import { INVOCATION_RECORD_VERSION, InvocationRecord, MAX_RECORD_LINE_BYTES } from '../../probe-runtime/contracts/invocation-record';
import { openGuarded } from './guarded-file';
import { forEachLine, LineTooLongError } from './line-reader';
import { compilePredicate } from './schema-predicate';
import type { PlanIndex } from './plan-index';
import type { RunFiles } from './run-files';

/** At most this many malformed lines are listed one by one; all of them are counted. */
export const MAX_LISTED_MALFORMED = 200;

export interface MalformedLine {
  /** Path relative to the run directory. */
  file: string;
  line: number;
  reason: string;
}

export interface StreamSummary {
  files: number;
  lines: number;
  bytes: number;
  records: number;
  malformed: number;
  /** The first MAX_LISTED_MALFORMED malformed lines. */
  malformedLines: MalformedLine[];
}

export interface StreamHooks {
  onMalformed?(line: MalformedLine): void;
  /** Called every `progressEvery` lines with the running count. */
  onProgress?(lines: number, files: number): void;
  progressEvery?: number;
  /** Stops the reading (Ctrl-C during a report): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export async function streamRecords(
  run: RunFiles,
  index: PlanIndex,
  onRecord: (record: InvocationRecord) => void,
  hooks: StreamHooks = {},
): Promise<StreamSummary> {
  const summary: StreamSummary = { files: 0, lines: 0, bytes: 0, records: 0, malformed: 0, malformedLines: [] };
  const progressEvery = hooks.progressEvery ?? 250_000;
  for (const shard of run.shards) {
    summary.files += 1;
    const reject = (line: number, reason: string) => {
      summary.malformed += 1;
      const entry = { file: shard.relative, line, reason };
      if (summary.malformedLines.length < MAX_LISTED_MALFORMED) summary.malformedLines.push(entry);
      hooks.onMalformed?.(entry);
    };
    const shown = path.join(run.dir, shard.relative);
    const requests = shardRequests(run.plan, shard);
    const opened = await openGuarded(run.dir, shard.path, shown, {
      maxBytes: requests * MAX_RECORD_LINE_BYTES,
      sizeReason: `a shard can hold (at most ${requests * MAX_RECORD_LINE_BYTES} bytes for its ${requests} planned request(s))`,
    });
    if (!opened) continue; // removed while the run was being read
    try {
      const { bytes } = await forEachLine(
        opened.handle,
        (text, lineNumber, terminated, validUtf8) => {
          summary.lines += 1;
          if (hooks.onProgress && summary.lines % progressEvery === 0) hooks.onProgress(summary.lines, summary.files);
          if (!validUtf8) return reject(lineNumber, 'invalid UTF-8 (a record line is UTF-8 JSON); the line is skipped, not repaired');
          const outcome = parseRecordLine(text, terminated);
          if (typeof outcome === 'string') return reject(lineNumber, outcome);
          const mismatch = checkAgainstPlan(outcome, run, index, shard.stepId);
          if (mismatch) return reject(lineNumber, mismatch);
          summary.records += 1;
          onRecord(outcome);
        },
        { maxLineBytes: MAX_RECORD_LINE_BYTES, signal: hooks.signal },
      );
      summary.bytes += bytes;
    } catch (error) {
      if (error instanceof LineTooLongError) {
        throw new InputFileError(`${shown}:${error.lineNumber}`, `line longer than ${error.limit} bytes, longer than any record: refused (is this a shard?)`);
      }
      throw error;
    } finally {
      await opened.handle.close();
    }
  }
  return summary;
}

/** How many requests a shard file may hold: its planned requests, or the plan's largest shard when the file is not one of the plan's. */
function shardRequests(plan: StudyPlan, shard: { stepId: string; relative: string }): number {
  const number = Number(/([0-9]+)\.jsonl$/.exec(shard.relative)?.[1] ?? Number.NaN);
  const step = plan.steps.find((s) => s.kind === 'burst' && s.id === shard.stepId);
  if (step?.kind === 'burst' && number < step.shards) return Math.min(step.requestsPerShard, step.requests - number * step.requestsPerShard);
  return Math.max(1, ...plan.steps.map((s) => (s.kind === 'burst' ? s.requestsPerShard : 1)));
}

const isCertainlyRecord = compilePredicate(InvocationRecord);

/** A valid record, or the reason the line is not one. */
export function parseRecordLine(text: string, terminated = true): InvocationRecord | string {
  // Only short lines can be blank; a record line is never trimmed (it is long, and this runs per line).
  if (text.length < 8 && text.trim() === '') return 'empty line';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message;
    return terminated ? `invalid JSON: ${detail}` : `truncated line (the file ends without a newline): ${detail}`;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'not a JSON object';
  const version = (json as { v?: unknown }).v;
  if (version !== INVOCATION_RECORD_VERSION) {
    return `unknown record version ${JSON.stringify(version ?? null)} (this analysis reads v${INVOCATION_RECORD_VERSION})`;
  }
  // The fast predicate only ever says "certainly valid"; zod decides everything else and names the problem.
  if (isCertainlyRecord(json)) return json as InvocationRecord;
  const result = InvocationRecord.safeParse(json);
  if (!result.success) {
    const problems = problemsFromZod(result.error);
    const shown = problems.slice(0, 3).map(formatProblem).join('; ');
    return `not an InvocationRecord: ${shown}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`;
  }
  return result.data;
}

/** Why a schema-valid record does not belong where it was found, or null when it does. */
export function checkAgainstPlan(record: InvocationRecord, run: RunFiles, index: PlanIndex, shardStepId: string): string | null {
  const plan = run.plan;
  if (record.planHash !== plan.hash) return `belongs to plan ${record.planHash.slice(0, 12)}, not this run's plan ${plan.hash.slice(0, 12)}`;
  if (record.study !== plan.study.id) return `belongs to study "${record.study}", not "${plan.study.id}"`;
  if (run.manifest && record.run !== run.manifest.run) return `belongs to run "${record.run}", not "${run.manifest.run}"`;
  const step = index.burst(record.step);
  if (!step) return `step ${record.step} is not a burst step of the plan`;
  if (step.id !== record.stepId) return `stepId "${record.stepId}" does not match plan step ${record.step} ("${step.id}")`;
  if (record.stepId !== shardStepId) return `record of step "${record.stepId}" in the shard of step "${shardStepId}"`;
  if (record.request >= step.requests) return `request ${record.request} is beyond the step's ${step.requests} requests`;
  const expectedTarget = step.targets[record.request % step.targets.length];
  if (record.target !== expectedTarget) return `target "${record.target}" but request ${record.request} of ${record.stepId} goes to "${expectedTarget}"`;
  if (record.status === 'ok' && !record.response) return 'status ok without a probe response';
  return null;
}
