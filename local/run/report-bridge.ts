/**
 * The analysis entry `curtain run` calls at the end (pinned in analysis/README.md):
 *   writeReport(runDir, { outDir?, log? }) → { reportPath, summaryPath, figures, malformedLines }
 * Loaded lazily so a run does not pay for loading the analysis before it needs it.
 */
export interface ReportResult {
  reportPath: string;
  summaryPath: string;
  figures: string[];
  malformedLines: number;
}

export type WriteReport = (runDir: string, options?: { outDir?: string; log?: (line: string) => void; signal?: AbortSignal }) => Promise<ReportResult>;

/** The analysis's writeReport, or null when this checkout has no analysis module yet. */
export function loadWriteReport(): WriteReport | null {
  let mod: { writeReport?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../analysis') as { writeReport?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && /analysis/.test(String((error as Error).message))) return null;
    throw error;
  }
  return typeof mod.writeReport === 'function' ? (mod.writeReport as WriteReport) : null;
}
