/**
 * Rerun on a CDK for Terraform target: synthesize and deploy with cdktf (the
 * CURTAIN_* environment of select-plans.ts, the Terraform variables of the
 * study stacks), then `curtain start` and `curtain fetch`. The project or
 * subscription is the reviewer's own: a placeholder unless given.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { furtherTenants, type MissingValue, placeholder, RerunImpossibleError, type RerunCommands, type RerunRequest, studyArguments } from '../../targets/rerun';
import { targetVariable } from './target-variables';

/** What a CDK for Terraform target's rerun needs to know about it. */
export interface CdktfRerunTarget {
  readonly provider: ProviderId;
  /** The Terraform variable of the primary tenant's project/subscription; tenant t's is `<name>_<t>`. */
  readonly variable: string;
  /** Where the reviewer supplies it, and how the command names it until then. */
  readonly supplied: 'gcpProject' | 'azureSubscription' | 'cloudflareAccount';
  readonly placeholder: string;
  readonly what: string;
  readonly option: string;
  /** A further tenant's placeholder and description. */
  readonly tenantPlaceholder: (tenant: string) => string;
  readonly tenantWhat: (tenant: string) => string;
  /** How `curtain start`/`fetch` learn the project or subscription. */
  clientArgs(value: string, region: string): { env: [string, string][]; args: string[] };
}

/** Synthesize and deploy with the cdktf app's environment (select-plans.ts), then start and fetch. */
export function cdktfRerunCommands(target: CdktfRerunTarget, request: RerunRequest): RerunCommands {
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
    [targetVariable(target.provider, 'REGION'), plan.region],
    // The hosting plan is named where the provider offers several (the default is the capability table's otherwise).
    ...(Object.keys(CAPABILITIES[target.provider].hosting).length > 1 ? [[targetVariable(target.provider, 'HOSTING'), plan.hosting] as [string, string]] : []),
    ['CURTAIN_MAX_USD', String(plan.budget.maxUsd)],
    ...(request.bundleRoot !== null ? [['CURTAIN_BUNDLE_ROOT', request.bundleRoot] as [string, string]] : []),
  ];
  const vars = ['--var', `${target.variable}=${value}`];
  for (const tenant of furtherTenants(plan)) {
    const other = placeholder(request, 'tenantB', target.tenantPlaceholder(tenant));
    if (other.startsWith('<')) missing.push({ placeholder: other, what: target.tenantWhat(tenant), option: '--tenant-b' });
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
