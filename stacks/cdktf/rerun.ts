/**
 * The commands that rerun a plan on a CDK for Terraform target (`curtain
 * replan`): the synthesis environment (select-plans.ts) with `npx cdktf
 * deploy <provider>-<study>`, then start and fetch.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import type { CdktfDeployment, RerunCommand, RerunSubject } from '../../targets/provider-target';
import { command, parameterAssignments, startAndFetch } from '../../targets/rerun';
import { targetVariable } from './target-variables';

/** The hosting plan is named when the provider offers more than one (it is the default otherwise). */
export function cdktfRerunCommands(deployment: Pick<CdktfDeployment, 'stackName'>, plan: RerunSubject, options: { definitionFile?: string } = {}): RerunCommand[] {
  const withHosting = Object.keys(CAPABILITIES[plan.provider].hosting).length > 1;
  const sets = parameterAssignments(plan, options.definitionFile);
  const env: [string, string][] = [
    options.definitionFile ? ['CURTAIN_DEFINITION', options.definitionFile] : ['CURTAIN_STUDY', plan.study.id],
    ...(sets.length > 0 ? [['CURTAIN_SET', sets.join(';')] as [string, string]] : []),
    [targetVariable(plan.provider, 'REGION'), plan.region],
    ...(withHosting ? [[targetVariable(plan.provider, 'HOSTING'), plan.hosting] as [string, string]] : []),
    ['CURTAIN_MAX_USD', String(plan.budget.maxUsd)],
  ];
  return [command(['npx', 'cdktf', 'deploy', deployment.stackName(plan.study.id)], env), ...startAndFetch(plan)];
}
