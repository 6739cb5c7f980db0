/**
 * Driver: the in-cloud function that sends a burst's requests to the probes
 * and writes one JSONL record per request into the results bucket
 * (probe-runtime/contracts/driver-event.ts).
 *
 * Its code asset is a staged directory: the driver bundle plus the plan it
 * runs (plan.json) and how to reach the probes (deployment.json), as
 * probe-runtime/contracts/deployment.ts specifies; the bucket name arrives in
 * CURTAIN_BUCKET. Least privilege: it may invoke only the fleets the stack
 * grants it and write only `<study>/` of the bucket. Reserved concurrency
 * caps how many copies can run at once (one run's widest burst), so a
 * second execution started by mistake cannot multiply the load.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib/core';
import { Grant, type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { acknowledgeNag, acknowledgeWildcardResource } from '../nag';
import { Construct } from 'constructs';
import { peakShards } from '../../../experiments/plan-queries';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { Deployment } from '../../../probe-runtime/contracts/deployment';
import type { BundleRef } from './probe-fleet';
import type { ResultsBucket } from './results-bucket';

export interface DriverProps {
  readonly plan: StudyPlan;
  /** The driver-aws bundle (index.js exporting `handler`). */
  readonly bundle: BundleRef;
  /** Written beside the bundle as deployment.json; validated against the contract. */
  readonly deployment: Deployment;
  readonly results: ResultsBucket;
  readonly functionName: string;
  /** A fixed role name, for principals in other accounts that must trust this role by ARN. */
  readonly roleName?: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeout: Duration;
  /**
   * Copies of the driver that may run at once; `null` leaves it unreserved
   * (accounts whose concurrency quota is too small to reserve any).
   * @default the widest burst's shard count
   */
  readonly reservedConcurrency?: number | null;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

export class Driver extends Construct implements IGrantable {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly grantPrincipal: IPrincipal;
  /** The directory the asset was staged from (bundle + plan.json + deployment.json). */
  readonly assetDir: string;

  constructor(scope: Construct, id: string, props: DriverProps) {
    super(scope, id);
    const study = props.plan.study.id;
    const deployment = Deployment.parse(props.deployment);
    const missing = props.plan.functions.filter((f) => !deployment.targets[f.key]).map((f) => f.key);
    if (missing.length > 0) throw new Error(`Driver: deployment.json has no target for ${missing.join(', ')}`);

    const outdir = Stage.of(this)?.outdir ?? 'cdk.out';
    this.assetDir = stageDriverAsset(path.join(outdir, '.curtain-staging', `${study}-driver`), props.bundle, props.plan, deployment);

    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Curtain driver of study ${study}: invokes its probes, writes ${study}/ of the results bucket`,
    });
    this.grantPrincipal = this.role;
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);

    const reserved = props.reservedConcurrency === undefined ? peakShards(props.plan) : props.reservedConcurrency;
    this.function = new LambdaFunction(this, 'Function', {
      functionName: props.functionName,
      description: `Curtain driver of study ${study} (plan ${props.plan.hash.slice(0, 12)})`,
      runtime: new Runtime(props.runtime, RuntimeFamily.NODEJS),
      architecture: Architecture.X86_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      code: Code.fromAsset(this.assetDir),
      handler: `${path.parse(props.bundle.entry).name}.handler`,
      environment: { CURTAIN_BUCKET: props.results.bucketName },
      role: this.role,
      logGroup,
      reservedConcurrentExecutions: reserved ?? undefined,
    });
    const studyObjects = props.results.grantStudyWrite(this.role, study);
    acknowledgeWildcardResource(
      this.role,
      studyObjects,
      `The driver reads and writes objects under its own study's prefix only (${study}/<run>/...); run ids are made when a run starts, hence the wildcard below the prefix.`,
    );
    acknowledgeNag(
      this.function,
      'AwsSolutions-L1',
      `The driver runs on the Node.js runtime the capability table deploys for Node probes (${props.runtime}); one runtime-bundle build targets that version.`,
    );
  }

  /** Lets the grantee (the orchestrator) invoke the driver. */
  grantInvoke(grantee: IGrantable): Grant {
    return this.function.grantInvokeLatestVersion(grantee);
  }
}

/**
 * Copies the driver bundle into `dir` and writes plan.json and deployment.json
 * beside it. The directory is recreated each time, so it never holds a stale plan.
 */
export function stageDriverAsset(dir: string, bundle: BundleRef, plan: StudyPlan, deployment: Deployment): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(bundle.dir, dir, { recursive: true });
  writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(path.join(dir, 'deployment.json'), `${JSON.stringify(deployment, null, 2)}\n`);
  return path.resolve(dir);
}
