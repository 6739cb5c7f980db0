/**
 * The end of a run on a twin that executes a synthesized template (AWS,
 * Azure, Google): once the execution is over and the run fetched, close
 * run.json honestly if the orchestrator left it open (twins/run-dir.ts), keep
 * a copy of the template and twin.json (probe-runtime/contracts/twin-record.ts)
 * beside the records, write the report, and answer `curtain run --target` in
 * the TwinRunResult shape. One place, so the three twins cannot drift apart
 * in what a completed, failed or stopped run means.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TWIN_RECORD_VERSION, type TwinIdentityCalls, type TwinRecord } from '../probe-runtime/contracts/twin-record';
import type { TwinApiCall, TwinRunRequest, TwinRunResult } from '../targets/provider-target';
import { endTwinRun, writeTwinReport } from './run-dir';

export interface TemplateTwinEnding {
  /** The provider whose twin ran (twin.json `target`, and who closes a run left open). */
  readonly target: string;
  readonly stack: string;
  /** The synthesized template the twin ran, the name its copy gets in the run directory, and its hash (canonical JSON). */
  readonly template: { readonly file: string; readonly copyAs: string; readonly hash: string };
  readonly run: string;
  /** The fetched run directory, or null when nothing was fetched. */
  readonly runDir: string | null;
  readonly planned: number;
  /** What stopped the execution or the fetch, if anything: run.json's reason when the twin has to close it. */
  readonly stopFailure: string | null;
  /** Every failure so far, in the order the twin found them (execution, faults, denied calls, fetch). */
  readonly failures: readonly string[];
  readonly identities: readonly TwinIdentityCalls[];
  readonly calls: readonly TwinApiCall[];
  /** Where the results should have been written, for the failure when nothing was (e.g. `the results bucket`). */
  readonly store: string;
  /** performance.now() when the run began. */
  readonly began: number;
}

export type TemplateTwinResult = TwinRunResult & { readonly templateHash: string; readonly calls: readonly TwinApiCall[] };

export async function closeTemplateTwinRun(ending: TemplateTwinEnding, request: TwinRunRequest): Promise<TemplateTwinResult> {
  const { runDir } = ending;
  const stopped = request.signal?.aborted === true;
  const failures = [...ending.failures];
  const end = runDir
    ? await endTwinRun(runDir, { closedBy: `curtain run --target ${ending.target} (pid ${process.pid})`, signal: request.signal, failure: ending.stopFailure, log: request.log })
    : null;
  if (end && end.runStatus !== 'completed' && failures.length === 0 && !stopped) failures.push(`run.json says ${end.runStatus}`);
  if (!runDir && failures.length === 0 && !stopped) failures.push(`the run wrote nothing to ${ending.store}`);
  if (runDir) {
    copyFileSync(ending.template.file, path.join(runDir, ending.template.copyAs));
    const record: TwinRecord = {
      v: TWIN_RECORD_VERSION,
      target: ending.target,
      stack: ending.stack,
      templateHash: ending.template.hash,
      failures,
      identities: [...ending.identities],
    };
    writeFileSync(path.join(runDir, 'twin.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
  const written = runDir ? await writeTwinReport(runDir, request) : { report: null, claims: [] };
  return {
    run: ending.run,
    runDir,
    status: stopped ? 'interrupted' : failures.length === 0 ? 'completed' : 'failed',
    failure: failures.length === 0 ? null : failures.join('; '),
    planned: ending.planned,
    records: end?.records ?? 0,
    templateHash: ending.template.hash,
    calls: ending.calls,
    ...written,
    elapsedMs: performance.now() - ending.began,
  };
}
