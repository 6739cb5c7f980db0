/**
 * What twin.json (probe-runtime/contracts/twin-record.ts) says about
 * permissions: per identity, the calls it made (per action, allowed and
 * denied, the denied ones with their resource) and the actions its role
 * grants that no call used. Logs and X-Ray grants are used by the Lambda and
 * Step Functions services themselves (log delivery, tracing), which the twin
 * does not emulate, so they always show as unused here.
 */
import type { TwinIdentityCalls } from '../../probe-runtime/contracts/twin-record';
import type { ApiCall, TwinIdentity } from './call-log';
import type { RoleUnderTest } from './template-roles';

export function summarizeCalls(calls: readonly ApiCall[], roles: readonly RoleUnderTest[], identities: readonly TwinIdentity[]): { identities: TwinIdentityCalls[] } {
  return {
    identities: identities.map((identity) => {
      const mine = calls.filter((c) => c.identity === identity.name && c.roleArn === identity.roleArn);
      const actions = new Map<string, { action: string; allowed: number; denied: number }>();
      for (const c of mine) {
        const entry = actions.get(c.action) ?? { action: c.action, allowed: 0, denied: 0 };
        if (c.decision === 'allowed') entry.allowed += 1;
        else entry.denied += 1;
        actions.set(c.action, entry);
      }
      const role = roles.find((r) => r.arn === identity.roleArn);
      const granted = new Set(
        (role?.policies ?? []).flatMap((p) => [p.Statement].flat()).filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat()),
      );
      const usedByRole = new Set(calls.filter((c) => c.roleArn === identity.roleArn && c.decision === 'allowed').map((c) => c.action.toLowerCase()));
      return {
        identity: identity.name,
        principal: identity.roleArn,
        actions: [...actions.values()].sort((a, b) => a.action.localeCompare(b.action)),
        denied: mine.filter((c) => c.decision !== 'allowed').map((c) => ({ action: c.action, resource: c.resource })),
        unusedGrants: [...granted].filter((a) => !usedByRole.has(a.toLowerCase())).sort(),
      };
    }),
  };
}
