/**
 * Bookkeeping over every valid record, whatever the study: counts by status
 * (overall and per burst label), the most frequent error messages, retries, and
 * completeness against the plan (every planned request should have exactly one
 * record; missing and duplicated ones are counted per step). Memory is bounded
 * by the plan's size, never by the number of records.
 */
import type { InvocationRecord, InvocationStatus } from '../../probe-runtime/contracts/invocation-record';
import type { PlanIndex } from './plan-index';

export const STATUSES: readonly InvocationStatus[] = ['ok', 'error', 'throttled', 'timeout', 'skipped'];
type StatusCounts = Record<InvocationStatus, number>;

/** Distinct error messages remembered; further distinct ones are counted under "other". */
const MAX_DISTINCT_ERRORS = 500;

export interface StepCompleteness {
  stepId: string;
  planned: number;
  missing: number;
  duplicated: number;
}

export interface LedgerSummary {
  records: number;
  byStatus: StatusCounts;
  byLabel: { label: string; counts: StatusCounts }[];
  retried: number;
  /** Records of requests sent again after drivers that died having begun to send them (priorSends). */
  resent: number;
  errors: { status: InvocationStatus; message: string; count: number }[];
  planned: number;
  missing: number;
  duplicated: number;
  /** Steps with missing or duplicated records. */
  incompleteSteps: StepCompleteness[];
}

const zeroCounts = (): StatusCounts => ({ ok: 0, error: 0, throttled: 0, timeout: 0, skipped: 0 });

export class RecordLedger {
  private readonly byStatus = zeroCounts();
  private readonly byLabel = new Map<string, StatusCounts>();
  private readonly errors = new Map<string, { status: InvocationStatus; message: string; count: number }>();
  private otherErrors = 0;
  private readonly seen = new Map<number, Uint8Array>();
  private records = 0;
  private retried = 0;
  private resent = 0;

  constructor(private readonly index: PlanIndex) {
    for (const step of index.burstSteps()) this.seen.set(step.index, new Uint8Array(step.requests));
  }

  add(record: InvocationRecord): void {
    this.records += 1;
    this.byStatus[record.status] += 1;
    const label = record.label ?? '(none)';
    let counts = this.byLabel.get(label);
    if (!counts) this.byLabel.set(label, (counts = zeroCounts()));
    counts[record.status] += 1;
    if (record.attempts > 1) this.retried += 1;
    if (record.priorSends !== undefined) this.resent += 1;
    if (record.status !== 'ok') this.countError(record.status, record.error ?? '(no message)');
    const seen = this.seen.get(record.step);
    if (seen && seen[record.request]! < 255) seen[record.request]! += 1;
  }

  private countError(status: InvocationStatus, message: string): void {
    // Numbers vary between otherwise identical errors (ids, durations): fold them so similar errors group.
    const normalized = message.slice(0, 300).replace(/[0-9]+(\.[0-9]+)?/g, 'N');
    const key = `${status}\u0000${normalized}`;
    const entry = this.errors.get(key);
    if (entry) entry.count += 1;
    else if (this.errors.size < MAX_DISTINCT_ERRORS) this.errors.set(key, { status, message: normalized, count: 1 });
    else this.otherErrors += 1;
  }

  summary(): LedgerSummary {
    const incompleteSteps: StepCompleteness[] = [];
    let planned = 0;
    let missing = 0;
    let duplicated = 0;
    for (const step of this.index.burstSteps()) {
      const seen = this.seen.get(step.index)!;
      let stepMissing = 0;
      let stepDuplicated = 0;
      for (const count of seen) {
        if (count === 0) stepMissing += 1;
        else stepDuplicated += count - 1;
      }
      planned += step.requests;
      missing += stepMissing;
      duplicated += stepDuplicated;
      if (stepMissing > 0 || stepDuplicated > 0) incompleteSteps.push({ stepId: step.id, planned: step.requests, missing: stepMissing, duplicated: stepDuplicated });
    }
    const errors = [...this.errors.values()].sort((a, b) => b.count - a.count);
    if (this.otherErrors > 0) errors.push({ status: 'error', message: '(other messages)', count: this.otherErrors });
    return {
      records: this.records,
      byStatus: { ...this.byStatus },
      byLabel: [...this.byLabel.entries()].map(([label, counts]) => ({ label, counts: { ...counts } })),
      retried: this.retried,
      resent: this.resent,
      errors,
      planned,
      missing,
      duplicated,
      incompleteSteps,
    };
  }
}
