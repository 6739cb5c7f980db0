/**
 * Stages a driver's function package for a CDK for Terraform target: the
 * target's driver bundle with plan.json and deployment.json beside its entry
 * (contracts/deployment.ts), plus the files the platform needs. Values known
 * only once deployed (function URLs, the bucket) reach the driver in its
 * environment (CURTAIN_TARGETS, CURTAIN_BUCKET), so `targets` stays empty.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { BundleSet } from '../../probe-runtime/build/bundle-set';
import { driverBundleName, probeBundleName } from '../../probe-runtime/contracts/bundle-manifest';
import { type Deployment, driverDeploymentFiles } from '../../probe-runtime/contracts/deployment';
import type { Orchestration } from '../../probe-runtime/contracts/step-directive';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { type PackageSpec, stagePackage } from './stage-package';

export interface DriverPackageProps {
  readonly plan: StudyPlan;
  /** What the deployment was synthesized with, copied into each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  readonly bundles: BundleSet;
  /** Where packages are staged (named by their content hash). */
  readonly stagingRoot: string;
  /** Platform files beside the bundle (package.json, host.json, ...). */
  readonly files: Record<string, string>;
  /** npm packages copied into node_modules / vendored as one bundle (stage-package.ts). */
  readonly nodeModules?: PackageSpec['nodeModules'];
  readonly bundledModules?: PackageSpec['bundledModules'];
  /** How the orchestrator splits a run into executions (deployment.json `orchestration`). */
  readonly orchestration?: Orchestration;
}

/** The staged directory, ready for PackageAssets. */
export function stageDriverPackage(props: DriverPackageProps): string {
  const { plan } = props;
  const deployment: Deployment = {
    v: 1,
    provider: plan.provider,
    region: plan.region,
    planHash: plan.hash,
    targets: {},
    bundles: props.bundles.hashes(probeBundleName(plan.provider), driverBundleName(plan.provider)),
    ...(props.origin ? { origin: props.origin } : {}),
    ...(props.orchestration ? { orchestration: props.orchestration } : {}),
  };
  return stagePackage(props.stagingRoot, {
    from: [props.bundles.dir(driverBundleName(plan.provider))],
    files: { ...driverDeploymentFiles(plan, deployment), ...props.files },
    nodeModules: props.nodeModules,
    bundledModules: props.bundledModules,
  });
}
