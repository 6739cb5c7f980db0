/**
 * Issue 10, defect 7: the runtime lifecycle table (experiments/runtime-lifecycle.ts)
 * agrees with cfn-lint's copy of AWS's Lambda deprecation schedule; a study
 * chooses among the versions a hosting plan offers (newest by default); a
 * run whose expected end falls after a block date is warned about by
 * `curtain plan` and refused at synth on AWS and by the cdktf app; Azure
 * deploys the plan's runtime versions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PlanRefusedError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import { PROVIDERS } from '../../experiments/schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { RUNTIME_LIFECYCLE, runtimeLifecycleFindings } from '../../experiments/runtime-lifecycle';
import { prepareStudy, DeployRefusedError } from '../../stacks/aws/prepare-study';
import { selectPlans as selectPlansFor } from '../../stacks/cdktf/select-plans';
import { cdktfTargets } from '../../targets/registry';

/** The cdktf app's selection over the registry's CDK for Terraform targets. */
const selectPlans = (env: NodeJS.ProcessEnv) => selectPlansFor(env, cdktfTargets());
import { runInProcess } from '../cli/run-cli';
import { synthesize } from '../stacks/cdktf/synth-fixture';
import { mixedDefinition } from '../stacks/aws/definitions';

const CFN_LINT = JSON.parse(readFileSync(path.join(__dirname, 'references/cloudformation/lambda-runtime-lifecycle.json'), 'utf8')) as Record<string, { deprecated: string | null; 'create-block': string | null; 'update-block': string | null }>;

test('every Lambda release the planner offers has the deprecation, block-create and block-update dates of cfn-lint\'s copy of AWS\'s schedule', () => {
  for (const r of RUNTIME_LIFECYCLE.aws.lambda!) {
    expect({ id: r.id, deprecated: r.deprecated, blockCreate: r.blockCreate, blockUpdate: r.blockUpdate }).toEqual({
      id: r.id,
      deprecated: CFN_LINT[r.id]!.deprecated,
      blockCreate: CFN_LINT[r.id]!['create-block'],
      blockUpdate: CFN_LINT[r.id]!['update-block'],
    });
  }
});

describe('choosing a version', () => {
  const withVersions = (versions: Record<string, string>) => ({
    ...mixedDefinition(),
    providers: [...PROVIDERS],
    functions: { ...mixedDefinition().functions, runtimeVersions: versions },
    adapt: { memory: 'nearest' as const },
  });

  test.each([
    ['aws', undefined, ['nodejs24.x', 'python3.13']],
    ['gcp', undefined, ['nodejs24', 'python313']],
    ['azure', 'consumption', ['node|22', 'python|3.12']],
    ['azure', 'flex', ['node|22', 'python|3.13']],
  ] as const)('%s %s: the newest GA versions by default', (provider, hosting, ids) => {
    // Bursts only: Azure has no in-run memory updates.
    const plan = planStudy({ ...withVersions({}), schedule: [{ kind: 'burst' as const }] }, { provider, hosting, budget: { maxUsd: 1e6 } });
    expect([...new Set(plan.functions.map((f) => f.runtimeVersion))].sort()).toEqual([...ids].sort());
  });

  test('Node 22 and Python 3.12 on request', () => {
    const plan = planStudy(withVersions({ nodejs: '22', python: '3.12' }), { provider: 'aws', budget: { maxUsd: 1e6 } });
    expect([...new Set(plan.functions.map((f) => f.runtimeVersion))].sort()).toEqual(['nodejs22.x', 'python3.12']);
  });

  test('a version the hosting plan does not offer is refused, naming the ones it does', () => {
    expect(() => planStudy(withVersions({ nodejs: '20' }), { provider: 'aws', budget: { maxUsd: 1e6 } })).toThrow(PlanRefusedError);
    expect(() => planStudy(withVersions({ nodejs: '24' }), { provider: 'azure', hosting: 'consumption', budget: { maxUsd: 1e6 } })).toThrow(/functions\.runtimeVersions\.nodejs: version "24" of nodejs is offered by Azure Functions \(consumption\); choose "22"/);
  });
});

describe('dates inside a run', () => {
  // coldstart updates its functions while it runs; on Node.js 22, a run of five weeks from late May meets
  // Lambda's 2027-07-01 block-update (deployed before the 2027-06-01 block-create).
  const coldstart22 = () => {
    const plan = planStudy({ ...buildCatalogStudy('coldstart'), functions: { ...buildCatalogStudy('coldstart').functions, runtimeVersions: { nodejs: '22' } } }, { provider: 'aws' });
    return { ...plan, duration: { ...plan.duration, estimatedSeconds: 35 * 24 * 3600 } };
  };
  const lateMay = new Date('2027-05-30T00:00:00Z');

  test('before the deprecation: nothing; between deprecation and the block dates: a warning; past block-update with updates: a refusal', () => {
    const plan = coldstart22();
    expect(runtimeLifecycleFindings(plan, new Date('2026-12-06T00:00:00Z'))).toEqual({ warnings: [], refusals: [] });
    const short = { ...plan, duration: { ...plan.duration, estimatedSeconds: 3600 } };
    const may = runtimeLifecycleFindings(short, new Date('2027-05-10T00:00:00Z'));
    expect(may.refusals).toEqual([]);
    expect(may.warnings.join('\n')).toMatch(/nodejs22\.x: deprecated on 2027-04-30 .*lambda-runtimes\.html.*choose functions\.runtimeVersions\.nodejs = "24"/);
    const late = runtimeLifecycleFindings(plan, lateMay);
    expect(late.refusals.join('\n')).toMatch(/nodejs22\.x: the run would end on 2027-07-04, after 2027-07-01, from when aws refuses configuration updates/);
    expect(runtimeLifecycleFindings(plan, new Date('2027-06-02T00:00:00Z')).refusals.join('\n')).toMatch(/refuses new functions on this runtime from 2027-06-01/);
  });

  test('AWS synth refuses a run that would outlive block-update, with the date, the source and what to change', () => {
    expect(() => prepareStudy(coldstart22(), { now: lateMay })).toThrow(DeployRefusedError);
    expect(() => prepareStudy(coldstart22(), { now: lateMay })).toThrow(/2027-07-01.*Lambda runtimes: deprecation schedule.*runtimeVersions\.nodejs = "24"/);
    expect(() => prepareStudy(coldstart22(), { now: new Date('2027-05-01T00:00:00Z') })).not.toThrow();
  });

  test('the cdktf app refuses a study named explicitly when Google decommissions its runtime before the run ends', () => {
    const env = { CURTAIN_STUDY: 'accounting', CURTAIN_PROVIDERS: 'gcp', CURTAIN_NOW: '2028-11-01', CURTAIN_SET: '' };
    // accounting deploys Node.js 24 on Google, decommissioned on 2028-10-31.
    expect(() => selectPlans(env)).toThrow(/nodejs24: gcp refuses new functions on this runtime from 2028-10-31/);
    expect(selectPlans({ ...env, CURTAIN_NOW: '2028-01-01' }).plans).toHaveLength(1);
  });

  test('curtain plan warns, with CURTAIN_NOW as the deployment date', async () => {
    const saved = process.env.CURTAIN_NOW;
    process.env.CURTAIN_NOW = '2028-05-01';
    try {
      const result = await runInProcess(['plan', 'accounting', '--provider', 'aws']);
      expect(result.stderr).toMatch(/curtain: warning: runtime: nodejs24\.x: deprecated on 2028-04-30/);
    } finally {
      if (saved === undefined) delete process.env.CURTAIN_NOW;
      else process.env.CURTAIN_NOW = saved;
    }
  });
});

test('Azure deploys the plan\'s runtime versions (Linux Consumption application stack, Flex runtime)', () => {
  const consumption = synthesize({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'azure', CURTAIN_SET: 'memoryMb=128' });
  const flex = synthesize({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_HOSTING: 'flex', CURTAIN_SET: 'memoryMb=2048' });
  try {
    const apps = (s: typeof consumption, type: string) => [...s.stacks.values()].flatMap((st) => Object.values((st.json.resource?.[type] ?? {}) as Record<string, Record<string, unknown>>));
    const stacksOf = apps(consumption, 'azurerm_linux_function_app').map((a) => JSON.stringify((a.site_config as { application_stack: unknown }).application_stack));
    expect(new Set(stacksOf)).toEqual(new Set([JSON.stringify({ node_version: '22' }), JSON.stringify({ python_version: '3.12' })]));
    const runtimes = apps(flex, 'azurerm_function_app_flex_consumption').map((a) => `${String(a.runtime_name)}|${String(a.runtime_version)}`);
    expect(new Set(runtimes)).toEqual(new Set(['node|22', 'python|3.13']));
  } finally {
    consumption.cleanup();
    flex.cleanup();
  }
}, 180_000);
