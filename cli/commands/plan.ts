import { z } from 'zod';
import { planStudy } from '../../experiments/plan';
import { parseSets, resolveStudy } from '../../experiments/resolve-study';
import { planningDate, runtimeLifecycleFindings } from '../../experiments/runtime-lifecycle';
import { EXIT } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { renderPlan } from '../plan-summary';
import { renderOrchestration } from '../orchestration-summary';
import { TARGETS } from '../../targets/registry';
import { TargetRefusedError } from '../../targets/target-errors';
import { budgetOptions, hostingOption, providerOption, regionOption, setOption } from '../study-options';
import { PROVIDERS } from '../../experiments/schema';
import { listIds } from '../../probe-runtime/contracts/providers';

const usage = `Usage: curtain plan <study|definition-file> --provider ${PROVIDERS.join('|')} [options]

Compiles a study into the plan a provider runs: functions to deploy, the expanded schedule,
invocations, expected duration, a cost estimate (probes, driver, orchestrator, storage, logs),
the budget verdict, and how the provider's orchestrator runs it (executions, the nearest limit).
  --provider P            ${listIds(PROVIDERS)} (required)
  --region R              region (default: the provider's default)
  --hosting H             hosting plan, e.g. consumption or flex on Azure
  --set key=value         override a study parameter (repeatable; see \`curtain show <study>\`)
  --max-usd N             override the budget's maximum cost
  --max-invocations N     override the budget's maximum attempts
  --steps                 print every step, not only the first ones
  --json                  print the plan as JSON
Runtime end-of-support dates that fall inside a run started now (or at CURTAIN_NOW, an ISO
date) are printed as warnings; deploying such a run is refused.
Exit codes: 0 within budget; 1 invalid input or refused by the provider; 2 over budget.`;

const Options = z.object({
  provider: providerOption,
  region: regionOption,
  hosting: hostingOption,
  set: setOption,
  ...budgetOptions,
  steps: z.boolean().default(false),
  json: z.boolean().default(false),
});

export const planCommand: Command = {
  name: 'plan',
  summary: 'compile a study into a plan for one provider, with cost and budget verdict',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'plan',
      args,
      {
        provider: { type: 'string', short: 'p' },
        region: { type: 'string' },
        hosting: { type: 'string' },
        set: { type: 'string', multiple: true },
        'max-usd': { type: 'string' },
        'max-invocations': { type: 'string' },
        steps: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const ref = requirePositional('plan', positionals, 'study', usage);
    const options = validateOptions('plan', Options, values);
    const { definition } = resolveStudy(ref, parseSets(options.set));
    const plan = planStudy(definition, {
      provider: options.provider,
      region: options.region,
      hosting: options.hosting,
      budget: { maxUsd: options['max-usd'], maxInvocations: options['max-invocations'] },
    });
    io.out(options.json ? JSON.stringify(plan, null, 2) : renderPlan(plan, { allSteps: options.steps }));
    // Runtime end-of-support dates depend on when the run happens, so they are reported here, not stored in the plan.
    const lifecycle = runtimeLifecycleFindings(plan, planningDate());
    for (const w of lifecycle.warnings) io.err(`curtain: warning: runtime: ${w}`);
    for (const r of lifecycle.refusals) io.err(`curtain: warning: runtime: deployment will be refused: ${r}`);
    if (plan.budget.verdict === 'over') {
      io.err(`curtain: plan refused: over budget: ${plan.budget.reasons.join('; ')}`);
      return EXIT.overBudget;
    }
    // A deployment the runtime dates refuse has no orchestrator to show (the warnings above say why).
    if (lifecycle.refusals.length > 0) return EXIT.ok;
    const { orchestrator } = TARGETS[plan.provider];
    try {
      const compiled = orchestrator.compile(plan);
      if (!options.json) io.out(`\n${renderOrchestration(plan, orchestrator.engine, compiled)}`);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      io.err(`curtain: plan refused by ${plan.provider}: ${error.message}`);
      return EXIT.usage;
    }
    return EXIT.ok;
  },
};
