/**
 * StudyStack: one study on AWS, `curtain-<study>`: the results bucket, the
 * primary tenant's probes, the driver and the orchestrator, wired with least
 * privilege, with the outputs `curtain start` and `curtain fetch` read.
 */
import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { Driver } from './constructs/driver';
import { Orchestrator, type IReconfigurableFleet } from './constructs/orchestrator';
import { ProbeFleet } from './constructs/probe-fleet';
import { ResultsBucket, type ResultsRemoval } from './constructs/results-bucket';
import { TenantFleetReference } from './constructs/tenant-fleet-reference';
import { updatedFunctions } from '../../experiments/plan-queries';
import { lambdaFunctionArn } from './naming';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import type { PreparedStudy } from './prepare-study';
import type { AwsBundles } from './runtime-bundles';
import { chunkOutputMap, STACK_OUTPUTS } from './stack-outputs';

export interface StudyStackProps extends StackProps {
  readonly study: PreparedStudy;
  readonly bundles: AwsBundles;
  /** @default 'retain' */
  readonly resultsRemoval?: ResultsRemoval;
  /** See DriverProps.reservedConcurrency. */
  readonly driverReservedConcurrency?: number | null;
  /**
   * Code, lockfile, runtimes and options of this synthesis, for each run's run.json.
   * @default none recorded (run.json then has no `origin`)
   */
  readonly origin?: RunOrigin;
}

export class StudyStack extends Stack {
  readonly results: ResultsBucket;
  readonly fleet: ProbeFleet | null;
  readonly driver: Driver;
  readonly orchestrator: Orchestrator;

  constructor(scope: Construct, id: string, props: StudyStackProps) {
    super(scope, id, props);
    const { plan, topology } = props.study;
    const study = plan.study.id;
    this.templateOptions.description = `Curtain study ${study} (${plan.study.experiment}): ${plan.study.title}`;
    Tags.of(this).add('curtain:study', study);
    Tags.of(this).add('curtain:plan', plan.hash);

    this.results = new ResultsBucket(this, 'Results', { removal: props.resultsRemoval });

    const fleets: (ProbeFleet | TenantFleetReference)[] = [];
    this.fleet = topology.primary
      ? new ProbeFleet(this, 'Probes', {
          study,
          functions: topology.primary.functions,
          bundles: { nodejs: props.bundles.nodejsProbe, python: props.bundles.pythonProbe },
        })
      : null;
    if (this.fleet) fleets.push(this.fleet);
    for (const tenant of topology.others) {
      const arns = Object.fromEntries(
        tenant.functions.map((f) => [f.key, tenant.functionArns?.[f.key] ?? lambdaFunctionArn(this.partition, this.region, this.account, tenant.functionNames[f.key]!)]),
      );
      fleets.push(new TenantFleetReference(this, `Tenant-${tenant.tenant}`, { functionArns: arns, updaterRoleArn: tenant.updaterRoleArn }));
    }

    this.driver = new Driver(this, 'Driver', {
      plan,
      bundle: props.bundles.driver,
      // Bundle hashes travel to each run's run.json through deployment.json (provenance).
      deployment: {
        ...props.study.deployment,
        bundles: {
          probe: props.bundles.nodejsProbe?.sha256 ?? null,
          driver: props.bundles.driver.sha256,
          pythonProbe: props.bundles.pythonProbe?.sha256 ?? null,
        },
        ...(props.origin ? { origin: props.origin } : {}),
      },
      results: this.results,
      functionName: topology.names.driverFunction,
      roleName: topology.names.driverRole,
      runtime: props.study.driverRuntime,
      memoryMb: props.study.driverMemoryMb,
      timeout: Duration.seconds(props.study.driverTimeoutSeconds),
      reservedConcurrency: props.driverReservedConcurrency,
    });
    for (const fleet of fleets) fleet.grantInvoke(this.driver);

    this.orchestrator = new Orchestrator(this, 'Orchestrator', {
      study,
      definition: props.study.definition,
      driver: this.driver,
      fleets: fleets as IReconfigurableFleet[],
      updatedFunctions: new Set(updatedFunctions(plan).keys()),
      stateMachineName: topology.names.stateMachine,
      roleName: topology.names.orchestratorRole,
      handsOver: props.study.usage.segmentation.segments.length > 1,
    });

    new CfnOutput(this, STACK_OUTPUTS.stateMachineArn, { value: this.orchestrator.stateMachineArn, description: 'Start a run: npx curtain start <study> --provider aws' });
    new CfnOutput(this, STACK_OUTPUTS.bucketName, { value: this.results.bucketName, description: 'Results: <study>/<run>/...' });
    new CfnOutput(this, STACK_OUTPUTS.driverFunctionName, { value: topology.names.driverFunction });
    new CfnOutput(this, STACK_OUTPUTS.planHash, { value: plan.hash, description: 'sha256 of the plan this stack was synthesized from' });
    chunkOutputMap(topology.deployment.targets).forEach((value, i) => {
      new CfnOutput(this, `${STACK_OUTPUTS.functionNames}${i === 0 ? '' : i + 1}`, {
        value,
        description: 'Plan function key → probe function name (ARN for another account)',
      });
    });
  }
}
