/**
 * Who may call what, by execution: every API call the twin serves is recorded
 * with the identity that signed it (the access key of a role the twin gave a
 * function or the state machine) and decided against that role's policies in
 * the synthesized template (iam-evaluate.ts). A denied call is answered as
 * AWS answers it (AccessDenied) and listed; the report lists the calls per
 * identity and the granted actions never used.
 */
import { randomBytes } from 'node:crypto';
import { evaluate, type Decision } from './iam-evaluate';
import type { RoleUnderTest } from './template-roles';

export interface TwinCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface TwinIdentity {
  /** What holds the role in the run: `driver`, `orchestrator`, `probe`. */
  name: string;
  roleArn: string;
  credentials: TwinCredentials;
}

export interface ApiCall {
  identity: string;
  roleArn: string;
  action: string;
  resource: string;
  decision: Decision;
  at: string;
}

export interface Authorization {
  allowed: boolean;
  /** AWS's message for a denied call. */
  message: string;
}

export class CallLog {
  readonly calls: ApiCall[] = [];
  private readonly byKey = new Map<string, TwinIdentity>();
  private readonly roles: Map<string, RoleUnderTest>;

  constructor(
    roles: readonly RoleUnderTest[],
    private readonly account: string,
  ) {
    this.roles = new Map(roles.map((r) => [r.arn, r]));
  }

  /** Credentials for a role of the template, as Lambda and Step Functions hand their roles' session credentials to the code they run. */
  identity(name: string, roleArn: string): TwinIdentity {
    if (!this.roles.has(roleArn)) throw new Error(`${name}: role ${roleArn} is not a role of the template`);
    for (const identity of this.byKey.values()) if (identity.name === name && identity.roleArn === roleArn) return identity;
    const accessKeyId = `ASIATWIN${randomBytes(6).toString('hex').toUpperCase()}`;
    const identity: TwinIdentity = { name, roleArn, credentials: { accessKeyId, secretAccessKey: randomBytes(20).toString('base64'), sessionToken: randomBytes(24).toString('base64') } };
    this.byKey.set(accessKeyId, identity);
    return identity;
  }

  identities(): TwinIdentity[] {
    return [...this.byKey.values()];
  }

  /** The identity an access key belongs to, or null for one the twin did not issue. */
  whoHas(accessKeyId: string): TwinIdentity | null {
    return this.byKey.get(accessKeyId) ?? null;
  }

  authorize(identity: TwinIdentity, action: string, resource: string): Authorization {
    const role = this.roles.get(identity.roleArn)!;
    const decision = evaluate(role.policies, { action, resource }, `${role.stack}/${role.logicalId}`);
    this.calls.push({ identity: identity.name, roleArn: identity.roleArn, action, resource, decision, at: new Date().toISOString() });
    const roleName = identity.roleArn.split('/').pop();
    const why = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : 'because no identity-based policy allows the ' + action + ' action';
    return {
      allowed: decision === 'allowed',
      message: `User: arn:aws:sts::${this.account}:assumed-role/${roleName}/${identity.name} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
    };
  }

  denied(): ApiCall[] {
    return this.calls.filter((c) => c.decision !== 'allowed');
  }
}

/** The access key id of a SigV4-signed request (Authorization header or presigned query). */
export function accessKeyOf(authorization: string | undefined, url: URL): string | null {
  const header = authorization?.match(/Credential=([^/,\s]+)\//);
  if (header) return header[1]!;
  const query = url.searchParams.get('X-Amz-Credential');
  return query ? (query.split('/')[0] ?? null) : null;
}
