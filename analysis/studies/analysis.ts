/**
 * What every study analysis implements. The runner streams each valid record
 * once through `add` (with the instance it came from, already registered in
 * the shared instance table), then calls `finish`, which may use host
 * inference (`ctx.hosts()`, computed once on first use).
 *
 * An analysis keeps only what its metrics need (numbers in NumericBuffers,
 * per-instance or per-step tallies), never the records themselves.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { AnalysisKind } from '../../experiments/schema';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import type { Figure } from '../figures/figure';
import type { InstanceInfo, InstanceTable } from '../hosts/instance-table';
import type { MetricMargins } from '../margins';
import type { HostInference } from '../hosts/infer-hosts';
import type { Metric } from '../metrics';
import type { PlanIndex } from '../run/plan-index';
import type { PlatformInfo } from '../run/platform';

export interface AnalysisContext {
  plan: StudyPlan;
  index: PlanIndex;
  platform: PlatformInfo;
  instances: InstanceTable;
  hosts(): HostInference;
}

/** A titled block of Markdown in the report. */
export interface Section {
  title: string;
  body: string;
}

export interface AnalysisOutput {
  metrics: Metric[];
  figures: Figure[];
  sections: Section[];
  /** Caveats the reader must know (e.g. hosts could not be inferred). */
  notes: string[];
}

export interface StudyAnalysis {
  add(record: InvocationRecord, instance: InstanceInfo | null): void;
  finish(): AnalysisOutput;
}

export interface AnalysisDefinition {
  kind: AnalysisKind;
  /** One line for the report: what the analysis measures and how. */
  description: string;
  create(ctx: AnalysisContext): StudyAnalysis;
  /**
   * The practical margin of every metric the analysis computes, with its reason:
   * how far two runs may differ on it and still replicate each other
   * (`curtain compare`; a margin covers the names below it, e.g. per memory size).
   */
  margins: MetricMargins;
}

/** Fraction of instances that host inference could place; analyses that need hosts refuse below it. */
export const MIN_HOST_COVERAGE = 0.5;

/** Null when hosts are usable, else the reason they are not. */
export function hostsUnusable(hosts: HostInference): string | null {
  if (hosts.instances === 0) return 'no instance answered';
  if (hosts.assigned / hosts.instances < MIN_HOST_COVERAGE) {
    return `hosts could be inferred for only ${hosts.assigned} of ${hosts.instances} instances (the fingerprints carry no usable host signal)`;
  }
  return null;
}

/** Converts a duration measured from timestamps into platform time (local runs run timers faster). */
export function platformMs(ctx: AnalysisContext, realMs: number): number {
  return realMs * ctx.platform.timeScale;
}
