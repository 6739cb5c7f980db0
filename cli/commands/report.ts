import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VERDICTS } from '../../analysis/claims';
import { type WriteReportResult, writeReport } from '../../analysis';
import { packageProvenanceOf } from '../../replication/package-provenance';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { EXIT } from '../cli-error';
import { prepareOutputDir } from '../output-dir';
import { StopSignals } from '../stop-signals';

const usage = `Usage: curtain report <run-dir> [--out DIR] [--json]

Analyses one run in the bucket layout (<study>/<run>/ holding plan.json, run.json and
steps/<step>/<shard>.jsonl): a local run, or a cloud run downloaded with \`curtain fetch\`.
Writes report.md (claims with verdicts, records by status, hosts, tables, figures, metrics),
report.html (the same as one self-contained page with interactive figures, the run's provenance
and, for the run/ of an unpacked replication package, the package's checksums; it needs no
network), figures/*.svg and summary.json. Malformed result lines are
listed and skipped, never fatal.
  --out DIR   where to write (default: <run-dir>/report)
  --json      print {reportPath, htmlPath, summaryPath, figures, malformedLines, claims} as JSON
Exit codes: 0 report written; 1 not a readable run directory; 130 stopped by Ctrl-C.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'analyse a run: report.md, report.html, SVG figures and summary.json with a verdict per claim',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('report', args, { out: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const runDir = path.resolve(io.cwd, requirePositional('report', positionals, 'run-dir', usage));
    const o = validateOptions('report', z.object({ out: z.string().min(1).optional(), json: z.boolean().default(false) }), values);
    // The default, <run-dir>/report, is only prepared inside something that looks like a run.
    const outDir = o.out
      ? await prepareOutputDir('report', '--out', path.resolve(io.cwd, o.out))
      : existsSync(path.join(runDir, 'plan.json'))
        ? await prepareOutputDir('report', '--out (default <run-dir>/report)', path.join(runDir, 'report'))
        : undefined;
    // Ctrl-C stops the report: nothing more is read or written, exit 130.
    const signals = new StopSignals('report', (line) => io.err(line));
    signals.running(undefined, 'stopping the report (nothing more is written)');
    let result: WriteReportResult;
    try {
      // A run unpacked from a replication package (`replan --into DIR`: DIR/run): report.html lists the package's checksums.
      result = await writeReport(runDir, { outDir, log: (line) => io.err(line), signal: signals.signal, package: packageProvenanceOf(runDir) });
    } catch (error) {
      if (signals.signal.aborted) {
        io.err(`curtain report: stopped; report.md was not written${outDir ? ` (figures already drawn stay in ${outDir})` : ''}`);
        return EXIT.interrupted;
      }
      throw error;
    } finally {
      signals.dispose();
    }
    const { summary, ...paths } = result;
    const verdicts = summary.claims.map((c) => ({ id: c.claim.id, verdict: c.verdict }));
    if (o.json) {
      io.out(JSON.stringify({ ...paths, claims: verdicts }, null, 2));
      return 0;
    }
    const count = (v: string) => verdicts.filter((c) => c.verdict === v).length;
    io.out(
      [
        `report: ${result.reportPath}`,
        `html: ${result.htmlPath} (self-contained, interactive figures)`,
        `summary: ${result.summaryPath}`,
        `figures: ${result.figures.length} in ${path.join(path.dirname(result.reportPath), 'figures')}`,
        summary.platform.emulated ? `platform: emulated (local profile ${summary.platform.profile ?? 'unknown'}, time scale ${summary.platform.timeScale})` : `platform: ${summary.platform.provider} ${summary.platform.region}`,
        `claims: ${VERDICTS.map((v) => `${count(v)} ${v}`).join(', ')}`,
        ...verdicts.map((c) => `  ${c.id}: ${c.verdict}`),
        ...(result.malformedLines > 0 ? [`malformed lines: ${result.malformedLines} (${summary.malformed.lines.length < result.malformedLines ? `the first ${summary.malformed.lines.length} ` : ''}listed in report.md)`] : []),
      ].join('\n'),
    );
    return 0;
  },
};
