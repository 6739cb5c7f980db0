/**
 * What a cloud deployment was synthesized with (`origin` of deployment.json,
 * copied by the driver into every run's run.json): the code, the lockfile, the
 * runtimes of the synthesizing machine and every option. The app entries
 * (stacks/aws/app.ts, stacks/cdktf-app.ts) compute it; tests that build
 * stacks without it keep their output independent of the checkout's state.
 */
import path from 'node:path';
import type { StudyPlan } from '../experiments/plan-schema';
import { formatSets } from '../experiments/resolve-study';
import { studyReference } from '../experiments/study-reference';
import { currentOrigin } from '../probe-runtime/build/source-identity';
import { isCloudProvider } from '../probe-runtime/contracts/providers';
import type { RunOrigin } from '../probe-runtime/contracts/run-manifest';

export interface DeployOptionsGiven {
  /** The definition file, when the plan came from one (else the plan's catalog study). */
  definition?: string;
  sets: Record<string, unknown>;
  maxUsd?: number;
  secondTenantAccount: boolean | null;
  bundleRoot?: string;
  other?: Record<string, string | undefined>;
}

export function deployOrigin(plan: StudyPlan, given: DeployOptionsGiven): RunOrigin {
  const target = plan.provider;
  if (!isCloudProvider(target)) throw new Error(`deployOrigin: ${target} deploys nothing; its runs record their origin themselves (curtain run)`);
  const other = Object.fromEntries(Object.entries(given.other ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  return currentOrigin('synth', {
    target,
    study: given.definition ? studyReference(given.definition) : { kind: 'catalog', id: plan.study.id },
    set: formatSets(given.sets),
    region: plan.region,
    hosting: plan.hosting,
    maxUsd: given.maxUsd ?? null,
    secondTenantAccount: given.secondTenantAccount,
    bundleRoot: given.bundleRoot === undefined ? null : path.resolve(given.bundleRoot),
    other,
  });
}
