/**
 * What every twin does with the run directory it fetched, so that the twins
 * answer `curtain run --target` alike (targets/provider-target.ts, TwinRunResult):
 *   - a run whose orchestrator stopped without closing run.json (Ctrl-C, or an
 *     execution that died) is closed honestly, as `curtain close` closes a
 *     local run: `interrupted`, the steps completed, the shards that were
 *     running of unknown fate, later ones skipped (local/run-state/close-run.ts);
 *   - its records and run.json status are read as the analysis reads a run
 *     (guarded: no links out of the run, no FIFOs, bounded sizes and lines);
 *   - the report is written as `curtain report` would, unless the run was stopped
 *     (then `curtain report` writes it when the user asks).
 */
import path from 'node:path';
import { forEachLine } from '../analysis/run/line-reader';
import { openRun, readManifestFile, readPlanFile } from '../analysis/run/run-files';
import { closeLocalRun } from '../local/run-state/close-run';
import { loadWriteReport } from '../local/run/report-bridge';
import type { TwinRunResult } from '../targets/provider-target';

export interface TwinRunEnd {
  /** The status run.json ends with (after closing it, when the twin had to), or 'missing'. */
  readonly runStatus: string;
  readonly records: number;
}

export interface TwinRunEndOptions {
  /** Who closes a run left open, for run.json's note, e.g. `curtain run --target aws (pid 42)`. */
  readonly closedBy: string;
  /** Aborted when the run was stopped (Ctrl-C, SIGTERM). */
  readonly signal?: AbortSignal;
  /** Why the twin's execution failed, when it did. */
  readonly failure: string | null;
  log(line: string): void;
}

/** Closes a run left open and reads what it holds (call it before writing anything else into the run). */
export async function endTwinRun(runDir: string, options: TwinRunEndOptions): Promise<TwinRunEnd> {
  const stopped = options.signal?.aborted === true;
  let manifest = await readManifestFile(runDir);
  if (manifest?.status === 'running') {
    const why = stopped
      ? 'the run was stopped (Ctrl-C or SIGTERM) before its orchestrator closed it'
      : `the twin's orchestrator ended without closing it (${options.failure ?? 'no error reported'})`;
    const closed = await closeLocalRun(runDir, options.closedBy, { kind: 'elsewhere', why });
    if (closed.kind === 'closed') options.log(`twin: run.json closed as interrupted (${closed.stepsCompleted} of ${closed.stepsTotal} steps done; ${why})`);
    manifest = await readManifestFile(runDir);
  }
  return { runStatus: manifest?.status ?? 'missing', records: await countRecords(runDir) };
}

/**
 * The report as `curtain report` writes it, when asked for and the run was not stopped (then the user writes it
 * with `curtain report`); a report that fails is logged, never fails the run (its records are kept).
 */
export async function writeTwinReport(
  runDir: string,
  options: { readonly report: boolean; readonly signal?: AbortSignal; log(line: string): void },
): Promise<Pick<TwinRunResult, 'report' | 'claims'>> {
  if (!options.report) return { report: null, claims: [] };
  if (options.signal?.aborted) {
    options.log(`twin: report skipped: the run was stopped; write it with \`curtain report ${runDir}\``);
    return { report: null, claims: [] };
  }
  try {
    const written = await loadWriteReport()(path.resolve(runDir), { log: options.log });
    return { report: written.reportPath, claims: written.summary.claims.map((c) => ({ id: c.claim.id, verdict: String(c.verdict) })) };
  } catch (error) {
    options.log(`twin: report: ${error instanceof Error ? error.message : String(error)}`);
    return { report: null, claims: [] };
  }
}

/** Records in the run's shards (one per non-empty line), read as the analysis reads them; 0 when the run never started. */
async function countRecords(runDir: string): Promise<number> {
  if (!(await readPlanFile(runDir))) return 0;
  let n = 0;
  for (const shard of (await openRun(runDir)).shards) {
    await forEachLine(shard.path, (text) => {
      if (text.trim() !== '') n += 1;
    });
  }
  return n;
}
