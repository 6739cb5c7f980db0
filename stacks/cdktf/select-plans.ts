/**
 * Which plans the CDK for Terraform app synthesizes, from the environment
 * (cdktf has no command-line context of its own):
 *
 *   CURTAIN_STUDY         comma-separated catalog study ids (every catalog study when unset)
 *   CURTAIN_PROVIDERS     gcp, azure or both (default both)
 *   CURTAIN_GCP_REGION    Google region (default: the capability table's)
 *   CURTAIN_AZURE_REGION  Azure region (default: the capability table's)
 *   CURTAIN_AZURE_HOSTING consumption or flex (default consumption)
 *   CURTAIN_SET           study parameters, `name=value` pairs separated by `;` (as `curtain plan --set`)
 *   CURTAIN_DEFINITION    a user-written definition file (.json/.ts) instead of catalog studies
 *   CURTAIN_MAX_USD       override the budget's maximum cost
 *   CURTAIN_NOW           the date the run is deployed (ISO; default now): runtime end-of-support checks
 *   CURTAIN_BUNDLE_ROOT   deploy the bundles of this directory's dist/runtime as they are
 *                         (e.g. a replication package's exact bundles) instead of building the checkout's
 *
 * A study a provider refuses, a plan over budget, or a plan a target cannot
 * deploy is skipped with a one-line message naming the reason; when the user
 * named the study explicitly the synthesis fails instead.
 */
import { z } from 'zod';
import { CATALOG } from '../../experiments/catalog';
import { PlanRefusedError, ValidationError, problemsFromZod } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { StudyDefinition } from '../../experiments/schema';
import { buildCatalogStudy, catalogStudy, parseSets, resolveDefinitionFile } from '../../experiments/resolve-study';
import { planningDate, runtimeLifecycleFindings } from '../../experiments/runtime-lifecycle';
import { REGION_NAMES, userPath } from '../../experiments/target-names';

export const CDKTF_PROVIDERS = ['gcp', 'azure'] as const;
export type CdktfProvider = (typeof CDKTF_PROVIDERS)[number];

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export const SynthEnvironment = z.object({
  CURTAIN_STUDY: z.string().optional(),
  CURTAIN_PROVIDERS: z
    .string()
    .optional()
    .refine((v) => list(v).every((p) => (CDKTF_PROVIDERS as readonly string[]).includes(p)), 'expected a comma-separated list of gcp, azure'),
  CURTAIN_GCP_REGION: z.string().regex(REGION_NAMES.gcp.pattern, `expected a Google region such as ${REGION_NAMES.gcp.example}`).optional(),
  CURTAIN_AZURE_REGION: z.string().regex(REGION_NAMES.azure.pattern, `expected an Azure region such as ${REGION_NAMES.azure.example}`).optional(),
  CURTAIN_AZURE_HOSTING: z.enum(['consumption', 'flex']).optional(),
  CURTAIN_SET: z.string().optional(),
  CURTAIN_DEFINITION: userPath.optional(),
  CURTAIN_MAX_USD: z.coerce.number().positive().optional(),
  CURTAIN_BUNDLE_ROOT: userPath.optional(),
  CURTAIN_NOW: z.string().refine((v) => !Number.isNaN(new Date(v).getTime()), 'expected an ISO date such as 2027-05-01').optional(),
});

/** The validated synthesis environment (throws a ValidationError naming the variable). */
export function synthEnvironment(env: NodeJS.ProcessEnv): z.output<typeof SynthEnvironment> {
  const parsed = SynthEnvironment.safeParse(env);
  if (!parsed.success) throw new ValidationError('synthesis environment', problemsFromZod(parsed.error));
  return parsed.data;
}

/** The CURTAIN_SET pairs. */
export function synthSets(o: z.output<typeof SynthEnvironment>): Record<string, unknown> {
  return parseSets((o.CURTAIN_SET ?? '').split(/[;\n]/).map((pair) => pair.trim()).filter((pair) => pair !== ''));
}

export interface SelectedPlan {
  provider: CdktfProvider;
  plan: StudyPlan;
  /** Stack name: `gcp-<study>` or `azure-<study>`. */
  stack: string;
}

export interface Selection {
  plans: SelectedPlan[];
  /** One line per skipped study and provider, with the reason. */
  skipped: string[];
}

export class SynthSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthSelectionError';
  }
}

/** A target cannot deploy a valid plan (e.g. its orchestrator would exceed a platform limit). */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/** A check a target runs on a plan before building its stack; throws TargetRefusedError to refuse. */
export type PlanVetter = (provider: CdktfProvider, plan: StudyPlan) => void;

export function stackName(provider: CdktfProvider, study: string): string {
  return `${provider}-${study}`;
}

export function selectPlans(env: NodeJS.ProcessEnv, vet: PlanVetter = () => {}): Selection {
  const o = synthEnvironment(env);
  const sets = synthSets(o);
  // A user definition is always explicit; catalog studies are explicit when CURTAIN_STUDY names them.
  const userDefinition = o.CURTAIN_DEFINITION ? resolveDefinitionFile(o.CURTAIN_DEFINITION, sets).definition : null;
  const explicit = userDefinition ? [userDefinition.id] : list(o.CURTAIN_STUDY);
  if (!userDefinition) for (const id of explicit) catalogStudy(id); // unknown ids fail with a suggestion
  const studies = explicit.length > 0 ? explicit : CATALOG.map((s) => s.id);
  const definitionOf = (study: string): StudyDefinition => userDefinition ?? buildCatalogStudy(study, sets);
  const providers = (list(o.CURTAIN_PROVIDERS).length > 0 ? list(o.CURTAIN_PROVIDERS) : [...CDKTF_PROVIDERS]) as CdktfProvider[];

  const plans: SelectedPlan[] = [];
  const skipped: string[] = [];
  const now = planningDate(env);
  const refuse = (study: string, provider: CdktfProvider, reason: string) => {
    const line = `${stackName(provider, study)}: skipped: ${reason}`;
    if (explicit.includes(study)) throw new SynthSelectionError(`curtain: cannot synthesize ${line.replace(': skipped', '')}`);
    skipped.push(line);
  };
  for (const study of studies) {
    const definition = definitionOf(study);
    for (const provider of providers) {
      if (!definition.providers.includes(provider)) {
        // Not an error even when named: the study does not claim to run there.
        skipped.push(`${stackName(provider, study)}: skipped: the study does not declare ${provider}`);
        continue;
      }
      try {
        const plan = planStudy(definition, {
          provider,
          region: provider === 'gcp' ? o.CURTAIN_GCP_REGION : o.CURTAIN_AZURE_REGION,
          hosting: provider === 'azure' ? o.CURTAIN_AZURE_HOSTING : undefined,
          budget: { maxUsd: o.CURTAIN_MAX_USD },
        });
        if (plan.budget.verdict === 'over') {
          refuse(study, provider, `over budget (${plan.budget.reasons.join('; ')})`);
          continue;
        }
        const lifecycle = runtimeLifecycleFindings(plan, now);
        if (lifecycle.refusals.length > 0) {
          refuse(study, provider, lifecycle.refusals.join('; '));
          continue;
        }
        vet(provider, plan);
        plans.push({ provider, plan, stack: stackName(provider, study) });
      } catch (error) {
        if (error instanceof SynthSelectionError) throw error;
        if (error instanceof PlanRefusedError) refuse(study, provider, error.reasons.join('; '));
        else if (error instanceof TargetRefusedError) refuse(study, provider, error.message);
        else throw error;
      }
    }
  }
  return { plans, skipped };
}
