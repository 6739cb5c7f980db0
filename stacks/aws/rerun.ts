/** The commands that rerun a plan on AWS (`curtain replan`): the CDK app's `-c` options (app-context.ts), then start and fetch. */
import { command, parameterAssignments, startAndFetch } from '../../targets/rerun';
import type { RerunCommand, RerunSubject } from '../../targets/provider-target';

export function awsRerunCommands(plan: RerunSubject, options: { definitionFile?: string } = {}): RerunCommand[] {
  const study = options.definitionFile ? `definition=${options.definitionFile}` : `study=${plan.study.id}`;
  const sets = parameterAssignments(plan, options.definitionFile).flatMap((a) => ['-c', `set.${a}`]);
  return [
    command(['npx', 'cdk', 'deploy', '-c', study, ...sets, '-c', `region=${plan.region}`, '-c', `budget=${plan.budget.maxUsd}`]),
    ...startAndFetch(plan, ['--region', plan.region]),
  ];
}
