/**
 * Builds the AWS app: one StudyStack per study named with `-c study=` (and
 * `-c definition=`), plus a TenantStack per further tenant. cdk-nag's
 * AwsSolutions checks run as a CDK validation plugin (nag.ts), added by the
 * entry (app.ts) and the tests. Used by the CDK entry, the target's
 * `synthesize` (synthesize.ts), the tests and the synth benchmark, so all of
 * them synthesize the same thing.
 */
import { App, type AppProps } from 'aws-cdk-lib/core';
import { CATALOG } from '../../experiments/catalog';
import { planStudy } from '../../experiments/plan';
import type { StudyPlan } from '../../experiments/plan-schema';
import { resolveDefinitionFile, resolveStudy } from '../../experiments/resolve-study';
import { describeSegmentation } from '../../targets/segmentation';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { deployOrigin } from '../deploy-origin';
import type { AwsAppContext } from './app-context';
import { prepareStudy, type PreparedStudy } from './prepare-study';
import { loadAwsBundles, type AwsBundles, type BundleNeeds } from './runtime-bundles';
import { StudyStack } from './study-stack';
import { TenantStack } from './tenant-stack';

/**
 * Feature flags the constructs rely on, set after the CLI's context so that a
 * cdk.json without them cannot change what is deployed.
 */
export const CURTAIN_CDK_FLAGS = {
  // Server access logs delivered through a bucket policy rather than an ACL (the buckets enforce owner-only objects).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  // Merged, de-duplicated policy statements keep roles under IAM's policy size limit.
  '@aws-cdk/aws-iam:minimizePolicies': true,
} as const;

export function createCurtainApp(props: AppProps = {}): App {
  return new App({ ...props, postCliContext: { ...props.postCliContext, ...CURTAIN_CDK_FLAGS } });
}

/** The app was started without a study: a usage message that lists them. */
export class AppUsageError extends Error {
  override name = 'AppUsageError';
}

export interface BuildAwsAppOptions {
  context: AwsAppContext;
  /** Where dist/runtime/manifest.json is looked up unless `-c bundleRoot` says otherwise. */
  repoRoot: string;
  /** The account the CDK CLI resolved from the credentials (CDK_DEFAULT_ACCOUNT), if any. */
  defaultAccount?: string;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
  /** Bundles to use instead of reading a manifest (tests). */
  bundles?: AwsBundles;
}

export interface BuiltStudy {
  prepared: PreparedStudy;
  stack: StudyStack;
  tenantStacks: TenantStack[];
}

export function studyListText(): string {
  return CATALOG.map((s) => s.id).join(', ');
}

/** Plans every study the context names, each with what `curtain plan` takes to show it; refusals (unknown study, over budget, limits) throw before any stack exists. */
export function planStudiesFromContext(context: AwsAppContext): StudyPlan[] {
  return plannedStudiesFromContext(context).map((p) => p.plan);
}

function plannedStudiesFromContext(context: AwsAppContext): { plan: StudyPlan; planRef: string }[] {
  const studies = [...new Set(context.study ?? [])];
  if (studies.length === 0 && !context.definition) {
    throw new AppUsageError(
      `no study given: run \`npx cdk synth -c study=<id>\` (several: -c study=a,b; your own: -c definition=<file>). Studies: ${studyListText()}`,
    );
  }
  const definitions = [
    ...studies.map((id) => ({ definition: resolveStudy(id, context.sets).definition, planRef: id })),
    ...(context.definition ? [{ definition: resolveDefinitionFile(context.definition, context.sets).definition, planRef: context.definition }] : []),
  ];
  return definitions.map(({ definition, planRef }) => ({
    planRef,
    plan: planStudy(definition, {
      provider: 'aws',
      region: context.region,
      budget: context.budget !== undefined ? { maxUsd: context.budget } : undefined,
    }),
  }));
}

/** Plans and admits every study the context names (no CDK yet): every refusal happens here. */
export function prepareStudiesFromContext(context: AwsAppContext, defaultAccount?: string): PreparedStudy[] {
  const primaryAccount = context.account ?? defaultAccount;
  return plannedStudiesFromContext(context).map(({ plan, planRef }) => prepareStudy(plan, { primaryAccount, tenantAccounts: { b: context.tenantB }, planRef }));
}

/** The bundles the prepared studies need (Node.js and/or Python probes, the driver). */
export function bundleNeeds(prepared: readonly PreparedStudy[]): BundleNeeds {
  const runtimes = new Set(prepared.flatMap((p) => p.plan.functions.map((f) => f.runtime)));
  return { nodejs: runtimes.has('nodejs'), python: runtimes.has('python') };
}

/** Builds and synthesizes nothing by itself: adds the stacks of the prepared studies to `app`. */
export function addStudyStacks(
  app: App,
  prepared: readonly PreparedStudy[],
  bundles: AwsBundles,
  context: AwsAppContext,
  log: (line: string) => void = () => {},
  originOf?: (plan: StudyPlan) => RunOrigin,
): BuiltStudy[] {
  return prepared.map((study) => {
    const { plan, topology, usage } = study;
    log(
      `curtain: ${plan.study.id}: ${plan.functions.length} probes, ${plan.steps.length} steps, ${usage.states} states (${Math.round(usage.definitionBytes / 1024)} KB), ` +
        `${describeSegmentation(usage.segmentation)}, est. $${plan.cost.usd.toFixed(4)} in ${plan.region}`,
    );
    for (const line of usage.close) log(`curtain: note: ${plan.study.id} is close to a Step Functions limit: ${line}`);
    const primaryAccount = topology.primaryAccount;
    const stack = new StudyStack(app, topology.stackName, {
      env: { account: primaryAccount, region: plan.region },
      study,
      bundles,
      resultsRemoval: context.bucketRemoval,
      driverReservedConcurrency: context.driverConcurrency,
      origin: originOf?.(plan),
    });
    const tenantStacks = topology.others.map((tenant) => {
      const tenantStack = new TenantStack(app, tenant.stackName, {
        env: { account: tenant.account ?? primaryAccount, region: plan.region },
        study,
        tenant,
        bundles,
      });
      // Its resource policy and trust policy name the primary stack's roles, which must exist first.
      tenantStack.addStackDependency(stack, 'trusts the driver and orchestrator roles of the primary stack by ARN');
      if (!tenant.crossAccount) log(`curtain: note: ${plan.study.id}: tenant ${tenant.tenant} shares the primary account (pass -c tenant${tenant.tenant.toUpperCase()}=<account> for a second account)`);
      return tenantStack;
    });
    return { prepared: study, stack, tenantStacks };
  });
}

/** The origin a study's runs record: the `-c` options this app was given (the definition file's own study, else the catalog's). */
export function awsDeployOrigin(context: AwsAppContext, plan: StudyPlan): RunOrigin {
  const fromFile = context.definition !== undefined && !(context.study ?? []).includes(plan.study.id);
  return deployOrigin(plan, {
    definition: fromFile ? context.definition : undefined,
    sets: context.sets,
    maxUsd: context.budget,
    secondTenantAccount: context.tenantB !== undefined,
    bundleRoot: context.bundleRoot,
    other: {
      bucketRemoval: context.bucketRemoval,
      driverConcurrency: context.driverConcurrency === undefined ? undefined : String(context.driverConcurrency ?? 'none'),
    },
  });
}

/** Everything at once, synchronously, with bundles read from a manifest (tests, the benchmark). */
export function buildAwsApp(app: App, options: BuildAwsAppOptions): BuiltStudy[] {
  const prepared = prepareStudiesFromContext(options.context, options.defaultAccount);
  const bundles = options.bundles ?? loadAwsBundles(options.context.bundleRoot ?? options.repoRoot, bundleNeeds(prepared));
  return addStudyStacks(app, prepared, bundles, options.context, options.log);
}
