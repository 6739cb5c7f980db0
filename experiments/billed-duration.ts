/**
 * The duration a provider bills for an invocation, by the capability table's dated
 * rules (experiments/capabilities.ts `durationBilling`): the rule in force at a date,
 * and the billed milliseconds for a measured duration under it.
 */
import { CAPABILITIES, type DurationBilling } from './capabilities';
import type { ProviderId } from './schema';

/** The rule in force at `asOf` (`YYYY-MM` or an ISO date); the oldest rule for dates before every rule. */
export function durationBillingAt(provider: ProviderId, asOf: string): DurationBilling {
  const rules = CAPABILITIES[provider].durationBilling;
  const month = asOf.slice(0, 7);
  return rules.reduce((chosen, rule) => (rule.since <= month ? rule : chosen), rules[0]!);
}

/** The rule in force now (the cost model's increment). */
export function currentDurationBilling(provider: ProviderId): DurationBilling {
  const rules = CAPABILITIES[provider].durationBilling;
  return rules[rules.length - 1]!;
}

export function billedDurationMs(rule: Pick<DurationBilling, 'incrementMs' | 'minimumMs'>, durationMs: number): number {
  return Math.max(rule.minimumMs, Math.ceil(durationMs / rule.incrementMs) * rule.incrementMs);
}
