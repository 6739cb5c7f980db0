/**
 * The analysis entry `curtain run` calls at the end (analysis/index.ts, pinned
 * in analysis/README.md): writeReport(runDir, { outDir?, log?, appendix? }). Required on
 * use, so a run does not pay for loading the analysis (vega, every study's
 * analysis) before it needs it.
 */
import type { WriteReportResult, writeReport } from '../../analysis';

export type ReportResult = WriteReportResult;
export type WriteReport = typeof writeReport;

export function loadWriteReport(): WriteReport {
  return (require('../../analysis') as typeof import('../../analysis')).writeReport;
}
