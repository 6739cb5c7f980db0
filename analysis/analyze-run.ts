/**
 * Analyses one run without writing anything: opens the run directory, streams
 * every record once through the bookkeeping (status counts, completeness), the
 * instance table and the study's analysis, then infers hosts, computes the
 * metrics and judges the claims. `writeReport` and `curtain compare` build on it.
 */
import { evaluateClaims, type ClaimsOutcome } from './claims';
import { platformLabel, withPlatformTitle } from './figures/platform-title';
import { inferHosts, type HostInference } from './hosts/infer-hosts';
import { InstanceTable } from './hosts/instance-table';
import type { Metric } from './metrics';
import { BarrierMisses } from './run/barrier-misses';
import { type LedgerSummary, RecordLedger } from './run/ledger';
import { PlanIndex } from './run/plan-index';
import { type PlatformInfo, platformOf } from './run/platform';
import { type MalformedLine, streamRecords, type StreamSummary } from './run/record-stream';
import { openRun, type RunFiles } from './run/run-files';
import { createLabelBreakdown } from './labels/label-breakdown';
import { undeclaredMetrics } from './metric-catalog';
import type { AnalysisDefinition, AnalysisOutput } from './studies/analysis';
import { ANALYSIS_REGISTRY } from './studies';

export interface RunAnalysis {
  files: RunFiles;
  platform: PlatformInfo;
  definition: AnalysisDefinition;
  stream: StreamSummary;
  ledger: LedgerSummary;
  hosts: HostInference;
  output: AnalysisOutput;
  metrics: Map<string, Metric>;
  claims: ClaimsOutcome;
  /** What the reader of the report must know about how the run went (machine-limited scale-out). */
  warnings: string[];
}

export interface AnalyzeOptions {
  /** Progress and malformed-line messages (the CLI passes stderr). */
  log?: (line: string) => void;
  /** Malformed lines echoed to the log one by one; the rest are summarised. */
  logMalformedLimit?: number;
  /** Stops the analysis (Ctrl-C): analyzeRun rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where the caller lists the malformed lines (the log says so); unset: nowhere, and the log says how to list them. */
  malformedListedIn?: string;
}

export async function analyzeRun(runDir: string, options: AnalyzeOptions = {}): Promise<RunAnalysis> {
  const log = options.log ?? (() => {});
  const files = await openRun(runDir);
  const index = new PlanIndex(files.plan);
  const platform = platformOf(files.plan, files.manifest, files.madeByTwin ?? null);
  const instances = new InstanceTable(index);
  const ledger = new RecordLedger(index);
  const barrierMisses = new BarrierMisses(index);
  let hosts: HostInference | null = null;
  const definition = ANALYSIS_REGISTRY[files.plan.analysis.kind];
  const context = { plan: files.plan, index, platform, instances, hosts: () => (hosts ??= inferHosts(instances)) };
  const analysis = definition.create(context);
  // Analyses every study kind gets (labels/): their metrics can carry claims too.
  const generic = [createLabelBreakdown(context)];
  const logLimit = options.logMalformedLimit ?? 20;
  let logged = 0;
  log(`reading ${files.shards.length} shard file(s) of ${files.plan.study.id}/${files.manifest?.run ?? runDir}`);
  const stream = await streamRecords(
    files,
    index,
    (record) => {
      ledger.add(record);
      barrierMisses.add(record);
      const instance = instances.add(record);
      analysis.add(record, instance);
      for (const g of generic) g.add(record, instance);
    },
    {
      onMalformed: (m: MalformedLine) => {
        if (logged++ < logLimit) log(`malformed line ${m.file}:${m.line}: ${m.reason}`);
      },
      onProgress: (lines, shardFiles) => log(`  ${lines.toLocaleString('en-US')} lines read (${shardFiles} of ${files.shards.length} files)`),
      signal: options.signal,
    },
  );
  if (stream.malformed > logLimit) {
    const listed = stream.malformedLines.length < stream.malformed ? `the first ${stream.malformedLines.length} are` : 'all are';
    log(`… ${stream.malformed - logLimit} more malformed line(s); ${options.malformedListedIn ? `${listed} listed in ${options.malformedListedIn}` : `\`curtain report ${runDir}\` lists them`}`);
  }
  log(`${stream.records.toLocaleString('en-US')} records, ${stream.malformed} malformed line(s), ${instances.size} instances`);
  const finished = mergeOutputs([analysis.finish(), ...generic.map((g) => g.finish())]);
  const undeclared = undeclaredMetrics(files.plan.analysis.kind, finished.metrics.map((m) => m.name));
  if (undeclared.length > 0) finished.notes.push(`metric(s) missing from the metric catalog (analysis/metric-catalog.ts), so claims cannot be validated against them: ${undeclared.join(', ')}`);
  const label = platformLabel(platform, files.plan.region);
  const output = { ...finished, figures: finished.figures.map((f) => withPlatformTitle(f, label)) };
  hosts ??= inferHosts(instances);
  const metrics = new Map(output.metrics.map((m) => [m.name, m]));
  const claims = evaluateClaims(files.plan.claims, metrics, platform);
  const warnings = [barrierMisses.note(platform)].filter((w): w is string => w !== null);
  return { files, platform, definition, stream, ledger: ledger.summary(), hosts, output, metrics, claims, warnings };
}

function mergeOutputs(outputs: AnalysisOutput[]): AnalysisOutput {
  return {
    metrics: outputs.flatMap((o) => o.metrics),
    figures: outputs.flatMap((o) => o.figures),
    sections: outputs.flatMap((o) => o.sections),
    notes: outputs.flatMap((o) => o.notes),
  };
}
