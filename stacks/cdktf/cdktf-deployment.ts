/**
 * The `deployment` member of a CDK for Terraform target (targets/provider-target.ts):
 * its stack is `<provider>-<study>` in the cdktf app, synthesized in process
 * with its policy. The stack class and the policy are loaded on use, so a
 * target's descriptor stays cheap to import.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { LocalBackend, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import type { CdktfDeployment, CdktfStackProps } from '../../targets/provider-target';
import type { TerraformJson, TerraformPolicy } from './synthesize';

/**
 * Where Terraform keeps a stack's state: `terraform.tfstate` in the stack's own folder
 * (cdktf.out/stacks/<stack>), a relative path, so `terraform apply` there and `cdktf deploy` (which
 * runs Terraform in that folder) find it on any machine. cdktf's default local backend writes the
 * synthesizing machine's absolute working directory into the JSON instead (issue 10, defect 9).
 * Synthesizing again leaves the file alone; keep the folder, and keep the state private (it holds
 * secrets such as function keys).
 */
export const STACK_STATE_FILE = 'terraform.tfstate';

export interface CdktfDeploymentOptions {
  readonly provider: ProviderId;
  /** Refuses a plan the platform cannot take (TargetRefusedError). */
  vet(plan: StudyPlan): void;
  /** The study stack's class (required on use). */
  stack(): new (scope: Construct, name: string, props: CdktfStackProps) => Construct;
  /** The provider's policy rules (required on use). */
  policy(): TerraformPolicy;
}

export function cdktfDeployment(options: CdktfDeploymentOptions): CdktfDeployment {
  const deployment: CdktfDeployment = {
    kind: 'cdktf',
    stackName: (study) => `${options.provider}-${study}`,
    vet: options.vet,
    addStack: (scope, name, props) => {
      const stack = new (options.stack())(scope, name, props);
      new LocalBackend(stack as TerraformStack, { path: STACK_STATE_FILE });
      return stack;
    },
    checkPolicy: (template) => options.policy()(template as TerraformJson),
    synthesize: (plans, synth) => (require('./synthesize') as typeof import('./synthesize')).synthesizeCdktfStacks(deployment, plans, synth),
    synthesizedTemplates: (study, cwd) => {
      const name = deployment.stackName(study);
      const file = path.join(cwd, 'cdktf.out', 'stacks', name, 'cdk.tf.json');
      return lstatSync(file, { throwIfNoEntry: false })?.isFile() ? [{ file, name: `${name}.cdk.tf.json` }] : [];
    },
  };
  return deployment;
}
