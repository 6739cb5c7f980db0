/**
 * Azure plan limits (issue 10, defect 3) over the synthesized Terraform JSON
 * of every catalog study on both hosting plans, and of a study of 400
 * functions: Linux Consumption scales an app to at most 100 instances (200 is
 * Windows') and holds at most 100 apps per plan; Flex Consumption one app per
 * plan and 40..1000 maximum instances (the pinned azurerm's validation). The
 * limits and their sources are in experiments/capabilities.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG } from '../../experiments/catalog';
import { CLOUD_LIMITS, describeLimit } from '../../experiments/capabilities';
import { synthesize, type Synthesis, type SynthesizedStack } from '../stacks/cdktf/synth-fixture';
import { CheckCounter, describeFindings, type Finding } from './support/findings';

const counter = new CheckCounter();
const limits = CLOUD_LIMITS.azure;

function checkPlanLimits(stack: SynthesizedStack): Finding[] {
  const findings: Finding[] = [];
  const resources = stack.json.resource ?? {};
  const appsPerPlan = new Map<string, number>();
  for (const [type, byName] of Object.entries(resources)) {
    if (type !== 'azurerm_linux_function_app' && type !== 'azurerm_function_app_flex_consumption') continue;
    for (const [name, app] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
      const artifact = `${stack.name}/${type}.${name}`;
      const own: Finding[] = [];
      const planId = String(app.service_plan_id);
      appsPerPlan.set(planId, (appsPerPlan.get(planId) ?? 0) + 1);
      if (type === 'azurerm_linux_function_app') {
        const scale = (app.site_config as { app_scale_limit?: number }).app_scale_limit;
        if (scale === undefined || scale > limits.consumptionInstancesPerApp.value) own.push({ artifact, field: 'site_config.app_scale_limit', reference: describeLimit(limits.consumptionInstancesPerApp), message: String(scale) });
      } else {
        const max = app.maximum_instance_count as number;
        if (max < limits.flexMinimumMaximumInstanceCount.value || max > limits.flexInstancesPerApp.value) {
          own.push({ artifact, field: 'maximum_instance_count', reference: describeLimit(limits.flexInstancesPerApp), message: `${max} (the pinned provider accepts ${limits.flexMinimumMaximumInstanceCount.value}..${limits.flexInstancesPerApp.value})` });
        }
      }
      counter.add('Azure plan limits: instances per app', own);
      findings.push(...own);
    }
  }
  const plans = (resources.azurerm_service_plan ?? {}) as Record<string, { sku_name: string }>;
  for (const [planId, apps] of appsPerPlan) {
    // service_plan_id is a Terraform reference: ${azurerm_service_plan.<name>.id}
    const sku = plans[/^\$\{azurerm_service_plan\.(.+)\.id\}$/.exec(planId)?.[1] ?? '']?.sku_name;
    if (sku !== 'Y1' && sku !== 'FC1') {
      findings.push({ artifact: `${stack.name} ${planId}`, field: 'service_plan_id', reference: 'azurerm_service_plan', message: `not a Consumption (Y1) or Flex (FC1) plan of the stack: ${sku}` });
      continue;
    }
    const l = sku === 'FC1' ? limits.flexAppsPerPlan : limits.consumptionAppsPerPlan;
    const own = apps > l.value ? [{ artifact: `${stack.name} ${planId}`, field: 'service_plan_id', reference: describeLimit(l), message: `${apps} apps on one plan` }] : [];
    counter.add('Azure plan limits: apps per plan', own);
    findings.push(...own);
  }
  return findings;
}

let consumption: Synthesis;
let flex: Synthesis;
let wide: Synthesis;
let scratch: string;
beforeAll(() => {
  consumption = synthesize({ CURTAIN_PROVIDERS: 'azure' });
  flex = synthesize({ CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_HOSTING: 'flex' });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-azure-conformance-'));
  const file = path.join(scratch, 'wide.json');
  // The case: 400 function apps (copies) on Linux Consumption.
  writeFileSync(
    file,
    JSON.stringify({
      id: 'wide',
      title: 'Four hundred functions',
      summary: 'Many apps on one Consumption subscription.',
      paper: { experiment: 'E2', section: 'test' },
      providers: ['azure'],
      functions: { memoryMb: [1536], copies: 200, runtime: ['nodejs', 'python'] },
      schedule: [{ kind: 'burst', requestsPerTarget: 1 }],
      analysis: { kind: 'placement' },
      budget: { maxInvocations: 10_000, maxUsd: 50 },
    }),
  );
  wide = synthesize({ CURTAIN_PROVIDERS: 'azure', CURTAIN_DEFINITION: file });
}, 600_000);
afterAll(() => {
  for (const s of [consumption, flex, wide]) s?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`\nAzure conformance:\n${counter.summary()}\n`);
});

test.each(['consumption', 'flex'] as const)('every catalog study on %s: within the plan limits', (hosting) => {
  const synth = hosting === 'flex' ? flex : consumption;
  expect(synth.stacks.size).toBeGreaterThan(0);
  expect(describeFindings([...synth.stacks.values()].flatMap(checkPlanLimits))).toEqual([]);
  void CATALOG;
});

test('400 apps on Linux Consumption are split over plans of at most 100 apps, each app scaling to at most 100 instances', () => {
  const stack = wide.stacks.get('azure-wide')!;
  expect(Object.keys(stack.json.resource!.azurerm_linux_function_app!)).toHaveLength(401);
  expect(Object.keys(stack.json.resource!.azurerm_service_plan!)).toHaveLength(5);
  expect(describeFindings(checkPlanLimits(stack))).toEqual([]);
});
