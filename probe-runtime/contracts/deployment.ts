/**
 * What a deployed driver knows about its deployment, beyond the plan.
 *
 * Every provider target stages the driver with two files beside its entry:
 *   plan.json        the StudyPlan the stack was synthesized from
 *   deployment.json  this object
 * Where a value is only known at deploy time (a bucket name, a function URL), the
 * stack passes it in the environment instead: CURTAIN_BUCKET (results bucket or
 * container), CURTAIN_STORAGE_ACCOUNT (Azure), CURTAIN_TARGETS (a JSON object that
 * overrides/extends `targets`). The driver merges both, validates the result, and
 * refuses to start when a plan function has no target.
 */
import { z } from 'zod';
import { PROVIDER_IDS } from './providers';
import { RunManifest, RunOrigin } from './run-manifest';
import { Orchestration } from './step-directive';

export const Deployment = z.strictObject({
  v: z.literal(1),
  provider: z.enum(PROVIDER_IDS),
  region: z.string(),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * How to reach each plan function: a Lambda function name or ARN (a cross-account
   * ARN for a second tenant), or an HTTPS URL (Azure, Google), or a key on the local platform.
   */
  targets: z.record(z.string(), z.string().min(1)),
  /**
   * sha256 of the deployed bundles (from dist/runtime/manifest.json, which
   * ensureRuntimeBuilt() returns), copied into each run's run.json for provenance.
   * Optional: when absent run.json records null for each.
   */
  bundles: RunManifest.shape.bundles.optional(),
  /**
   * The code, lockfile, runtimes and options the deployment was synthesized
   * with, copied into each run's run.json (`origin`). Optional: older deployments lack it.
   */
  origin: RunOrigin.optional(),
  /**
   * How the cloud orchestrator splits a run into executions (continue as new) and
   * what it needs to reconfigure functions (step-directive.ts). Absent: one
   * execution runs the whole plan.
   */
  orchestration: Orchestration.optional(),
});
export type Deployment = z.output<typeof Deployment>;

/** The files every target stages beside its driver's entry: plan.json and deployment.json, as the driver reads them. */
export function driverDeploymentFiles(plan: { hash: string }, deployment: Deployment): Record<'plan.json' | 'deployment.json', string> {
  return { 'plan.json': `${JSON.stringify(plan, null, 2)}\n`, 'deployment.json': `${JSON.stringify(deployment, null, 2)}\n` };
}
