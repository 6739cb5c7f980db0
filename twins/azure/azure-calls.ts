/**
 * Who called what, by execution: every call the Azure twin serves (a probe
 * invoked with a function key, an ARM operation, a Blob operation) is recorded
 * with the caller's identity (the managed identity whose token it carries, or
 * the holder of the function key) and the decision: RBAC against the
 * synthesized role assignments (azure-roles.ts) for tokens, the app's keys
 * for function-key calls. The summary lists per identity the calls made, the
 * denied ones, and the granted operations never used.
 */
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

  /** Per identity: calls by action, denied calls, and the assignments' operations never used (`<operation> on <scope>`). */
  summary(): { identities: Record<string, { calls: Record<string, number>; denied: string[]; unused: string[] }> } {
    const identities: Record<string, { calls: Record<string, number>; denied: string[]; unused: string[] }> = {};
    const entry = (name: string) => (identities[name] ??= { calls: {}, denied: [], unused: [] });
    for (const c of this.calls) {
      const e = entry(c.identity);
      e.calls[c.action] = (e.calls[c.action] ?? 0) + 1;
      if (!c.allowed) e.denied.push(`${c.action} on ${c.resource}`);
    }
    for (const a of this.assignments) {
      const name = this.nameOf(a.principalId);
      const used = this.calls.filter((c) => c.identity === name && c.allowed && c.resource.toLowerCase().startsWith(a.scope.toLowerCase()));
      for (const op of [...a.role.actions, ...a.role.dataActions]) {
        if (!used.some((c) => operationMatches(op, c.action))) entry(name).unused.push(`${op} on ${a.scope}`);
      }
    }
    return { identities };
  }
}
