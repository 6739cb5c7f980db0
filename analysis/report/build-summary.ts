/** The summary.json object of an analysed run. */
import type { RunAnalysis } from '../analyze-run';
import type { Metric } from '../metrics';
import { type ReportSummary, SUMMARY_VERSION, ReportSummary as ReportSummarySchema } from './summary-schema';

export function summaryMetric(m: Metric): ReportSummary['metrics'][number] {
  return {
    name: m.name,
    description: m.description,
    unit: m.unit,
    value: m.value,
    interval: m.interval,
    method: m.method,
    n: m.n,
    ...(m.bound ? { bound: m.bound } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
    ...(m.phase ? { phase: m.phase } : {}),
  };
}

export function buildSummary(a: RunAnalysis, notes: string[]): ReportSummary {
  const { files, platform, ledger, stream, hosts } = a;
  const plan = files.plan;
  const summary: ReportSummary = {
    v: SUMMARY_VERSION,
    study: { id: plan.study.id, title: plan.study.title, experiment: plan.study.experiment, analysis: plan.analysis.kind },
    run: {
      id: files.manifest?.run ?? null,
      status: files.manifest?.status ?? null,
      startedAt: files.manifest?.startedAt ?? null,
      endedAt: files.manifest?.endedAt ?? null,
      planHash: plan.hash,
      tool: files.manifest ? `${files.manifest.tool.name} ${files.manifest.tool.version}` : null,
    },
    platform: {
      provider: platform.provider,
      region: plan.region,
      emulated: platform.emulated,
      profile: platform.profile,
      modelled: platform.modelled,
      timeScale: platform.timeScale,
      timeScaleKnown: platform.timeScaleKnown,
    },
    records: {
      total: ledger.records,
      byStatus: ledger.byStatus,
      planned: ledger.planned,
      missing: ledger.missing,
      duplicated: ledger.duplicated,
      retried: ledger.retried,
    },
    malformed: { count: stream.malformed, lines: stream.malformedLines },
    hosts: {
      instances: hosts.instances,
      assigned: hosts.assigned,
      hosts: hosts.hosts.length,
      signals: hosts.signals.map((s) => ({ signal: s.signal, present: s.present, used: s.used, note: s.note })),
    },
    metrics: a.output.metrics.map(summaryMetric),
    claims: a.claims.checked.map((c) => ({
      claim: c.claim,
      verdict: c.verdict,
      reason: c.reason,
      comparison: c.comparison,
      flags: c.flags,
      value: c.metric?.value ?? null,
      interval: c.metric?.interval ?? null,
    })),
    claimsNotChecked: a.claims.otherPlatforms.map((c) => c.id),
    figures: a.output.figures.map((f) => ({ file: `figures/${f.file}`, title: f.title, caption: f.caption })),
    notes,
  };
  return ReportSummarySchema.parse(summary);
}
