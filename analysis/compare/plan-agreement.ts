/**
 * Whether the two sides of a comparison executed the same plan. A plan's hash
 * is the sha256 of its content (experiments/plan.ts), so equal hashes mean the
 * same study, parameters, target and schedule, provided each plan.json still
 * matches its hash. openRun refuses a plan edited after the run (hash kept)
 * before anything is analysed; should RunFiles come from elsewhere, it is
 * caught here too and the comparison says it cannot tell.
 */
import { planContentHash } from '../../experiments/plan-integrity';
import type { RunFiles } from '../run/run-files';

export interface PlanAgreement {
  /** True: one plan on both sides; false: different plans; null: cannot be told (a plan.json was edited). */
  same: boolean | null;
  hashA: string;
  hashB: string;
  /** Labels of runs whose plan.json no longer matches its hash. */
  altered: string[];
  notes: string[];
}

interface LabelledFiles {
  label: string;
  files: RunFiles;
}

export function planAgreement(a: readonly LabelledFiles[], b: readonly LabelledFiles[]): PlanAgreement {
  const planA = a[0]!.files.plan;
  const planB = b[0]!.files.plan;
  const altered = [...a, ...b].filter((r) => !planIntact(r.files)).map((r) => r.label);
  const base = { hashA: planA.hash, hashB: planB.hash, altered };
  if (altered.length > 0) {
    return {
      ...base,
      same: null,
      notes: [`The plan.json of run${altered.length > 1 ? 's' : ''} ${altered.join(', ')} no longer matches its hash (edited after the run): whether the sides executed the same plan cannot be told.`],
    };
  }
  if (planA.hash === planB.hash) return { ...base, same: true, notes: [`Both sides executed the same plan (${planA.hash.slice(0, 12)}; every plan.json checked against its hash).`] };
  const notes = [`The sides executed different plans (A ${planA.hash.slice(0, 12)}, B ${planB.hash.slice(0, 12)}).`];
  if (planA.study.definitionHash === planB.study.definitionHash) notes.push('Both come from the same study definition, planned for different targets.');
  else {
    const pa = planA.parameters;
    const pb = planB.parameters;
    const changed = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]));
    notes.push(`They come from different study definitions${changed.length ? ` (parameters differ: ${changed.join(', ')})` : ''}.`);
  }
  return { ...base, same: false, notes };
}

/** plan.json still hashes to the hash it carries. */
function planIntact(files: RunFiles): boolean {
  return planContentHash(files.plan) === files.plan.hash;
}
