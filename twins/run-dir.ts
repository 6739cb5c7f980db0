/**
 * What every twin reads back from the run directory it fetched: the records,
 * run.json's status, and the report with its verdict per claim, so that the
 * twins answer `curtain run --target` alike (targets/provider-target.ts, TwinRunResult).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadWriteReport } from '../local/run/report-bridge';
import type { TwinRunResult } from '../targets/provider-target';

/** Records in the run's step files (one per non-empty line of steps/**.jsonl). */
export function countRecords(runDir: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.jsonl')) n += readFileSync(full, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    }
  };
  try {
    walk(path.join(runDir, 'steps'));
  } catch (error) {
    // A run that stopped before its first step has no steps/ folder: no records.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return n;
}

/** The status run.json closed the run with, or 'missing' when it is absent or unreadable. */
export function readRunStatus(runDir: string): string {
  try {
    return String((JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { status?: unknown }).status);
  } catch {
    return 'missing';
  }
}

/** Writes the report as `curtain report` would; a report that fails is logged, never fails the run (its records are kept). */
export async function writeTwinReport(runDir: string, log: (line: string) => void): Promise<Pick<TwinRunResult, 'report' | 'claims'>> {
  try {
    const written = await loadWriteReport()(runDir, { log });
    return { report: written.reportPath, claims: written.summary.claims.map((c) => ({ id: c.claim.id, verdict: String(c.verdict) })) };
  } catch (error) {
    log(`twin: report: ${error instanceof Error ? error.message : String(error)}`);
    return { report: null, claims: [] };
  }
}
