/**
 * CloudFormation, Lambda and IAM quotas over a synthesized template, each
 * from the capability table (value, source, date): template body size,
 * resources, outputs and parameters per stack, output value size, the
 * environment of each function, the inline policies of each role, the
 * managed policies attached to a role (CDK's overflow of its inline quota).
 */
import { CLOUD_LIMITS, describeLimit, type DocumentedLimit } from '../../../experiments/capabilities';
import type { Finding } from '../support/findings';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export interface TemplateFacts {
  name: string;
  templateBytes: number;
  resources: Resources;
  outputs: Record<string, { Value: unknown }>;
  parameters: Record<string, unknown>;
}

export function checkCloudFormationLimits(t: TemplateFacts): Finding[] {
  const findings: Finding[] = [];
  const over = (l: DocumentedLimit, used: number, field: string, artifact = t.name) => {
    if (used > l.value) findings.push({ artifact, field, reference: describeLimit(l), message: `${used.toLocaleString('en-US')} ${l.unit}` });
  };
  const aws = CLOUD_LIMITS.aws;
  over(aws.templateBytes, t.templateBytes, 'template');
  over(aws.resourcesPerStack, Object.keys(t.resources).length, 'Resources');
  over(aws.outputsPerStack, Object.keys(t.outputs).length, 'Outputs');
  over(aws.parametersPerStack, Object.keys(t.parameters).length, 'Parameters');
  for (const [name, output] of Object.entries(t.outputs)) {
    if (typeof output.Value === 'string') over(aws.outputValueBytes, Buffer.byteLength(output.Value), `Outputs/${name}/Value`);
  }
  for (const [id, r] of Object.entries(t.resources)) {
    if (r.Type === 'AWS::Lambda::Function') {
      const variables = ((r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      // Unresolved values (bucket names) count as their longest possible form: 63 characters.
      const bytes = Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 63), 0);
      over(aws.lambdaEnvironmentBytes, bytes, 'Properties/Environment/Variables', `${t.name}/${id}`);
    }
    if (r.Type === 'AWS::IAM::Role') {
      const attached = Object.values(t.resources).filter((p) => p.Type === 'AWS::IAM::Policy' && JSON.stringify(p.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: id })));
      const documents = [...((r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument), ...attached.map((p) => p.Properties!.PolicyDocument)];
      // Tokens are counted as written in the template: a resolved ARN is never longer than ~2x its Fn::GetAtt form.
      over(aws.iamRoleInlinePolicyChars, documents.reduce<number>((n, d) => n + JSON.stringify(d).length, 0), 'inline policies', `${t.name}/${id}`);
      const managed = Object.values(t.resources).filter((p) => p.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(p.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: id })));
      const arns = ((r.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).length;
      over(aws.iamManagedPoliciesPerRole, arns + managed.length, 'managed policies', `${t.name}/${id}`);
    }
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      over(aws.iamManagedPolicyChars, JSON.stringify(r.Properties?.PolicyDocument ?? {}).length, 'PolicyDocument', `${t.name}/${id}`);
    }
  }
  return findings;
}
