/**
 * What twin.json says about permissions: per identity, the calls it made
 * (action → count, denied ones apart) and the actions its role grants that
 * no call used. Logs and X-Ray grants are used by the Lambda and Step
 * Functions services themselves (log delivery, tracing), which the twin does
 * not emulate, so they always show as unused here.
 */
import type { ApiCall, TwinIdentity } from './call-log';
import type { RoleUnderTest } from './template-roles';

export interface IdentitySummary {
  identity: string;
  roleArn: string;
  calls: Record<string, number>;
  denied: { action: string; resource: string }[];
  unusedGrants: string[];
}

export function summarizeCalls(calls: readonly ApiCall[], roles: readonly RoleUnderTest[], identities: readonly TwinIdentity[]): { identities: IdentitySummary[] } {
  return {
    identities: identities.map((identity) => {
      const mine = calls.filter((c) => c.identity === identity.name && c.roleArn === identity.roleArn);
      const counts: Record<string, number> = {};
      for (const c of mine) counts[c.action] = (counts[c.action] ?? 0) + 1;
      const role = roles.find((r) => r.arn === identity.roleArn);
      const granted = new Set(
        (role?.policies ?? []).flatMap((p) => [p.Statement].flat()).filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat()),
      );
      const usedByRole = new Set(calls.filter((c) => c.roleArn === identity.roleArn && c.decision === 'allowed').map((c) => c.action.toLowerCase()));
      return {
        identity: identity.name,
        roleArn: identity.roleArn,
        calls: counts,
        denied: mine.filter((c) => c.decision !== 'allowed').map((c) => ({ action: c.action, resource: c.resource })),
        unusedGrants: [...granted].filter((a) => !usedByRole.has(a.toLowerCase())).sort(),
      };
    }),
  };
}
