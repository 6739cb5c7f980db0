/**
 * CloudFormation accepts template bodies of at most 1,000,000 bytes (the CDK
 * CLI uploads larger ones to S3 and warns at that figure; CloudFormation
 * refuses them). A study's template carries its state machine definition
 * inline, so a long schedule can pass the Step Functions limits and still
 * produce a template CloudFormation refuses at deploy time: checked right
 * after synthesis, so the user learns it from `cdk synth`, not from a failed
 * deployment. The limit and its source live in the capability table.
 */
import { statSync } from 'node:fs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CLOUD_LIMITS, describeLimit } from '../../experiments/capabilities';

export const CLOUDFORMATION_TEMPLATE_LIMIT_BYTES = CLOUD_LIMITS.aws.templateBytes.value;

export interface TemplateSize {
  stack: string;
  bytes: number;
  share: number;
}

export function templateSizes(assembly: Pick<CloudAssembly, 'stacks'>): TemplateSize[] {
  return assembly.stacks.map((stack) => {
    const bytes = statSync(stack.templateFullPath).size;
    return { stack: stack.stackName, bytes, share: bytes / CLOUDFORMATION_TEMPLATE_LIMIT_BYTES };
  });
}

/** Lines for the user: an error for each template over the limit, a note for each above 80 % of it. */
export function templateSizeFindings(sizes: TemplateSize[]): { errors: string[]; notes: string[] } {
  const describe = (s: TemplateSize) => `${s.stack}: template ${s.bytes.toLocaleString('en-US')} bytes (${Math.round(s.share * 100)} % of the limit)`;
  return {
    errors: sizes
      .filter((s) => s.share > 1)
      .map((s) => `${describe(s)}: too large to deploy, over ${describeLimit(CLOUD_LIMITS.aws.templateBytes)}; lower the study's number of steps (e.g. fewer rounds or hours)`),
    notes: sizes.filter((s) => s.share > 0.8 && s.share <= 1).map((s) => `${describe(s)}: close to CloudFormation's ${CLOUDFORMATION_TEMPLATE_LIMIT_BYTES.toLocaleString('en-US')}-byte limit`),
  };
}
