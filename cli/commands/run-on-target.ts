/**
 * `curtain run <study> --target <provider>`: the study on the target's twin
 * (ProviderTarget.twin in targets/registry.ts: AWS's synthesized template on
 * loopback emulators, Cloudflare's Workers in workerd; docs/twins.md), written
 * in the bucket layout under --out and reported as `curtain report` would,
 * with a summary (records, verdicts, and the API calls per identity where the
 * twin evaluates permissions). Exit codes as `curtain run`.
 *
 * As on the local platform, and with the same code: `--out` is checked before
 * anything starts (output-dir.ts); the run directory is created and locked
 * before the twin starts, so a second run with the same id (running or
 * finished) is refused and never overwrites one (local/run-state/claim-run-dir.ts);
 * Ctrl-C or SIGTERM stops the twin (stop-signals.ts), which copies what the run
 * wrote and closes run.json honestly (twins/run-dir.ts), then exits 130.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveStudy } from '../../experiments/resolve-study';
import { claimNewRunDirectory, runDirectoryIn } from '../../local/run-state/claim-run-dir';
import { localRunDir } from '../../local/run-state/run-dir-layout';
import { PlanOverBudgetError } from '../../local/run/run-local-study';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import type { TwinOption, TwinRunRequest, TwinRunResult } from '../../targets/provider-target';
import { TARGETS } from '../../targets/registry';
import { CliError, EXIT } from '../cli-error';
import type { CliIo } from '../command';
import { prepareOutputDir } from '../output-dir';
import { StopSignals } from '../stop-signals';

/** The twin request as the command line gives it (the twin's own fields, documented on TwinRunRequest). */
export interface TargetRunOptions extends Omit<TwinRunRequest, 'outDir' | 'signal' | 'log'> {
  readonly out: string;
  readonly json: boolean;
  /** The twin-specific options the user typed (command-line names), checked against what the twin honours. */
  readonly given: readonly TwinOption[];
}

export async function runOnTarget(provider: ProviderId, o: TargetRunOptions, io: CliIo): Promise<number> {
  const { twin, guide } = TARGETS[provider];
  if (!twin) throw new CliError(`curtain run: the ${provider} target has no twin on this machine; deploy it (${guide})`, EXIT.usage);
  const ignored = o.given.filter((option) => !twin.options.includes(option));
  if (ignored.length > 0) {
    io.err(`curtain run: --${ignored.join(', --')} do not apply to --target ${provider} (it takes ${twin.options.map((x) => `--${x}`).join(', ') || 'none of them'})`);
    return EXIT.usage;
  }
  // The study's id names the run directory (<out>/<study>/<run>), as it names the twin's plan; a study
  // that cannot be read is refused before --out is created.
  const studyId = resolveStudy(o.study, o.sets).definition.id;
  const outDir = await prepareOutputDir('run', '--out', path.resolve(io.cwd, o.out));
  const run = o.run ?? newRunId();
  const runDir = runDirectoryIn(outDir, studyId, run);
  const lock = await claimNewRunDirectory(runDir, { resumable: false });
  const signals = new StopSignals('run', (text) => io.err(text));
  signals.running(undefined, 'stopping; the twin ends its processes, copies what the run wrote and closes run.json (again to stop at once)');
  try {
    io.err(`curtain run ${o.study} --target ${provider}: ${twin.description}`);
    const result = await twin.run({
      study: o.study,
      sets: o.sets,
      outDir,
      profile: o.profile,
      profileSet: o.profileSet,
      timeScale: o.timeScale,
      seed: o.seed,
      bundles: o.bundles === undefined ? undefined : path.resolve(io.cwd, o.bundles),
      maxInvocations: o.maxInvocations,
      run,
      report: o.report,
      signal: signals.signal,
      log: (line) => io.err(line),
    });
    io.out(o.json ? JSON.stringify({ provider, ...result, elapsedMs: Math.round(result.elapsedMs) }, null, 2) : summary(provider, result, io.cwd));
    if (result.status === 'interrupted' || signals.signal.aborted) return EXIT.interrupted;
    return result.status === 'completed' ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (error instanceof PlanOverBudgetError) {
      io.err(`curtain: ${error.message}`);
      return EXIT.overBudget;
    }
    throw error;
  } finally {
    signals.dispose();
    lock.release();
    releaseRunDirectory(runDir);
  }
}

/** Removes the lock's folder, and the run directory itself when the twin wrote nothing into it (it never started). */
function releaseRunDirectory(runDir: string): void {
  rmSync(localRunDir(runDir), { recursive: true, force: true });
  const left = (() => {
    try {
      return readdirSync(runDir);
    } catch {
      return null;
    }
  })();
  if (left !== null && left.length === 0) rmSync(runDir, { recursive: true, force: true });
}

function summary(provider: ProviderId, result: TwinRunResult, cwd: string): string {
  const lines = [
    `run ${result.run} on the ${provider} twin: ${result.status}, ${result.records} of ${result.planned} records in ${(result.elapsedMs / 1000).toFixed(1)} s` +
      (result.templateHash ? ` (template ${result.templateHash.slice(0, 12)})` : ''),
  ];
  if (result.calls) {
    const byIdentity = new Map<string, number>();
    for (const c of result.calls) byIdentity.set(c.identity, (byIdentity.get(c.identity) ?? 0) + 1);
    lines.push(`API calls: ${[...byIdentity].map(([id, n]) => `${id} ${n}`).join(', ') || 'none'}; denied: ${result.calls.filter((c) => !c.allowed).length}`);
  }
  if (result.failure) lines.push(`failed: ${result.failure}`);
  lines.push(result.runDir ? `run directory: ${path.relative(cwd, result.runDir) || '.'}${result.calls ? ' (twin.json lists the calls per identity)' : ''}` : 'no run directory: the run wrote nothing');
  if (result.report) lines.push(`report: ${path.relative(cwd, result.report)}`, ...result.claims.map((c) => `  ${c.id}: ${c.verdict}`));
  return lines.join('\n');
}
