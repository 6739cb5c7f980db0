/**
 * Permissions by execution on the Google twin: every call the twin serves is
 * recorded with the service account that made it and decided against the
 * stack's IAM bindings (project, Cloud Run service, function, bucket and
 * service-account level members) and custom roles, as IAM's allow policies
 * decide it: a call is allowed when some binding on the resource or one of its
 * ancestors grants the member a role holding the permission, and that
 * binding's condition, if any, holds. No deny policies, no organisation
 * policies, no inherited grants from outside the stack.
 *
 * Predefined roles are known by the permissions they hold (Google's IAM roles
 * reference, https://cloud.google.com/iam/docs/understanding-roles, read
 * 2026-12-06): only the ones the stacks grant; any other role, and any
 * condition other than `resource.name.startsWith("...")`, is refused when the
 * stack is read, rather than guessed.
 */
import { GcpArtifactError } from './gcp-artifact-error';
import type { TwinIdentityCalls } from '../../probe-runtime/contracts/twin-record';
import type { GcpBinding } from './terraform-stack';

export const PREDEFINED_ROLES: Readonly<Record<string, readonly string[]>> = {
  'roles/run.invoker': ['run.jobs.run', 'run.jobs.runWithOverrides', 'run.routes.invoke'],
  'roles/storage.objectUser': [
    'orgpolicy.policy.get',
    'resourcemanager.projects.get',
    'resourcemanager.projects.list',
    'storage.managedFolders.create',
    'storage.managedFolders.delete',
    'storage.managedFolders.get',
    'storage.managedFolders.list',
    'storage.multipartUploads.abort',
    'storage.multipartUploads.create',
    'storage.multipartUploads.list',
    'storage.multipartUploads.listParts',
    'storage.objects.create',
    'storage.objects.delete',
    'storage.objects.get',
    'storage.objects.list',
    'storage.objects.restore',
    'storage.objects.update',
  ],
  'roles/logging.logWriter': ['logging.logEntries.create', 'logging.logEntries.route'],
  'roles/iam.serviceAccountUser': ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'resourcemanager.projects.get', 'resourcemanager.projects.list'],
};

/** A resource a call acts on, with the project it lives in. */
export type GcpResource =
  | { kind: 'project'; project: string }
  | { kind: 'service' | 'function'; project: string; name: string }
  | { kind: 'bucket'; project: string; bucket: string }
  | { kind: 'object'; project: string; bucket: string; object: string }
  | { kind: 'serviceAccount'; project: string; email: string };

/** The resource's full name as IAM conditions and messages see it. */
export function resourceName(r: GcpResource): string {
  switch (r.kind) {
    case 'project':
      return `projects/${r.project}`;
    case 'service':
      return `projects/${r.project}/locations/-/services/${r.name}`;
    case 'function':
      return `projects/${r.project}/locations/-/functions/${r.name}`;
    case 'bucket':
      return `projects/_/buckets/${r.bucket}`;
    case 'object':
      return `projects/_/buckets/${r.bucket}/objects/${r.object}`;
    case 'serviceAccount':
      return `projects/${r.project}/serviceAccounts/${r.email}`;
  }
}

const STARTS_WITH = /^resource\.name\.startsWith\("((?:[^"\\]|\\.)*)"\)$/;

export interface RoleDecision {
  allowed: boolean;
  /** The bindings that granted it (empty when denied). */
  grantedBy: string[];
}

export class GcpPolicy {
  private readonly customRoles: Map<string, readonly string[]>;

  constructor(
    private readonly bindings: readonly GcpBinding[],
    customRoles: ReadonlyMap<string, readonly string[]>,
  ) {
    this.customRoles = new Map(customRoles);
    for (const b of bindings) {
      if (!this.customRoles.has(b.role) && !PREDEFINED_ROLES[b.role]) throw new GcpArtifactError(`${b.address}: role ${b.role} is not a custom role of the stack nor a predefined role the twin knows`);
      if (b.condition !== null && !STARTS_WITH.test(b.condition.trim())) throw new GcpArtifactError(`${b.address}: IAM condition ${b.condition} is not one the twin evaluates`);
    }
  }

  /** The permissions a role holds. */
  permissionsOf(role: string): readonly string[] {
    return this.customRoles.get(role) ?? PREDEFINED_ROLES[role] ?? [];
  }

  /** The bindings of one member. */
  bindingsOf(member: string): GcpBinding[] {
    return this.bindings.filter((b) => b.member === member);
  }

  decide(member: string, permission: string, resource: GcpResource): RoleDecision {
    const grantedBy = this.bindings
      .filter((b) => b.member === member && appliesTo(b, resource) && this.permissionsOf(b.role).includes(permission) && conditionHolds(b, resource))
      .map((b) => b.address);
    return { allowed: grantedBy.length > 0, grantedBy };
  }
}

/** Whether a binding on `b.on` covers the resource (the resource itself or an ancestor of it). */
function appliesTo(b: GcpBinding, r: GcpResource): boolean {
  switch (b.on.kind) {
    case 'project':
      return b.on.name === r.project;
    case 'service':
    case 'function':
      return r.kind === b.on.kind && r.name === b.on.name;
    case 'bucket':
      return (r.kind === 'bucket' || r.kind === 'object') && r.bucket === b.on.name;
    case 'serviceAccount':
      return r.kind === 'serviceAccount' && r.email === b.on.name;
  }
}

function conditionHolds(b: GcpBinding, r: GcpResource): boolean {
  if (b.condition === null) return true;
  const prefix = JSON.parse(`"${STARTS_WITH.exec(b.condition.trim())![1]}"`) as string;
  return resourceName(r).startsWith(prefix);
}

export interface GcpApiCall {
  identity: string;
  member: string;
  permission: string;
  resource: string;
  allowed: boolean;
  at: string;
}

/** Every call the twin served, decided by the stack's policy; the deployer's own calls (fetch) are allowed and marked as such. */
export class GcpCallLog {
  readonly calls: GcpApiCall[] = [];

  constructor(
    readonly policy: GcpPolicy,
    /** Service account email → what holds it in the run (driver, workflow, probe). */
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  nameOf(email: string): string {
    return this.names.get(email) ?? email;
  }

  authorize(email: string, permission: string, resource: GcpResource): boolean {
    const { allowed } = this.policy.decide(`serviceAccount:${email}`, permission, resource);
    this.calls.push({ identity: this.nameOf(email), member: `serviceAccount:${email}`, permission, resource: resourceName(resource), allowed, at: new Date().toISOString() });
    return allowed;
  }

  /** A call with the researcher's own credentials (the project owner fetching the run): outside the stack's policy. */
  deployer(permission: string, resource: GcpResource): true {
    this.calls.push({ identity: 'deployer', member: 'user:deployer', permission, resource: resourceName(resource), allowed: true, at: new Date().toISOString() });
    return true;
  }

  denied(): GcpApiCall[] {
    return this.calls.filter((c) => !c.allowed);
  }

  /**
   * twin.json's identities, in the shape the AWS twin writes (per identity: the calls per permission, allowed
   * and denied, each denied call with its resource, the granted permissions no call used); `roleArn` holds
   * the principal, here the service account member.
   */
  summary(): TwinIdentityCalls[] {
    return [...this.names.keys()].map((email) => {
      const member = `serviceAccount:${email}`;
      const mine = this.calls.filter((c) => c.member === member);
      const actions = new Map<string, { action: string; allowed: number; denied: number }>();
      for (const c of mine) {
        const entry = actions.get(c.permission) ?? { action: c.permission, allowed: 0, denied: 0 };
        if (c.allowed) entry.allowed += 1;
        else entry.denied += 1;
        actions.set(c.permission, entry);
      }
      const used = new Set(mine.filter((c) => c.allowed).map((c) => c.permission));
      const granted = new Set(this.policy.bindingsOf(member).flatMap((b) => this.policy.permissionsOf(b.role)));
      return {
        identity: this.nameOf(email),
        principal: member,
        actions: [...actions.values()].sort((a, b) => a.action.localeCompare(b.action)),
        denied: mine.filter((c) => !c.allowed).map((c) => ({ action: c.permission, resource: c.resource })),
        unusedGrants: [...granted].filter((p) => !used.has(p)).sort(),
      };
    });
  }
}
