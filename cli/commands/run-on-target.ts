/**
 * `curtain run <study> --target <provider>`: a study on a target's local
 * runtime (ProviderTarget.twin; Cloudflare: the synthesized Workers in
 * workerd), planned for that provider, written in the bucket layout under
 * --out, then reported as `curtain report` would.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeReport } from '../../analysis';
import { planStudy } from '../../experiments/plan';
import { resolveStudy } from '../../experiments/resolve-study';
import { prepareBundles } from '../../local/run/prepare-bundles';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { TARGETS } from '../../targets/registry';
import { CliError, EXIT } from '../cli-error';
import type { CliIo } from '../command';

export interface TargetRunOptions {
  readonly study: string;
  readonly sets: Record<string, unknown>;
  readonly out: string;
  readonly run?: string;
  readonly bundles?: string;
  readonly maxInvocations?: number;
  readonly report: boolean;
  readonly json: boolean;
}

export async function runOnTarget(provider: ProviderId, o: TargetRunOptions, io: CliIo): Promise<number> {
  const { twin } = TARGETS[provider];
  if (!twin) throw new CliError(`curtain run: the ${provider} target has no runtime on this machine; deploy it (${TARGETS[provider].guide})`, EXIT.usage);
  const { definition } = resolveStudy(o.study, o.sets);
  const plan = planStudy(definition, { provider, budget: { maxInvocations: o.maxInvocations } });
  if (plan.budget.verdict === 'over') {
    io.err(`curtain: over budget: ${plan.budget.reasons.join('; ')}`);
    return EXIT.overBudget;
  }
  const bundles = await prepareBundles(o.bundles, (line) => io.err(line));
  io.err(`curtain run ${plan.study.id} --target ${provider}: ${twin.description}; ${plan.invocations} requests in ${plan.steps.length} steps`);
  const { runDir } = await twin.run(plan, { outDir: path.resolve(io.cwd, o.out), bundles, run: o.run, log: (line) => io.err(line) });
  const status = runStatus(runDir);
  const report = o.report ? await writeReport(runDir, { log: (line) => io.err(line) }) : null;
  const claims = report?.summary.claims.map((c) => ({ id: c.claim.id, verdict: c.verdict })) ?? [];
  io.out(
    o.json
      ? JSON.stringify({ study: plan.study.id, provider, runDir, status, report: report?.reportPath ?? null, claims }, null, 2)
      : [`run: ${runDir} (${status})`, ...(report ? [`report: ${report.reportPath}`, ...claims.map((c) => `  ${c.id}: ${c.verdict}`)] : [])].join('\n'),
  );
  return status === 'completed' ? EXIT.ok : EXIT.failed;
}

/** The status run.json closed the run with (the twin copies it from the bucket). */
function runStatus(runDir: string): string {
  try {
    return RunStatusFile.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'))).status;
  } catch {
    return 'unknown (run.json missing or unreadable)';
  }
}

const RunStatusFile = z.object({ status: z.string() });
