/**
 * ProbeFleet: one Lambda function per plan function, configured exactly as the
 * plan says (runtime, memory, architecture, timeout, environment), deployed
 * from the probe bundle, tagged with the study and its function key, with its
 * own log group and a retention.
 *
 * Function names are deterministic (`curtain-<plan name>`) so the driver's
 * deployment.json and the state machine can address them at synth time.
 * Log groups live under `/curtain/<study>/probes/` (Lambda's logging
 * configuration points each function at its own group), a path nothing else
 * uses: the fleet's role can then be granted exactly its probes' groups with
 * one prefix, which `/aws/lambda/curtain-<study>-*` could not do (it also
 * matches the driver's `/aws/lambda/curtain-<study>-driver`).
 * Nothing can invoke a probe unless granted: no function URL, no resource
 * policy, except the ones `grantInvoke` adds for a principal in another account.
 */
import path from 'node:path';
import { Duration, RemovalPolicy, Stack, Tags, ArnFormat } from 'aws-cdk-lib/core';
import { Grant, type IGrantable, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { acknowledgeNag, acknowledgeWildcardResource } from '../nag';
import { Construct } from 'constructs';
import type { PlanFunction } from '../../../experiments/plan-schema';
import { probeFunctionName } from '../naming';
import type { BundleRef } from '../../../probe-runtime/build/bundle-set';

/** A deployable bundle directory and its entry file (probe-runtime/build/bundle-set.ts). */
export type { BundleRef };

export interface ProbeFleetProps {
  readonly study: string;
  /** The plan functions this fleet deploys (one tenant's). */
  readonly functions: readonly PlanFunction[];
  /** Probe bundles per language runtime; needed for each runtime the functions use. */
  readonly bundles: { readonly nodejs?: BundleRef; readonly python?: BundleRef };
  /** @default RetentionDays.TWO_WEEKS (probe logs are diagnostics; results live in the bucket) */
  readonly logRetention?: RetentionDays;
}

export class ProbeFleet extends Construct {
  /** Plan function key → deployed function. */
  readonly functions: ReadonlyMap<string, LambdaFunction>;
  /** The execution role shared by the fleet: it may only write the fleet's logs. */
  readonly role: Role;
  /** Deployed function names (literal, known at synth time), by plan function key. */
  readonly functionNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ProbeFleetProps) {
    super(scope, id);
    if (props.functions.length === 0) throw new Error('ProbeFleet needs at least one plan function');
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Curtain probes of study ${props.study}: write their own logs, nothing else`,
    });

    // One asset per runtime, shared by every function of the fleet.
    const code = new Map<string, { code: Code; handler: string }>();
    const codeFor = (runtime: PlanFunction['runtime']) => {
      const existing = code.get(runtime);
      if (existing) return existing;
      const bundle = props.bundles[runtime];
      if (!bundle) throw new Error(`ProbeFleet: no probe bundle for the ${runtime} runtime`);
      const entry = { code: Code.fromAsset(bundle.dir), handler: `${path.parse(bundle.entry).name}.handler` };
      code.set(runtime, entry);
      return entry;
    };

    const names = props.functions.map((f) => probeFunctionName(f.name));
    this.functionNames = Object.fromEntries(props.functions.map((f, i) => [f.key, names[i]!]));
    const functions = new Map<string, LambdaFunction>();
    props.functions.forEach((planFunction, i) => {
      const functionName = names[i]!;
      const { code: asset, handler } = codeFor(planFunction.runtime);
      const logGroup = new LogGroup(this, `${planFunction.key}-logs`, {
        logGroupName: probeLogGroupName(props.study, functionName),
        retention: props.logRetention ?? RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const fn = new LambdaFunction(this, planFunction.key, {
        functionName,
        description: `Curtain probe ${planFunction.key} of study ${props.study}`,
        runtime: new Runtime(planFunction.runtimeVersion, planFunction.runtime === 'python' ? RuntimeFamily.PYTHON : RuntimeFamily.NODEJS),
        architecture: planFunction.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
        memorySize: planFunction.memoryMb,
        timeout: Duration.seconds(planFunction.timeoutSeconds),
        code: asset,
        handler,
        environment: { ...planFunction.env },
        role: this.role,
        logGroup,
      });
      Tags.of(fn).add('curtain:study', props.study);
      Tags.of(fn).add('curtain:function', planFunction.key);
      functions.set(planFunction.key, fn);
    });
    this.functions = functions;

    // One statement for the whole fleet: per-log-group statements would outgrow IAM's
    // 10,240-character policy limit for large studies. The prefix is the fleet's own
    // log-group path, so it covers exactly this study's probe log groups.
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${probeLogGroupPrefix(props.study)}*:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    Grant.addToPrincipal({ grantee: this.role, actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resourceArns: [logGroupArn] });
    acknowledgeWildcardResource(
      this.role,
      logGroupArn,
      `Probes write log streams into their own log groups (${probeLogGroupPrefix(props.study)}<function>), whose stream names Lambda makes at run time; the prefix holds this study's probe log groups and nothing else (the driver logs under /aws/lambda/), and one prefix statement keeps the policy small for large fleets.`,
    );
    for (const planFunction of props.functions) {
      acknowledgeNag(
        functions.get(planFunction.key)!,
        'AwsSolutions-L1',
        `A study measures the runtime its plan names (${planFunction.runtimeVersion}, from the capability table), so runs stay comparable across providers and over time; the capability table, not this stack, moves it to a newer runtime.`,
      );
    }
  }

  /** Lets the grantee invoke the fleet's functions (unqualified: the live configuration, never old versions). */
  grantInvoke(grantee: IGrantable): void {
    for (const fn of this.functions.values()) fn.grantInvokeLatestVersion(grantee);
  }

  /**
   * Lets the grantee read and change the configuration of the fleet's functions
   * among `functionKeys` (what update steps do); no grant when there are none.
   * @default every function of the fleet
   */
  grantReconfigure(grantee: IGrantable, functionKeys: ReadonlySet<string> = new Set(this.functions.keys())): Grant | null {
    const functions = [...this.functions].filter(([key]) => functionKeys.has(key)).map(([, fn]) => fn);
    if (functions.length === 0) return null;
    return Grant.addToPrincipal({
      grantee,
      actions: ['lambda:UpdateFunctionConfiguration', 'lambda:GetFunctionConfiguration'],
      resourceArns: functions.map((fn) => fn.functionArn),
    });
  }
}

/** The log-group path of a study's probes: `/curtain/<study>/probes/`. */
export function probeLogGroupPrefix(study: string): string {
  return `/curtain/${study}/probes/`;
}

export function probeLogGroupName(study: string, functionName: string): string {
  return `${probeLogGroupPrefix(study)}${functionName}`;
}
