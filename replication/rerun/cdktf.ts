/**
 * Rerun on Google Cloud or Azure: synthesize and deploy with CDK for Terraform
 * (the CURTAIN_* environment of stacks/cdktf/select-plans.ts, the Terraform
 * variables of the study stacks), then `curtain start` and `curtain fetch`.
 * The project or subscription is the reviewer's own: a placeholder unless given.
 */
import { furtherTenants, type MissingValue, RerunImpossibleError, type RerunBuilder, type RerunRequest } from './rerun-request';
import { placeholder, studyArguments } from './study-arguments';

interface CdktfTarget {
  provider: 'gcp' | 'azure';
  /** The Terraform variable of the primary tenant's project/subscription; tenant t's is `<name>_<t>`. */
  variable: string;
  supplied: 'gcpProject' | 'azureSubscription';
  placeholder: string;
  what: string;
  option: string;
  regionEnv: string;
  /** How `curtain start`/`fetch` learn the project or subscription. */
  clientArgs(value: string, region: string): { env: [string, string][]; args: string[] };
  hostingEnv?: string;
}

const GCP: CdktfTarget = {
  provider: 'gcp',
  variable: 'gcp_project',
  supplied: 'gcpProject',
  placeholder: '<your-gcp-project-id>',
  what: 'your Google Cloud project',
  option: '--gcp-project',
  regionEnv: 'CURTAIN_GCP_REGION',
  clientArgs: (project, region) => ({ env: [], args: ['--region', region, '--project', project] }),
};

const AZURE: CdktfTarget = {
  provider: 'azure',
  variable: 'azure_subscription_id',
  supplied: 'azureSubscription',
  placeholder: '<your-azure-subscription-id>',
  what: 'your Azure subscription',
  option: '--azure-subscription',
  regionEnv: 'CURTAIN_AZURE_REGION',
  hostingEnv: 'CURTAIN_AZURE_HOSTING',
  // The Azure client derives every name from the subscription and the study (stacks/azure/names.ts).
  clientArgs: (subscription) => ({ env: [['AZURE_SUBSCRIPTION_ID', subscription]], args: [] }),
};

function cdktfRerun(target: CdktfTarget, request: RerunRequest) {
  const { plan } = request;
  const study = studyArguments(request);
  // CURTAIN_SET separates pairs with ';' or newlines: a value holding one cannot travel through it unchanged.
  const unsafe = study.sets.find((s) => /[;\n]/.test(s));
  if (unsafe) throw new RerunImpossibleError(`the parameter ${JSON.stringify(unsafe)} contains ';' or a newline, which CURTAIN_SET cannot carry; rerun on ${target.provider} from a definition file with the value written in`);
  const missing: MissingValue[] = [];
  const value = placeholder(request, target.supplied, target.placeholder);
  if (value.startsWith('<')) missing.push({ placeholder: value, what: target.what, option: target.option });
  const env: [string, string][] = [
    study.kind === 'catalog' ? ['CURTAIN_STUDY', study.ref] : ['CURTAIN_DEFINITION', study.ref],
    ['CURTAIN_PROVIDERS', target.provider],
    ...(study.sets.length > 0 ? [['CURTAIN_SET', study.sets.join(';')] as [string, string]] : []),
    [target.regionEnv, plan.region],
    ...(target.hostingEnv ? [[target.hostingEnv, plan.hosting] as [string, string]] : []),
    ['CURTAIN_MAX_USD', String(plan.budget.maxUsd)],
    ...(request.bundleRoot !== null ? [['CURTAIN_BUNDLE_ROOT', request.bundleRoot] as [string, string]] : []),
  ];
  const vars = ['--var', `${target.variable}=${value}`];
  for (const tenant of furtherTenants(plan)) {
    const other = placeholder(request, 'tenantB', `<tenant-${tenant}-${target.provider === 'gcp' ? 'gcp-project-id' : 'azure-subscription-id'}>`);
    if (other.startsWith('<')) missing.push({ placeholder: other, what: `tenant ${tenant}'s ${target.provider === 'gcp' ? 'Google Cloud project' : 'Azure subscription'}`, option: '--tenant-b' });
    vars.push('--var', `${target.variable}_${tenant}=${other}`);
  }
  const client = target.clientArgs(value, plan.region);
  const clientArgv = (command: 'start' | 'fetch') => [
    'npx',
    'curtain',
    command,
    plan.study.id,
    '--provider',
    target.provider,
    ...client.args,
    ...(command === 'fetch' && request.out !== undefined ? ['--out', request.out] : []),
  ];
  return {
    steps: [
      { what: `synthesize and deploy the study with CDK for Terraform`, command: { env, argv: ['npx', 'cdktf', 'deploy', `${target.provider}-${plan.study.id}`, ...vars] }, executable: false },
      { what: 'start a run', command: { env: client.env, argv: clientArgv('start') }, executable: false },
      { what: 'download its results when it has finished', command: { env: client.env, argv: clientArgv('fetch') }, executable: false },
    ],
    missing,
    notes: [],
  };
}

export const gcpRerun: RerunBuilder = (request) => cdktfRerun(GCP, request);
export const azureRerun: RerunBuilder = (request) => cdktfRerun(AZURE, request);
