/**
 * Closes a local run whose `curtain run` (or `curtain resume`) died: used by
 * `curtain close`, by the run's watchdog the moment its owner dies, and by the
 * reaper of a later run. Honestly, from what is on disk:
 *   - a shard whose driver died keeps the answers its journal holds; its other
 *     requests are `skipped` when the driver never began sending, else `error`
 *     with 0 attempts (fate unknown: they may have reached a probe);
 *   - shards of steps never reached are `skipped`;
 *   - run.json becomes `interrupted` with the steps completed (from the
 *     orchestrator's journal), a failure per shard with unresolved requests,
 *     the shard sends, and a note saying who closed it and why.
 * A run that never got as far as start-run (no plan.json) has nothing to close:
 * its directory, holding only the local-run state, is removed.
 * A run walked by another orchestrator (an offline twin's state machine or
 * Workflow, stopped by Ctrl-C and fetched) has no journals: there, the first
 * burst step with a shard missing is the one that was running, so its missing
 * shards are of unknown fate and the steps after it `skipped`.
 * The caller holds the run's lock.
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputFileError } from '../../experiments/errors';
import { shardRequestRange } from '../../experiments/expand-schedule';
import { planIntegrityProblem } from '../../experiments/plan-integrity';
import type { StudyPlan } from '../../experiments/plan-schema';
import { readManifestFile, readPlanFile } from '../../analysis/run/run-files';
import type { FinishRunEvent } from '../../probe-runtime/contracts/driver-event';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { closedManifest, manifestText } from '../../probe-runtime/driver/run-manifest';
import { createLocalDirSink } from '../../probe-runtime/driver/sinks/local-dir';
import type { z } from 'zod';
import { writeDeadDriverShard, writeFallbackShard } from '../orchestrator/fallback-records';
import { localRunDir, partialDir } from './run-dir-layout';
import { readJournal, stepsDone } from './run-journal';
import { readDriverJournal, readShardRecords, removeDriverJournal } from './shard-evidence';
import { shardSendsFromJournal } from './shard-sends';

export type CloseOutcome =
  | { kind: 'closed'; status: 'interrupted'; stepsCompleted: number; stepsTotal: number; shardsCompleted: number; unresolved: number; skipped: number }
  | { kind: 'already closed'; status: RunManifest['status'] }
  | { kind: 'removed'; reason: string };

/**
 * plan.json (integrity checked) and run.json of a local run directory, read as the analysis reads a
 * run (guarded: no links out of the run, no FIFOs, bounded sizes); null plan when start-run never wrote it.
 */
export async function readRunDocuments(runDir: string): Promise<{ plan: StudyPlan | null; manifest: RunManifest | null }> {
  const dir = path.resolve(runDir);
  const plan = await readPlanFile(dir);
  if (plan) {
    const problem = planIntegrityProblem(plan);
    if (problem) throw new InputFileError(path.join(dir, 'plan.json'), problem);
  }
  return { plan, manifest: await readManifestFile(dir) };
}

/** Whether run.json is a local run's (any other provider's run.json is closed by its own orchestrator). */
export function isLocalRun(manifest: RunManifest): boolean {
  return manifest.provider === 'local';
}

/** Who walked the run, which says what evidence of its sends there is. */
export type RunWalker =
  /** The local orchestrator (walk-plan.ts): its journal and the drivers' journals; the run's process died. */
  | { readonly kind: 'local' }
  /** Another orchestrator (a twin's), stopped: only the shards it wrote; `why` says how it stopped. */
  | { readonly kind: 'elsewhere'; readonly why: string };

export async function closeLocalRun(runDir: string, closedBy: string, walker: RunWalker = { kind: 'local' }): Promise<CloseOutcome> {
  const { plan, manifest } = await readRunDocuments(runDir);
  if (!plan) {
    // start-run never ran: nothing was sent, and a directory of local-run state alone is no run.
    const others = existsSync(runDir) ? readdirSync(runDir).filter((name) => name !== path.basename(localRunDir(runDir))) : [];
    if (others.length === 0) {
      rmSync(runDir, { recursive: true, force: true });
      return { kind: 'removed', reason: 'the run had not started (no plan.json): its directory was removed' };
    }
    throw new InputFileError(path.join(runDir, 'plan.json'), 'missing: not a run directory, or a run whose plan was removed');
  }
  if (manifest && manifest.status !== 'running') return { kind: 'already closed', status: manifest.status };
  if (!manifest) throw new InputFileError(path.join(runDir, 'run.json'), 'missing: a local run writes it together with plan.json');

  const run = manifest.run;
  const outRoot = path.dirname(path.dirname(runDir));
  const sink = createLocalDirSink(outRoot);
  const segments = readJournal(runDir).filter((e) => e.t === 'segment');
  const journalCapable = segments.length === 0 || (segments[segments.length - 1] as { driverJournals: boolean }).driverJournals;
  const failures = [...manifest.failures];
  // Without journals (another orchestrator): the step that was running is the first with a shard missing.
  const running =
    walker.kind === 'elsewhere'
      ? (plan.steps.find((step) => step.kind === 'burst' && Array.from({ length: step.shards }, (_, shard) => shard).some((shard) => !readShardRecords(runDir, plan, run, step, shard)))
          ?.index ?? plan.steps.length)
      : null;
  let shardsCompleted = 0;
  let unresolvedTotal = 0;
  let skippedTotal = 0;
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    for (let shard = 0; shard < step.shards; shard++) {
      const journal = readDriverJournal(runDir, plan, run, step, shard);
      const existing = readShardRecords(runDir, plan, run, step, shard);
      if (journal) {
        const records = await writeDeadDriverShard(sink, plan, run, step, shard, {
          existing,
          asked: journal.requests,
          journaled: journal.records,
          fate: () =>
            journal.sending
              ? { status: 'error', error: `the driver was sending when the run died (${closedBy}); no answer was recorded, so the probe may have run` }
              : { status: 'skipped', error: `not sent: the run died (${closedBy}) before the shard's driver began sending` },
        });
        removeDriverJournal(runDir, step, shard);
        const unresolved = records.filter((r) => r.status === 'error' && r.attempts === 0 && journal.requests.includes(r.request)).length;
        unresolvedTotal += unresolved;
        skippedTotal += records.filter((r) => r.status === 'skipped').length;
        if (unresolved > 0) {
          failures.push({
            step: step.index,
            shard,
            message: `the run died while the shard's driver was sending: ${journal.records.size} answer(s) kept, ${unresolved} request(s) of unknown fate (curtain resume --resend sends them again)`,
          });
        }
      } else if (existing === null) {
        const sent = running === null ? readJournal(runDir).some((e) => e.t === 'send' && e.step === step.index && e.shard === shard) : step.index === running;
        // A driver of this version journals before it sends: no journal means nothing left, unless the driver keeps none
        // (or the run was walked elsewhere, which keeps none).
        const reason =
          sent && (!journalCapable || running !== null)
            ? { status: 'error' as const, error: `the run died (${closedBy}) while the shard's driver ran; it keeps no journal, so the requests may have been sent` }
            : { status: 'skipped' as const, error: `not sent: the run died (${closedBy}) before this request was sent` };
        await writeFallbackShard(sink, plan, run, step, shard, reason);
        const { start, end } = shardRequestRange(step, shard);
        if (reason.status === 'error') {
          unresolvedTotal += end - start;
          failures.push({ step: step.index, shard, message: reason.error });
        } else skippedTotal += end - start;
      } else shardsCompleted += 1;
    }
  }
  rmSync(partialDir(runDir), { recursive: true, force: true });

  const journal = readJournal(runDir);
  const { leading } = stepsDone(journal);
  const finish: z.output<typeof FinishRunEvent> = {
    v: 1,
    action: 'finish-run',
    study: plan.study.id,
    run,
    planHash: plan.hash,
    status: 'interrupted',
    stepsCompleted: Math.min(running ?? leading, plan.steps.length),
    failures,
    shardSends: shardSendsFromJournal(journal, runDir, plan, run),
  };
  const note =
    walker.kind === 'local'
      ? `closed by ${closedBy} at ${new Date().toISOString()}: the run's process died while the run was running; every answer the drivers recorded is kept, requests never sent are skipped, and \`curtain resume\` can complete it`
      : `closed by ${closedBy} at ${new Date().toISOString()}: ${walker.why}; every shard the drivers wrote is kept, the missing shards of the step that was running are of unknown fate and later steps' are skipped`;
  const closed = closedManifest(manifest, () => manifest, finish, new Date().toISOString(), {
    toolVersion: manifest.tool.version,
    bundles: manifest.bundles,
    notes: [note],
    local: manifest.local,
  });
  writeAtomically(path.join(runDir, 'run.json'), manifestText(closed));
  return {
    kind: 'closed',
    status: 'interrupted',
    stepsCompleted: finish.stepsCompleted,
    stepsTotal: plan.steps.length,
    shardsCompleted,
    unresolved: unresolvedTotal,
    skipped: skippedTotal,
  };
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
