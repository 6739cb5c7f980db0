/**
 * `curtain run <study> --target cloudflare`: the study planned for Cloudflare
 * (refused before anything starts when Cloudflare cannot measure it or it is
 * over budget), run in workerd, copied from the local R2 bucket into
 * <outDir>/<study>/<run>/, then reported as `curtain report` would.
 */
import { planStudy } from '../../experiments/plan';
import { resolveStudy } from '../../experiments/resolve-study';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import { prepareBundles } from '../../local/run/prepare-bundles';
import { PlanOverBudgetError } from '../../local/run/run-local-study';
import { runInWorkerd } from '../../stacks/cloudflare/twin/run-in-workerd';
import type { TwinRunRequest, TwinRunResult } from '../../targets/provider-target';
import { countRecords, readRunStatus, writeTwinReport } from '../run-dir';

export async function runCloudflareTwin(request: TwinRunRequest): Promise<TwinRunResult> {
  const began = performance.now();
  const { definition } = resolveStudy(request.study, { ...request.sets });
  const plan = planStudy(definition, { provider: 'cloudflare', budget: { maxInvocations: request.maxInvocations } });
  if (plan.budget.verdict === 'over') throw new PlanOverBudgetError(plan.budget.reasons);
  const bundles = await prepareBundles(request.bundles, request.log);
  const run = request.run ?? newRunId();
  request.log(`twin: ${plan.invocations} requests in ${plan.steps.length} steps`);
  const { runDir } = await runInWorkerd(plan, { outDir: request.outDir, bundles, run, log: request.log });
  const runStatus = readRunStatus(runDir);
  const status = runStatus === 'completed' || runStatus === 'interrupted' ? runStatus : 'failed';
  const written = request.report ? await writeTwinReport(runDir, request.log) : { report: null, claims: [] };
  return {
    run,
    runDir,
    status,
    failure: status === 'completed' ? null : `run.json says ${runStatus}`,
    planned: plan.invocations,
    records: countRecords(runDir),
    templateHash: null,
    calls: null,
    ...written,
    elapsedMs: performance.now() - began,
  };
}
