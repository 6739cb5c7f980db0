/**
 * The AWS artifacts the suite checks, synthesized once per test file: every
 * catalog study at its defaults (with the isolation study's second tenant in
 * another account) and at the largest parameters the AWS target accepts (with
 * bucketRemoval=destroy, which adds CDK's auto-delete custom resources).
 */
import type { App } from 'aws-cdk-lib/core';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CATALOG } from '../../../experiments/catalog';
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { Deployment } from '../../../probe-runtime/contracts/deployment';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import { parseAwsAppContext } from '../../../stacks/aws/app-context';
import { addStudyStacks, createCurtainApp } from '../../../stacks/aws/build-app';
import { prepareStudy, type PreparedStudy } from '../../../stacks/aws/prepare-study';
import { loadAwsBundles } from '../../../stacks/aws/runtime-bundles';
import { templateSizeFindings, templateSizes } from '../../../stacks/aws/template-size';
import { makeStandInBundles } from '../../stacks/aws/fixtures';
import { largestAccepted, type LargestAccepted } from '../support/largest';
import type { StackTemplate } from './iam';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PRIMARY_ACCOUNT = '111111111111';
export const TENANT_B_ACCOUNT = '222222222222';
export const ENV = { region: 'us-east-1', partition: 'aws' };
/** Budgets are the user's choice, not a platform limit: lifted for the largest parameters. */
const NO_BUDGET = { maxUsd: 1e9, maxInvocations: 1e12 };

export interface AwsArtifact {
  variant: 'defaults' | 'largest';
  plan: StudyPlan;
  /** The driver's deployment.json (targets, the run's split into executions). */
  deployment: Deployment;
  stacks: (StackTemplate & { templateBytes: number; outputs: Record<string, { Value: unknown }>; parameters: Record<string, unknown> })[];
  /** The app's own post-synthesis refusal (template size), if any. */
  refusedAfterSynth: string | null;
}

export interface AwsArtifacts {
  artifacts: AwsArtifact[];
  largest: Map<string, LargestAccepted>;
  cleanup(): void;
}

const topology = { primaryAccount: PRIMARY_ACCOUNT, tenantAccounts: { b: TENANT_B_ACCOUNT } };

/** The AWS target's refusal of a catalog study with these parameters, before any construct (null: accepted). */
export function awsRefusal(study: string, params: Record<string, unknown>): string | null {
  try {
    prepareStudy(planStudy(buildCatalogStudy(study, params), { provider: 'aws', budget: NO_BUDGET }), topology);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function synthesizeAwsArtifacts(): AwsArtifacts {
  const bundlesDir = makeStandInBundles();
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-conformance-aws-'));
  const largest = new Map(CATALOG.map((s) => [s.id, largestAccepted(s, (params) => awsRefusal(s.id, params))]));
  const variants: { variant: AwsArtifact['variant']; prepared: PreparedStudy[]; bucketRemoval: 'retain' | 'destroy' }[] = [
    { variant: 'defaults', prepared: CATALOG.map((s) => prepareStudy(planStudy(buildCatalogStudy(s.id), { provider: 'aws' }), topology)), bucketRemoval: 'retain' },
    {
      variant: 'largest',
      prepared: CATALOG.map((s) => prepareStudy(planStudy(buildCatalogStudy(s.id, largest.get(s.id)!.largest.parameters), { provider: 'aws', budget: NO_BUDGET }), topology)),
      bucketRemoval: 'destroy',
    },
  ];
  const artifacts: AwsArtifact[] = [];
  for (const { variant, prepared, bucketRemoval } of variants) {
    const app: App = createCurtainApp({ outdir: path.join(work, variant) });
    const context = parseAwsAppContext({ bundleRoot: bundlesDir.root, bucketRemoval, tenantB: TENANT_B_ACCOUNT, account: PRIMARY_ACCOUNT });
    const built = addStudyStacks(app, prepared, loadAwsBundles(bundlesDir.root, { nodejs: true, python: true }), context);
    const saved = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    let assembly: CloudAssembly;
    try {
      assembly = app.synth();
    } finally {
      if (saved === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = saved;
    }
    const sizes = new Map(templateSizes(assembly).map((s) => [s.stack, s]));
    for (const b of built) {
      const names = [b.stack.stackName, ...b.tenantStacks.map((t) => t.stackName)];
      const errors = templateSizeFindings(names.map((n) => sizes.get(n)!)).errors;
      artifacts.push({
        variant,
        plan: b.prepared.plan,
        deployment: b.prepared.deployment,
        refusedAfterSynth: errors.length > 0 ? errors.join('; ') : null,
        stacks: names.map((name) => {
          const stack = assembly.getStackByName(name);
          const template = stack.template as { Resources: StackTemplate['resources']; Outputs?: Record<string, { Value: unknown }>; Parameters?: Record<string, unknown> };
          return {
            name,
            account: stack.environment.account,
            resources: template.Resources,
            templateBytes: sizes.get(name)!.bytes,
            outputs: template.Outputs ?? {},
            parameters: template.Parameters ?? {},
          };
        }),
      });
    }
  }
  return {
    artifacts,
    largest,
    cleanup() {
      bundlesDir.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
