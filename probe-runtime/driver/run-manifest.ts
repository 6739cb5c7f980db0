/**
 * The driver's side of `<study>/<run>/run.json`: opened by `start-run`, closed
 * by `finish-run`, whatever the run's outcome (every orchestrator catches
 * failures and still calls finish-run).
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { Deployment } from '../contracts/deployment';
import type { FinishRunEvent } from '../contracts/driver-event';
import { RUN_MANIFEST_VERSION, RunManifest } from '../contracts/run-manifest';
import { z } from 'zod';
import { DriverRefusedError, errorText, zodIssuesText } from './errors';

type FinishEvent = z.output<typeof FinishRunEvent>;

/** Provenance the driver's host supplies (the adapters read it from deployment.json or the local platform). */
export interface RunProvenance {
  toolVersion: string;
  bundles: RunManifest['bundles'];
  templateHash?: string | null;
  notes?: string[];
  local?: RunManifest['local'];
  /** Code, lockfile, runtimes and options (local: from `curtain run`; clouds: from deployment.json). */
  origin?: RunManifest['origin'];
}

export function openedManifest(plan: StudyPlan, deployment: Deployment, run: string, startedAt: string, provenance: RunProvenance): RunManifest {
  return {
    v: RUN_MANIFEST_VERSION,
    study: plan.study.id,
    run,
    provider: deployment.provider,
    region: deployment.region,
    planHash: plan.hash,
    tool: { name: 'curtain', version: provenance.toolVersion },
    bundles: provenance.bundles,
    templateHash: provenance.templateHash ?? null,
    startedAt,
    endedAt: null,
    status: 'running',
    stepsTotal: plan.steps.length,
    stepsCompleted: 0,
    failures: [],
    notes: provenance.notes ?? [],
    ...(provenance.local ? { local: provenance.local } : {}),
    ...(provenance.origin ? { origin: provenance.origin } : {}),
  };
}

/** Parses a run.json read back from the sink; a corrupt one is reported, never silently replaced. */
export function parseStoredManifest(text: string, key: string): RunManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriverRefusedError(`${key}: not JSON (${errorText(error)})`);
  }
  const result = RunManifest.safeParse(json);
  if (!result.success) throw new DriverRefusedError(`${key}: invalid run manifest: ${zodIssuesText(result.error)}`);
  return result.data;
}

/**
 * The closed manifest. When start-run never wrote one (it failed, or the run
 * was started by hand) the driver still closes the run, and says so in a note.
 */
export function closedManifest(
  existing: RunManifest | null,
  opened: () => RunManifest,
  event: FinishEvent,
  endedAt: string,
  provenance: RunProvenance,
): RunManifest {
  const base = existing ?? { ...opened(), notes: [...opened().notes, 'run.json was missing when the run finished; startedAt is the finish time'] };
  // What the host learnt during the run (the local platform's faults, notes) is merged in.
  const notes = [...new Set([...base.notes, ...(provenance.notes ?? [])])];
  return {
    ...base,
    ...(provenance.local ? { local: provenance.local } : {}),
    notes,
    endedAt,
    status: event.status,
    stepsCompleted: event.stepsCompleted,
    failures: event.failures,
    ...(event.shardSends && event.shardSends.length > 0 ? { shardSends: event.shardSends } : {}),
  };
}

export function manifestText(manifest: RunManifest): string {
  return `${JSON.stringify(RunManifest.parse(manifest), null, 2)}\n`;
}
