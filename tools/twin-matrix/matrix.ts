/**
 * The twin matrix: every catalog study, at its smallest parameters
 * (smallest-sets.ts), through every registered target that has an offline
 * twin (targets/registry.ts; a twin registered later is in the matrix without
 * an edit here), each cell run through the twin's `TwinRunner` contract with
 * the processes it starts watched by PID (process-watch.ts). Used by
 * test/e2e/twin-matrix.e2e.test.ts and `npm run twin-matrix`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOG, type CatalogStudy } from '../../experiments/catalog';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import type { ProviderTarget, TwinRunner, TwinRunResult } from '../../targets/provider-target';
import { TARGET_LIST } from '../../targets/registry';
import { ProcessWatch, type WatchedProcess } from './process-watch';
import { smallestSets } from './smallest-sets';

export interface MatrixCell {
  readonly target: ProviderTarget & { readonly twin: TwinRunner };
  readonly study: CatalogStudy;
  readonly sets: Record<string, unknown>;
  /** The study planned for the target at those parameters: what the twin must record. */
  readonly plan: StudyPlan;
}

/** Every (twin, study) pair whose study declares the twin's provider, in registry then catalog order. */
export function matrixCells(): MatrixCell[] {
  const twins = TARGET_LIST.filter((t): t is ProviderTarget & { twin: TwinRunner } => t.twin !== undefined);
  return twins.flatMap((target) =>
    CATALOG.flatMap((study) => {
      const sets = smallestSets(study);
      const definition = buildCatalogStudy(study.id, sets);
      if (!definition.providers.includes(target.id)) return [];
      return [{ target, study, sets, plan: planStudy(definition, { provider: target.id }) }];
    }),
  );
}

export interface CellOutcome {
  /** The twin's result, or null when it threw (a refusal or a crash: `error`). */
  readonly result: TwinRunResult | null;
  readonly error: string | null;
  /** run.json as fetched, or null when the run left none. */
  readonly runJson: { status?: unknown; templateHash?: unknown } | null;
  /** Every process the cell started (descendants of this process while it ran). */
  readonly started: readonly WatchedProcess[];
  /** Those still alive after the run returned (and a short grace); they have been ended by PID. */
  readonly leftovers: readonly WatchedProcess[];
  readonly wallMs: number;
}

export async function runCell(cell: MatrixCell, outDir: string, log: (line: string) => void): Promise<CellOutcome> {
  const watch = new ProcessWatch();
  const began = performance.now();
  let result: TwinRunResult | null = null;
  let error: string | null = null;
  try {
    result = await cell.target.twin.run({ study: cell.study.id, sets: cell.sets, outDir, report: false, log });
  } catch (thrown) {
    error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  }
  const wallMs = performance.now() - began;
  // Whether the run returned or threw: whatever it left running is found and ended by PID.
  const started = watch.stop();
  const leftovers = await watch.leftovers();
  watch.kill(leftovers);
  let runJson: CellOutcome['runJson'] = null;
  if (result?.runDir) {
    try {
      runJson = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8'));
    } catch {
      runJson = null;
    }
  }
  return { result, error, runJson, started, leftovers, wallMs };
}
