/**
 * Orchestrator: the Step Functions state machine that runs a study's schedule
 * in the cloud. Its definition is compiled from the plan by a pure function
 * (../asl/compile-plan.ts) and deployed as is; this construct adds what a
 * definition cannot say: the role (invoke the driver, reconfigure the probes
 * the plan updates, start its own next execution when a run is split into
 * several, nothing else), execution logging of every event, X-Ray tracing,
 * and a fixed name.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib/core';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeWildcardResource } from '../nag';
import { Construct } from 'constructs';
import type { StateMachineDefinition } from '../asl/asl-types';
import type { Driver } from './driver';

/** Anything whose functions update steps may reconfigure (a local fleet, or a tenant's fleet elsewhere). */
export interface IReconfigurableFleet {
  /** Grants reconfiguring the fleet's functions among `functionKeys` (plan keys); nothing when none is the fleet's. */
  grantReconfigure(grantee: IGrantable, functionKeys: ReadonlySet<string>): unknown;
}

export interface OrchestratorProps {
  readonly study: string;
  readonly definition: StateMachineDefinition;
  readonly driver: Driver;
  /** Fleets holding functions the plan's update steps change. */
  readonly fleets: readonly IReconfigurableFleet[];
  /** Plan keys of the functions update steps change: the only ones the role may reconfigure. */
  readonly updatedFunctions: ReadonlySet<string>;
  readonly stateMachineName: string;
  /** A fixed role name, for a second tenant's account to trust by ARN. */
  readonly roleName?: string;
  /**
   * Whether a run is split into several executions, each starting the next
   * (continue as new): the role may then start executions of this state
   * machine, and of no other.
   * @default false
   */
  readonly handsOver?: boolean;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

export class Orchestrator extends Construct {
  readonly stateMachine: StateMachine;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OrchestratorProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
      description: `Curtain orchestrator of study ${props.study}: invokes its driver and reconfigures its probes`,
    });
    props.driver.grantInvoke(this.role);
    for (const fleet of props.fleets) fleet.grantReconfigure(this.role, props.updatedFunctions);
    if (props.handsOver) {
      // The ARN from the fixed name, not the construct's attribute: the role's policy must not depend on the state machine that uses the role.
      const ownArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: props.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [ownArn] }));
    }

    // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small (AWS's advice for Step Functions).
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(props.definition)),
      role: this.role,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    acknowledgeWildcardResource(
      this.role,
      '*',
      'Added by the StateMachine construct for execution logging and X-Ray tracing: CloudWatch Logs log delivery (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permissions, so AWS documents Resource "*" for them.',
    );
  }

  get stateMachineArn(): string {
    return this.stateMachine.stateMachineArn;
  }
}
