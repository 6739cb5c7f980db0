/**
 * The analysis entry points:
 *   writeReport(runDir, options)  report.md, report.html, figures/*.svg and summary.json for one run
 *                                 (the signature pinned in analysis/README.md; `curtain run` calls it);
 *   analyzeRun(runDir, options)   the same analysis without writing anything;
 *   compareRuns(a, b)             metric-by-metric comparison of two runs (`curtain compare`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeRun, type RunAnalysis } from './analyze-run';
import { renderSvg } from './figures/render-svg';
import { buildSummary } from './report/build-summary';
import { type PackageProvenance, renderReportHtml } from './report/report-html';
import type { ReportSummary } from './report/summary-schema';
import type { Section } from './studies/analysis';
import { renderReport } from './report/report-markdown';

export { analyzeRun, type RunAnalysis } from './analyze-run';
export type { Section } from './studies/analysis';
export { compareRuns, type RunComparison } from './compare/compare-runs';

export interface WriteReportOptions {
  /** Where report.md, summary.json and figures/ go; default `<runDir>/report`. */
  outDir?: string;
  /** Progress and malformed-line messages (the CLI passes stderr). */
  log?: (line: string) => void;
  /** Stops the report (Ctrl-C): writeReport rejects with the signal's reason and writes nothing. */
  signal?: AbortSignal;
  /**
   * Sections the caller adds to report.md after the claims, from the finished analysis (the
   * local platform's method check, which compares it with a ground truth the analysis never reads).
   */
  appendix?: (analysis: RunAnalysis) => Section[];
  /** The replication package the run was read from: report.html lists its checksums. */
  package?: PackageProvenance | null;
}

export interface WriteReportResult {
  reportPath: string;
  /** report.html: the same report, self-contained, with interactive figures (an addition to the pinned signature). */
  htmlPath: string;
  summaryPath: string;
  figures: string[];
  malformedLines: number;
  /** The content of summary.json (an addition to the signature pinned in README.md). */
  summary: ReportSummary;
}

export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<WriteReportResult> {
  const log = options.log ?? (() => {});
  const analysis = await analyzeRun(runDir, { log, malformedListedIn: 'report.md', signal: options.signal });
  options.signal?.throwIfAborted();
  const outDir = path.resolve(options.outDir ?? path.join(runDir, 'report'));
  const figuresDir = path.join(outDir, 'figures');
  await mkdir(figuresDir, { recursive: true });
  const notes = [...analysis.files.notes, ...analysis.warnings, ...analysis.output.notes];
  const figures: string[] = [];
  for (const figure of analysis.output.figures) {
    options.signal?.throwIfAborted();
    const file = path.join(figuresDir, figure.file);
    try {
      await writeFile(file, await renderSvg(figure.spec));
      figures.push(file);
    } catch (error) {
      // A figure that cannot be drawn must not cost the report: say so and go on.
      notes.push(`figure ${figure.file} could not be rendered: ${(error as Error).message}`);
      figures.push('');
    }
  }
  const relativeFigures = figures.map((f) => (f ? path.relative(outDir, f).split(path.sep).join('/') : ''));
  const reportPath = path.join(outDir, 'report.md');
  const summaryPath = path.join(outDir, 'summary.json');
  const markdown = renderReport(analysis, relativeFigures, notes, options.appendix?.(analysis) ?? []);
  await writeFile(reportPath, markdown);
  const htmlPath = path.join(outDir, 'report.html');
  await writeFile(
    htmlPath,
    renderReportHtml({ title: analysis.files.plan.study.title, markdown, figures: analysis.output.figures, manifest: analysis.files.manifest, planHash: analysis.files.plan.hash, package: options.package }),
  );
  const summary = buildSummary(analysis, notes);
  await writeFile(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  log(`report written to ${reportPath}`);
  return { reportPath, htmlPath, summaryPath, figures: figures.filter(Boolean), malformedLines: analysis.stream.malformed, summary };
}
