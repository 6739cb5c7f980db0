/**
 * Rerun on AWS: `cdk deploy` with the `-c` options the deployment was
 * synthesized with (stacks/aws/app-context.ts), then `curtain start` and
 * `curtain fetch` in the same region. A study with a second tenant deploys its
 * tenant stack too (`--all`), in the reviewer's second account when the
 * original did (`-c tenantB`).
 */
import { furtherTenants, type MissingValue, placeholder, type RerunBuilder, studyArguments } from '../../targets/rerun';

export const awsRerunCommands: RerunBuilder = (request) => {
  const { plan, deploy } = request;
  const study = studyArguments(request);
  const missing: MissingValue[] = [];
  const notes: string[] = [];
  const context = (pair: string) => ['-c', pair];
  const tenants = furtherTenants(plan);
  const deployArgv = ['npx', 'cdk', 'deploy', ...(tenants.length > 0 ? ['--all'] : [])];
  deployArgv.push(...context(study.kind === 'catalog' ? `study=${study.ref}` : `definition=${study.ref}`));
  deployArgv.push(...study.sets.flatMap((s) => context(`set.${s}`)));
  deployArgv.push(...context(`region=${plan.region}`), ...context(`budget=${plan.budget.maxUsd}`));
  if (tenants.length > 0) {
    // The AWS app takes one further tenant (b); the paper put it in a second account.
    const separate = deploy?.secondTenantAccount ?? true;
    if (separate) {
      const account = placeholder(request, 'tenantB', '<tenant-b-aws-account-id>');
      if (account.startsWith('<')) missing.push({ placeholder: account, what: 'a second AWS account for tenant b (as the original deployment had)', option: '--tenant-b' });
      deployArgv.push(...context(`tenantB=${account}`));
      if (deploy === null) notes.push('the run did not record whether tenant b had its own account; the command assumes so, as in the paper (drop -c tenantB to share one account)');
    }
  }
  if (request.bundleRoot !== null) deployArgv.push(...context(`bundleRoot=${request.bundleRoot}`));
  for (const [name, value] of Object.entries(deploy?.other ?? {}).sort(([a], [b]) => a.localeCompare(b))) deployArgv.push(...context(`${name}=${value}`));
  const where = ['--provider', 'aws', '--region', plan.region];
  return {
    steps: [
      { what: 'deploy the study with the AWS CDK', command: { env: [], argv: deployArgv }, executable: false },
      { what: 'start a run (a Step Functions execution)', command: { env: [], argv: ['npx', 'curtain', 'start', plan.study.id, ...where] }, executable: false },
      {
        what: 'download its results when it has finished',
        command: { env: [], argv: ['npx', 'curtain', 'fetch', plan.study.id, ...where, ...(request.out !== undefined ? ['--out', request.out] : [])] },
        executable: false,
      },
    ],
    missing,
    notes,
  };
};
