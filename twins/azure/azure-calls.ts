/**
 * Who called what, by execution: every call the Azure twin serves (a probe
 * invoked with a function key, an ARM operation, a Blob operation) is recorded
 * with the caller's identity (the managed identity whose token it carries, or
 * the holder of the function key) and the decision: RBAC against the
 * synthesized role assignments (azure-roles.ts) for tokens, the app's keys
 * for function-key calls. The summary lists per identity the calls made, the
 * denied ones, and the granted operations never used.
 */
import type { TwinIdentityCalls } from '../../probe-runtime/contracts/twin-record';
import { type Assignment, decide, operationMatches } from './azure-roles';

export interface AzureCall {
  identity: string;
  action: string;
  resource: string;
  allowed: boolean;
  at: string;
}

export class AzureCallLog {
  readonly calls: AzureCall[] = [];

  constructor(
    private readonly assignments: readonly Assignment[],
    /** principal id → the name the run gives it (`driver`, ...). */
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  nameOf(principalId: string): string {
    return this.names.get(principalId) ?? principalId;
  }

  /** An RBAC-decided call by a managed identity. */
  authorize(principalId: string, operation: string, resource: string, dataAction: boolean): boolean {
    const { allowed } = decide(this.assignments, { principalId, operation, resource, dataAction });
    this.record(this.nameOf(principalId), operation, resource, allowed);
    return allowed;
  }

  record(identity: string, action: string, resource: string, allowed: boolean): void {
    this.calls.push({ identity, action, resource, allowed, at: new Date().toISOString() });
  }

  denied(): AzureCall[] {
    return this.calls.filter((c) => !c.allowed);
  }

  /**
   * Per identity, in twin.json's shape (probe-runtime/contracts/twin-record.ts, as the AWS and Google twins'): the
   * calls it made per action (allowed, denied), the denied ones, and its assignments' operations no allowed call
   * used (`<operation> on <scope>`). The principal is the managed identity's principal id (`none` for a caller
   * without one, e.g. a function key).
   */
  summary(): { identities: TwinIdentityCalls[] } {
    const names = [...new Set([...this.calls.map((c) => c.identity), ...this.assignments.map((a) => this.nameOf(a.principalId))])];
    return {
      identities: names.map((identity) => {
        const mine = this.calls.filter((c) => c.identity === identity);
        const actions = new Map<string, { action: string; allowed: number; denied: number }>();
        for (const c of mine) {
          const entry = actions.get(c.action) ?? { action: c.action, allowed: 0, denied: 0 };
          if (c.allowed) entry.allowed += 1;
          else entry.denied += 1;
          actions.set(c.action, entry);
        }
        const assigned = this.assignments.filter((a) => this.nameOf(a.principalId) === identity);
        const unusedGrants = assigned.flatMap((a) =>
          [...a.role.actions, ...a.role.dataActions]
            .filter((op) => !mine.some((c) => c.allowed && operationMatches(op, c.action) && c.resource.toLowerCase().startsWith(a.scope.toLowerCase())))
            .map((op) => `${op} on ${a.scope}`),
        );
        const principalId = [...this.names].find(([, name]) => name === identity)?.[0] ?? assigned[0]?.principalId ?? null;
        return {
          identity,
          principal: principalId ?? 'none',
          actions: [...actions.values()].sort((x, y) => x.action.localeCompare(y.action)),
          denied: mine.filter((c) => !c.allowed).map((c) => ({ action: c.action, resource: c.resource })),
          unusedGrants,
        };
      }),
    };
  }
}
