/**
 * cdk-nag's AwsSolutions rules over the AWS app. cdk-nag 3 runs as a CDK
 * policy-validation plugin (`Validations.of(app).addPlugins`), the successor
 * of the v2 Aspect, and reads acknowledgements from CDK's native
 * `Validations.of(construct).acknowledge`: each finding is acknowledged
 * individually, with its reason, next to the code that causes it, so a new
 * wildcard or a new rule violation still fails the synthesis.
 */
import { type IConstruct } from 'constructs';
import { type App, type PolicyViolation, Stack, Validations } from 'aws-cdk-lib/core';
import { AwsSolutionsChecks } from 'cdk-nag';
// The function cdk-nag itself uses to name a wildcard resource finding; the
// package has no export map, and reusing it keeps acknowledgements exact.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/** Runs AwsSolutions at synth: an unacknowledged error or warning fails the synthesis with its explanation. */
export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** Acknowledges one finding (e.g. `AwsSolutions-L1`) on a construct and everything below it. */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource ARN (a token or a
 * literal) granted to an identity under `scope`; other wildcards still fail.
 */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  const flat = arn === '*' ? '*' : flattenCfnReference(Stack.of(scope).resolve(arn));
  acknowledgeNag(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** The unacknowledged AwsSolutions findings in a construct tree (tests and diagnostics). */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return new AwsSolutionsChecks().validateScope(scope).violations;
}
