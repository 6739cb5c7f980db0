/**
 * summary.json: the machine-readable result of `curtain report`, one per run.
 * Validated before it is written; its JSON Schema is exported to
 * docs/schemas/report-summary.schema.json.
 */
import { z } from 'zod';
import { LatencyPhase } from '../../experiments/latency-phase';
import { Claim } from '../../experiments/schema';
import { VERDICTS } from '../claims';
import { CLOUD_PROVIDER_IDS } from '../../probe-runtime/contracts/providers';

export const SUMMARY_VERSION = 1;

const Interval = z.tuple([z.number(), z.number()]).nullable();

export const SummaryMetric = z.strictObject({
  name: z.string(),
  description: z.string(),
  unit: z.string(),
  value: z.union([z.number(), z.boolean()]).nullable(),
  interval: Interval,
  method: z.string(),
  n: z.number().int().min(0),
  /** `lower` when the value is only a lower bound (e.g. a median survival the run did not reach). */
  bound: z.literal('lower').optional(),
  /** Why the metric has no value in this run. */
  reason: z.string().optional(),
  /** For a latency: which part of the request's latency it measures (experiments/latency-phase.ts). */
  phase: LatencyPhase.optional(),
});

const StatusCounts = z.strictObject({ ok: z.number().int(), error: z.number().int(), throttled: z.number().int(), timeout: z.number().int(), skipped: z.number().int() });

export const ReportSummary = z.strictObject({
  v: z.literal(SUMMARY_VERSION),
  study: z.strictObject({ id: z.string(), title: z.string(), experiment: z.string(), analysis: z.string() }),
  run: z.strictObject({
    id: z.string().nullable(),
    status: z.string().nullable(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    planHash: z.string(),
    tool: z.string().nullable(),
  }),
  platform: z.strictObject({
    provider: z.string(),
    region: z.string(),
    emulated: z.boolean(),
    profile: z.string().nullable(),
    modelled: z.enum(CLOUD_PROVIDER_IDS).nullable(),
    timeScale: z.number(),
    timeScaleKnown: z.boolean(),
  }),
  records: z.strictObject({
    total: z.number().int(),
    byStatus: StatusCounts,
    planned: z.number().int(),
    missing: z.number().int(),
    duplicated: z.number().int(),
    retried: z.number().int(),
  }),
  malformed: z.strictObject({
    count: z.number().int(),
    /** The first lines (file relative to the run directory, 1-based line). */
    lines: z.array(z.strictObject({ file: z.string(), line: z.number().int(), reason: z.string() })),
  }),
  hosts: z.strictObject({
    instances: z.number().int(),
    assigned: z.number().int(),
    hosts: z.number().int(),
    signals: z.array(z.strictObject({ signal: z.string(), present: z.number().int(), used: z.boolean(), note: z.string() })),
  }),
  metrics: z.array(SummaryMetric),
  claims: z.array(
    z.strictObject({
      claim: Claim,
      /** The category (docs/analysis.md "Verdicts"). */
      verdict: z.enum(VERDICTS),
      reason: z.string(),
      /** What comparing the value with the expectation alone says; null when impossible. */
      comparison: z.enum(['consistent', 'differs']).nullable(),
      /** Conditions to weigh with the verdict (e.g. the machine's load during a latency measurement). */
      flags: z.array(z.string()),
      value: z.union([z.number(), z.boolean()]).nullable(),
      interval: Interval,
    }),
  ),
  /** Claim ids about platforms this run did not measure. */
  claimsNotChecked: z.array(z.string()),
  figures: z.array(z.strictObject({ file: z.string(), title: z.string(), caption: z.string() })),
  notes: z.array(z.string()),
});
export type ReportSummary = z.output<typeof ReportSummary>;
