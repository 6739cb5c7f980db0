/**
 * planStudy: definition + provider → StudyPlan.
 *
 * Deterministic: the same definition and options give the same plan and the
 * same `hash` (no clocks, no randomness; catalog studies that need random
 * parameters draw them from a seeded generator when they are built).
 */
import { CAPABILITIES } from './capabilities';
import { canonicalJson, contentHash } from './canonical-json';
import { estimateCost } from './cost';
import { PlanRefusedError, parseOrThrow, ValidationError } from './errors';
import { expandSchedule } from './expand-schedule';
import { expandFunctions } from './plan-functions';
import { regionProblem } from './target-names';
import { PLAN_SCHEMA_VERSION, type PlanStep, StudyPlan } from './plan-schema';
import { plannedStepSeconds } from './planned-duration';
import { isAnchoredWait } from '../probe-runtime/contracts/anchored-waits';
import { type ProviderId, StudyDefinition } from './schema';

export interface PlanOptions {
  provider: ProviderId;
  /** Defaults to the provider's default region. */
  region?: string;
  /** Hosting plan (e.g. Azure `consumption` or `flex`); defaults to the provider's default. */
  hosting?: string;
  /** Override the definition's budget (CLI --max-usd / --max-invocations, cdk -c budget=). */
  budget?: { maxUsd?: number; maxInvocations?: number };
}

export function planStudy(definitionInput: unknown, options: PlanOptions): StudyPlan {
  const definition = parseOrThrow(StudyDefinition, definitionInput, 'study definition');
  const caps = CAPABILITIES[options.provider];
  // A region is printed into rerun commands and used in resource names: refuse a malformed one here, where it enters.
  const badRegion = options.region === undefined ? null : regionProblem(options.provider, options.region);
  if (badRegion) throw new ValidationError('plan options', [{ path: 'region', message: badRegion }]);
  const hostingName = options.hosting ?? caps.defaultHosting;
  const hosting = caps.hosting[hostingName];
  if (!hosting) {
    throw new PlanRefusedError(definition.id, options.provider, [
      `unknown hosting plan "${hostingName}"; ${caps.displayName} offers ${Object.keys(caps.hosting).join(', ')}`,
    ]);
  }
  const notMeasurable = caps.notMeasurable?.[definition.analysis.kind];
  if (!definition.providers.includes(options.provider) || notMeasurable) {
    throw new PlanRefusedError(definition.id, options.provider, [
      notMeasurable
        ? `analysis ${definition.analysis.kind} is not measurable on ${caps.displayName}: ${notMeasurable}`
        : `the study declares providers ${definition.providers.join(', ')}; ${options.provider} is not one of them`,
    ]);
  }

  const { functions, adaptations, refusals } = expandFunctions(definition, options.provider, hosting);
  if (refusals.length > 0) throw new PlanRefusedError(definition.id, options.provider, refusals);
  const schedule = expandSchedule({
    provider: options.provider,
    definition,
    functions,
    hosting,
    configUpdates: caps.configUpdates,
    driverMaxRequestsPerShard: caps.driverMaxRequestsPerShard,
  });
  if (schedule.refusals.length > 0) throw new PlanRefusedError(definition.id, options.provider, schedule.refusals);
  const steps = schedule.steps;
  const anchoredRefusal = anchoredWaitRefusal(definition.id, options.provider, steps);
  if (anchoredRefusal) throw new PlanRefusedError(definition.id, options.provider, [anchoredRefusal]);

  const warnings: string[] = [...schedule.warnings];
  const peak = Math.max(0, ...steps.map((s) => (s.kind === 'burst' ? s.concurrency : 0)));
  if (peak > hosting.defaultConcurrencyLimit) {
    warnings.push(
      `a burst asks for ${peak} concurrent requests; the default limit of ${caps.displayName} (${hosting.name}) is ${hosting.defaultConcurrencyLimit}: expect throttling unless the quota is raised`,
    );
  }

  const invocations = sum(steps.map((s) => (s.kind === 'burst' ? s.requests : 0)));
  const maxAttempts = sum(steps.map((s) => (s.kind === 'burst' ? s.requests * (1 + s.retries) : 0)));
  const waitSeconds = sum(steps.map((s) => (s.kind === 'wait' ? s.seconds : 0)));
  const { units, ...cost } = estimateCost(options.provider, hostingName, functions, steps);

  const budget = {
    maxUsd: options.budget?.maxUsd ?? definition.budget.maxUsd,
    maxInvocations: options.budget?.maxInvocations ?? definition.budget.maxInvocations,
  };
  const reasons: string[] = [];
  if (cost.usd > budget.maxUsd) reasons.push(`estimated cost $${cost.usd.toFixed(4)} exceeds the budget of $${budget.maxUsd}`);
  if (maxAttempts > budget.maxInvocations) {
    reasons.push(`the schedule may make ${maxAttempts} attempts (retries included); the budget allows ${budget.maxInvocations}`);
  }

  const body = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    study: {
      id: definition.id,
      title: definition.title,
      experiment: definition.paper.experiment,
      section: definition.paper.section,
      definitionHash: contentHash(definition),
    },
    provider: options.provider,
    region: options.region ?? caps.defaultRegion,
    hosting: hostingName,
    parameters: definition.parameters,
    functions,
    steps,
    invocations,
    maxAttempts,
    duration: { waitSeconds, estimatedSeconds: Math.round(estimateSeconds(options.provider, steps)) },
    cost: { ...cost, units: { ...units } },
    budget: { ...budget, verdict: reasons.length > 0 ? ('over' as const) : ('within' as const), reasons },
    adaptations,
    warnings,
    analysis: definition.analysis,
    claims: definition.claims,
  };
  // Round-trip through canonical JSON so the returned object is exactly what is hashed and stored.
  const plain = JSON.parse(canonicalJson(body)) as Omit<StudyPlan, 'hash'>;
  return StudyPlan.parse({ ...plain, hash: contentHash(plain) });
}

/**
 * A plan with waits anchored to the run's start, for a provider whose orchestrator cannot end them on
 * time (capability `runAnchoredWaits`): one line naming the study and the first such step. Refused
 * rather than run with plain waits, which would drift by every step's duration.
 */
export function anchoredWaitRefusal(study: string, provider: ProviderId, steps: readonly PlanStep[]): string | null {
  if (CAPABILITIES[provider].runAnchoredWaits) return null;
  const anchored = steps.filter(isAnchoredWait);
  if (anchored.length === 0) return null;
  const first = anchored[0]!;
  const more = anchored.length > 1 ? ` (and ${anchored.length - 1} more)` : '';
  const able = (Object.keys(CAPABILITIES) as ProviderId[]).filter((p) => CAPABILITIES[p].runAnchoredWaits).sort();
  return `study ${study}, step ${first.id}${more}: the ${provider} orchestrator does not yet support run-anchored waits (untilSeconds, repeat every, open-loop arrivals); ${able.join(', ')} ${able.length === 1 ? 'runs' : 'run'} them`;
}

/** Expected wall time: waits, update settling, and each burst's barrier, send span and waves of requests. */
function estimateSeconds(provider: ProviderId, steps: PlanStep[]): number {
  return sum(steps.map((step) => plannedStepSeconds(provider, step)));
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
