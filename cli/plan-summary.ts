/** Human-readable rendering of a StudyPlan, shared by `plan`, `show` and `run`. */
import { CAPABILITIES } from '../experiments/capabilities';
import { burstSendSpanMs, type PlanStep, type StudyPlan } from '../experiments/plan-schema';
import { formatDuration, formatUsd, plural, table } from './format';
import { isCloudProvider } from '../probe-runtime/contracts/providers';

export function describeStep(step: PlanStep): string[] {
  switch (step.kind) {
    case 'wait':
      // An anchored wait ends at a time after the run's start; its planned length is an estimate.
      return [step.id, 'wait', step.untilSeconds !== undefined ? `until run +${formatDuration(step.untilSeconds)}` : formatDuration(step.seconds), '', '', ''];
    case 'update':
      return [step.id, 'update', step.function, step.change.kind === 'memory' ? `memory=${step.change.memoryMb}` : step.change.kind === 'env' ? `${step.change.name}=${step.change.value}` : `refresh → ${step.generation}`, '', ''];
    case 'burst':
      return [
        step.id,
        'burst',
        step.sendOffsetsMs
          ? `${plural(step.targets.length, 'function')}, open loop over ${formatDuration(burstSendSpanMs(step) / 1000)}`
          : `${plural(step.targets.length, 'function')} × ${step.requestsPerTarget}`,
        `${step.requests} req, conc ${step.concurrency}${step.shardTargetConcurrency ? ` (${step.shardTargetConcurrency}/function per shard)` : ''}${step.shards > 1 ? `, ${step.shards} shards` : ''}`,
        [step.barrierMs > 0 ? `barrier ${step.barrierMs} ms` : '', step.requestBytes || step.responseBytes ? `payload ${step.requestBytes ?? 0}/${step.responseBytes ?? 0} B` : '']
          .filter(Boolean)
          .join(', '),
        step.task.name,
      ];
  }
}

/** Counts of steps by kind and label, e.g. "update ×70, burst cold ×5 (140 requests)". */
export function scheduleDigest(steps: PlanStep[]): string {
  const groups = new Map<string, { count: number; requests: number }>();
  for (const s of steps) {
    const key = s.kind === 'burst' ? `burst ${s.label ?? '(unlabelled)'}` : s.kind;
    const g = groups.get(key) ?? { count: 0, requests: 0 };
    g.count += 1;
    if (s.kind === 'burst') g.requests += s.requests;
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([k, g]) => `${k} ×${g.count}${k.startsWith('burst') ? ` (${plural(g.requests, 'request')})` : ''}`)
    .join(', ');
}

export function renderPlan(plan: StudyPlan, options: { allSteps?: boolean } = {}): string {
  const caps = CAPABILITIES[plan.provider];
  const lines: string[] = [];
  lines.push(`${plan.study.id}: ${plan.study.title}`);
  lines.push(`paper ${plan.study.experiment}, ${plan.study.section}`);
  lines.push(`provider ${caps.displayName} (${plan.provider}), region ${plan.region}, hosting ${plan.hosting}`);
  lines.push(`plan ${plan.hash}`);
  lines.push('');
  lines.push(`Functions to deploy (${plan.functions.length}):`);
  lines.push(
    table(
      ['key', 'memory', 'vCPU', 'runtime', 'arch', 'tenant', 'timeout'],
      plan.functions.map((f) => [f.key, `${f.memoryMb} MB`, f.vcpu ?? '-', f.runtimeVersion, f.architecture, f.tenant, `${f.timeoutSeconds} s`]),
    ),
  );
  lines.push('');
  const shown = options.allSteps ? plan.steps : plan.steps.slice(0, 24);
  lines.push(`Schedule (${plural(plan.steps.length, 'step')}): ${scheduleDigest(plan.steps)}`);
  lines.push(table(['step', 'kind', 'what', 'requests', 'barrier, payload', 'task'], shown.map(describeStep)));
  if (shown.length < plan.steps.length) lines.push(`… ${plan.steps.length - shown.length} more steps (--steps prints all)`);
  lines.push('');
  lines.push(`Invocations: ${plan.invocations} requests (${plan.maxAttempts} attempts at most, retries included)`);
  lines.push(
    `Duration: about ${formatDuration(plan.duration.estimatedSeconds)} (waits ${formatDuration(plan.duration.waitSeconds)})` +
      (isCloudProvider(plan.provider) ? '' : '; the local platform scales waits with --time-scale'),
  );
  const b = plan.cost.breakdown;
  lines.push(
    `Estimated cost: ${formatUsd(plan.cost.usd)} (probes ${formatUsd(b.probes)}, driver ${formatUsd(b.driver)}, orchestrator ${formatUsd(b.orchestrator)}, storage ${formatUsd(b.storage)}, logs ${formatUsd(b.logs)})`,
  );
  lines.push(`  prices: ${plan.cost.priceTable.id} (as of ${plan.cost.priceTable.asOf}; ${plan.cost.priceTable.sources.join(', ')})`);
  for (const a of plan.cost.assumptions) lines.push(`  assumes ${a}`);
  lines.push(
    `Budget: ${plan.budget.verdict === 'within' ? 'within' : 'OVER'} (max ${formatUsd(plan.budget.maxUsd)}, ${plan.budget.maxInvocations} invocations)`,
  );
  for (const r of plan.budget.reasons) lines.push(`  ${r}`);
  if (plan.adaptations.length > 0) {
    lines.push('Adaptations:');
    for (const a of plan.adaptations) lines.push(`  - ${a}`);
  }
  if (plan.warnings.length > 0) {
    lines.push('Warnings:');
    for (const w of plan.warnings) lines.push(`  - ${w}`);
  }
  return lines.join('\n');
}
