/**
 * Which plans the CDK for Terraform app synthesizes, from the environment
 * (cdktf has no command-line context of its own). For the CDK for Terraform
 * targets of the registry (today gcp and azure):
 *
 *   CURTAIN_STUDY          comma-separated catalog study ids (every catalog study when unset)
 *   CURTAIN_PROVIDERS      a comma-separated subset of the targets (default all)
 *   CURTAIN_<ID>_REGION    a target's region (default: the capability table's), e.g. CURTAIN_GCP_REGION
 *   CURTAIN_<ID>_HOSTING   a target's hosting plan (default: the capability table's), e.g. CURTAIN_AZURE_HOSTING=flex
 *   CURTAIN_SET            study parameters, `name=value` pairs separated by `;` (as `curtain plan --set`)
 *   CURTAIN_DEFINITION     a user-written definition file (.json/.ts) instead of catalog studies
 *   CURTAIN_MAX_USD        override the budget's maximum cost
 *   CURTAIN_NOW            the date the run is deployed (ISO; default now): runtime end-of-support checks
 *   CURTAIN_BUNDLE_ROOT    deploy the bundles of this directory's dist/runtime as they are
 *                          (e.g. a replication package's exact bundles) instead of building the checkout's
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
import { userPath } from '../../experiments/target-names';
import { listIds } from '../../probe-runtime/contracts/providers';
import type { CdktfDeployment, ProviderTarget } from '../../targets/provider-target';
import { TargetRefusedError } from '../../targets/target-errors';
import { targetVariable } from './target-variables';

/** A target of the registry deployed with CDK for Terraform. */
export type CdktfTarget = ProviderTarget & { readonly deployment: CdktfDeployment };

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The zod schema of the synthesis environment for these targets. */
export function synthEnvironmentSchema(targets: readonly CdktfTarget[]) {
  const ids = targets.map((t) => t.id as string);
  const perTarget = Object.fromEntries(
    targets.flatMap((t) => [
      [targetVariable(t.id, 'REGION'), z.string().regex(t.options.region.pattern, `expected a ${t.capabilities.displayName} region such as ${t.options.region.example}`).optional()],
      [targetVariable(t.id, 'HOSTING'), z.enum(Object.keys(t.capabilities.hosting) as [string, ...string[]]).optional()],
    ]),
  ) as Record<string, z.ZodOptional<z.ZodString> | z.ZodOptional<z.ZodEnum>>;
  return z.object({
    CURTAIN_STUDY: z.string().optional(),
    CURTAIN_PROVIDERS: z
      .string()
      .optional()
      .refine((v) => list(v).every((p) => ids.includes(p)), `expected a comma-separated list of ${listIds(ids)}`),
    ...perTarget,
    CURTAIN_SET: z.string().optional(),
    CURTAIN_DEFINITION: userPath.optional(),
    CURTAIN_MAX_USD: z.coerce.number().positive().optional(),
    CURTAIN_BUNDLE_ROOT: userPath.optional(),
    CURTAIN_NOW: z.string().refine((v) => !Number.isNaN(new Date(v).getTime()), 'expected an ISO date such as 2027-05-01').optional(),
  });
}

export type SynthEnvironment = { [key: string]: string | number | undefined } & {
  CURTAIN_STUDY?: string;
  CURTAIN_PROVIDERS?: string;
  CURTAIN_SET?: string;
  CURTAIN_DEFINITION?: string;
  CURTAIN_MAX_USD?: number;
  CURTAIN_BUNDLE_ROOT?: string;
  CURTAIN_NOW?: string;
};

/** The validated synthesis environment (throws a ValidationError naming the variable). */
export function synthEnvironment(env: NodeJS.ProcessEnv, targets: readonly CdktfTarget[]): SynthEnvironment {
  const parsed = synthEnvironmentSchema(targets).safeParse(env);
  if (!parsed.success) throw new ValidationError('synthesis environment', problemsFromZod(parsed.error));
  return parsed.data as SynthEnvironment;
}

/** The CURTAIN_SET pairs. */
export function synthSets(o: SynthEnvironment): Record<string, unknown> {
  return parseSets((o.CURTAIN_SET ?? '').split(/[;\n]/).map((pair) => pair.trim()).filter((pair) => pair !== ''));
}

export interface SelectedPlan {
  target: CdktfTarget;
  plan: StudyPlan;
  /** Stack name: `<provider>-<study>`. */
  stack: string;
}

export interface Selection {
  plans: SelectedPlan[];
  /** One line per skipped study and provider, with the reason. */
  skipped: string[];
}

export class SynthSelectionError extends Error {
  override name = 'SynthSelectionError';
}

export function selectPlans(env: NodeJS.ProcessEnv, targets: readonly CdktfTarget[]): Selection {
  const o = synthEnvironment(env, targets);
  const text = (name: string) => o[name] as string | undefined;
  const sets = synthSets(o);
  const now = planningDate(env);
  // A user definition is always explicit; catalog studies are explicit when CURTAIN_STUDY names them.
  const definitionFile = text('CURTAIN_DEFINITION');
  const userDefinition = definitionFile ? resolveDefinitionFile(definitionFile, sets).definition : null;
  const explicit = userDefinition ? [userDefinition.id] : list(text('CURTAIN_STUDY'));
  if (!userDefinition) for (const id of explicit) catalogStudy(id); // unknown ids fail with a suggestion
  const studies = explicit.length > 0 ? explicit : CATALOG.map((s) => s.id);
  const definitionOf = (study: string): StudyDefinition => userDefinition ?? buildCatalogStudy(study, sets);
  const chosen = list(text('CURTAIN_PROVIDERS'));
  const selected = chosen.length > 0 ? targets.filter((t) => chosen.includes(t.id)) : targets;

  const plans: SelectedPlan[] = [];
  const skipped: string[] = [];
  for (const study of studies) {
    const definition = definitionOf(study);
    for (const target of selected) {
      const stack = target.deployment.stackName(study);
      const refuse = (reason: string) => {
        if (explicit.includes(study)) throw new SynthSelectionError(`curtain: cannot synthesize ${stack}: ${reason}`);
        skipped.push(`${stack}: skipped: ${reason}`);
      };
      if (!definition.providers.includes(target.id)) {
        // Not an error even when named: the study does not claim to run there.
        const notMeasurable = target.capabilities.notMeasurable?.[definition.analysis.kind];
        skipped.push(`${stack}: skipped: ${notMeasurable ? `analysis ${definition.analysis.kind} is not measurable on ${target.capabilities.displayName}: ${notMeasurable}` : `the study does not declare ${target.id}`}`);
        continue;
      }
      try {
        const plan = planStudy(definition, {
          provider: target.id,
          region: text(targetVariable(target.id, 'REGION')),
          hosting: text(targetVariable(target.id, 'HOSTING')),
          budget: { maxUsd: o.CURTAIN_MAX_USD },
        });
        if (plan.budget.verdict === 'over') {
          refuse(`over budget (${plan.budget.reasons.join('; ')})`);
          continue;
        }
        const lifecycle = runtimeLifecycleFindings(plan, now);
        if (lifecycle.refusals.length > 0) {
          refuse(lifecycle.refusals.join('; '));
          continue;
        }
        target.deployment.vet(plan);
        plans.push({ target, plan, stack });
      } catch (error) {
        if (error instanceof SynthSelectionError) throw error;
        if (error instanceof PlanRefusedError) refuse(error.reasons.join('; '));
        else if (error instanceof TargetRefusedError) refuse(error.message);
        else throw error;
      }
    }
  }
  return { plans, skipped };
}
