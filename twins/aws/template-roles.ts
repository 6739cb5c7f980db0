/**
 * The roles of a synthesized CloudFormation template with their identity
 * policies (AWS::IAM::Policy attachments and inline policies), intrinsics
 * resolved for one account and region. The AWS twin evaluates the API calls
 * it serves against them (iam-evaluate.ts); the conformance tests give the
 * same roles to an independent policy simulator.
 */
import { createResolver, type DeployEnv } from './resolve-intrinsics';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}
export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

export interface StackTemplate {
  name: string;
  account: string;
  resources: Resources;
}

export interface RoleUnderTest {
  stack: string;
  logicalId: string;
  arn: string;
  account: string;
  policies: PolicyDocument[];
  assumedBy: string[];
}

/**
 * Every role of a template with its identity policies (inline policies, AWS::IAM::Policy attachments and the
 * customer managed policies the template attaches through their Roles, which is where CDK moves statements
 * that overflow a role's inline quota), resolved.
 */
export function rolesOf(stack: StackTemplate, env: Omit<DeployEnv, 'account'>): RoleUnderTest[] {
  const resolver = createResolver(stack.resources, { ...env, account: stack.account });
  const roles: RoleUnderTest[] = [];
  for (const [logicalId, resource] of Object.entries(stack.resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const props = resource.Properties ?? {};
    const policies: PolicyDocument[] = [];
    for (const inline of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) policies.push(resolver.resolve(inline.PolicyDocument) as PolicyDocument);
    for (const other of Object.values(stack.resources)) {
      if (other.Type !== 'AWS::IAM::Policy' && other.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const attached = ((other.Properties?.Roles as unknown[]) ?? []).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: logicalId }));
      if (attached) policies.push(resolver.resolve(other.Properties!.PolicyDocument) as PolicyDocument);
    }
    const trust = resolver.resolve(props.AssumeRolePolicyDocument) as PolicyDocument;
    const assumedBy = trust.Statement.flatMap((s) => {
      const p = s.Principal as { Service?: string | string[]; AWS?: string | string[] } | undefined;
      return [p?.Service ?? [], p?.AWS ?? []].flat();
    });
    roles.push({ stack: stack.name, logicalId, arn: resolver.getAtt(logicalId, 'Arn'), account: stack.account, policies, assumedBy });
    if (props.ManagedPolicyArns) roles[roles.length - 1]!.policies.push({ Statement: [{ Effect: 'Allow', Action: 'unreviewed:ManagedPolicy', Resource: JSON.stringify(props.ManagedPolicyArns) }] });
  }
  return roles;
}

