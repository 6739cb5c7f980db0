/**
 * `curtain run <study> --target cloudflare`: the study planned for Cloudflare
 * (refused before anything starts when Cloudflare cannot measure it or it is
 * over budget), run in workerd, copied from the local R2 bucket into
 * <outDir>/<study>/<run>/, then reported as `curtain report` would. A stopped
 * run (request.signal) is copied as far as it got and closed honestly.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { planStudy } from '../../experiments/plan';
import { TWIN_RECORD_VERSION, type TwinRecord } from '../../probe-runtime/contracts/twin-record';
import { resolveStudy } from '../../experiments/resolve-study';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import { prepareBundles } from '../../local/run/prepare-bundles';
import { PlanOverBudgetError } from '../../local/run/run-local-study';
import { runInWorkerd } from '../../stacks/cloudflare/twin/run-in-workerd';
import type { TwinRunRequest, TwinRunResult } from '../../targets/provider-target';
import { endTwinRun, writeTwinReport } from '../run-dir';

export async function runCloudflareTwin(request: TwinRunRequest): Promise<TwinRunResult> {
  const began = performance.now();
  const { definition } = resolveStudy(request.study, { ...request.sets });
  const plan = planStudy(definition, { provider: 'cloudflare', budget: { maxInvocations: request.maxInvocations } });
  if (plan.budget.verdict === 'over') throw new PlanOverBudgetError(plan.budget.reasons);
  const bundles = await prepareBundles(request.bundles, request.log);
  const run = request.run ?? newRunId();
  request.log(`twin: ${plan.invocations} requests in ${plan.steps.length} steps`);
  const { runDir } = await runInWorkerd(plan, { outDir: request.outDir, bundles, run, signal: request.signal, log: request.log });
  const end = await endTwinRun(runDir, { closedBy: `curtain run --target cloudflare (pid ${process.pid})`, signal: request.signal, failure: null, log: request.log });
  const status = request.signal?.aborted ? 'interrupted' : end.runStatus === 'completed' ? 'completed' : 'failed';
  // twin.json marks the run as a twin's (the report then checks no claim about Cloudflare: its probes ran here).
  const record: TwinRecord = { v: TWIN_RECORD_VERSION, target: 'cloudflare', stack: `workerd (${plan.study.id})`, templateHash: null, failures: status === 'failed' ? [`run.json says ${end.runStatus}`] : [], identities: [] };
  writeFileSync(path.join(runDir, 'twin.json'), `${JSON.stringify(record, null, 2)}\n`);
  return {
    run,
    runDir,
    status,
    failure: status === 'failed' ? `run.json says ${end.runStatus}` : null,
    planned: plan.invocations,
    records: end.records,
    templateHash: null,
    calls: null,
    ...(await writeTwinReport(runDir, request)),
    elapsedMs: performance.now() - began,
  };
}
