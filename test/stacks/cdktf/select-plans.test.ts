/** Which plans `npx cdktf synth` synthesizes, from CURTAIN_STUDY and friends. */
import { ValidationError } from '../../../experiments/errors';
import { buildCatalogStudy, UnknownStudyError } from '../../../experiments/resolve-study';
import { CATALOG } from '../../../experiments/catalog';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validDefinition } from '../../experiments/fixtures';
import { type CdktfTarget, selectPlans as selectPlansFor, SynthSelectionError } from '../../../stacks/cdktf/select-plans';
import { cdktfTargets } from '../../../targets/registry';
import { TargetRefusedError } from '../../../targets/target-errors';

const selectPlans = (env: NodeJS.ProcessEnv, targets: readonly CdktfTarget[] = cdktfTargets()) => selectPlansFor(env, targets);

/** The registry's targets with an extra check before each stack. */
function vetted(vet: (provider: string, plan: { study: { id: string } }) => void): CdktfTarget[] {
  return cdktfTargets().map((t) => ({ ...t, deployment: { ...t.deployment, vet: (plan) => { t.deployment.vet(plan); vet(t.id, plan); } } }));
}

describe('selectPlans', () => {
  it('CURTAIN_STUDY=coldstart gives a stack per CDK for Terraform target, at its default region and hosting plan', () => {
    const { plans, skipped } = selectPlans({ CURTAIN_STUDY: 'coldstart' });
    expect(plans.map((p) => p.stack)).toEqual(cdktfTargets().map((t) => t.deployment.stackName('coldstart')));
    const rows = plans.map((p) => [p.plan.provider, p.plan.region, p.plan.hosting]);
    expect(rows).toEqual(cdktfTargets().map((t) => [t.id, t.capabilities.defaultRegion, t.capabilities.defaultHosting]));
    expect(rows).toEqual(expect.arrayContaining([
      ['azure', 'eastus', 'consumption'],
      ['gcp', 'us-central1', 'gen2'],
    ]));
    expect(skipped).toEqual([]);
  });

  it('every catalog study that declares a provider is planned for it when CURTAIN_STUDY is unset', () => {
    const { plans } = selectPlans({});
    const expected = CATALOG.flatMap((s) => cdktfTargets().filter((t) => buildCatalogStudy(s.id).providers.includes(t.id)).map((t) => t.deployment.stackName(s.id)));
    expect(plans.map((p) => p.stack).sort()).toEqual(expected.sort());
  });

  it('honours providers, regions and the Azure hosting plan', () => {
    const { plans } = selectPlans({ CURTAIN_STUDY: 'lifetime, accounting', CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_REGION: 'westeurope', CURTAIN_AZURE_HOSTING: 'flex' });
    expect(plans.map((p) => `${p.stack}@${p.plan.region}/${p.plan.hosting}`)).toEqual(['azure-lifetime@westeurope/flex', 'azure-accounting@westeurope/flex']);
  });

  it('a study a target refuses is skipped with its reason, and fails the synthesis when named', () => {
    const vet = (provider: string, plan: { study: { id: string } }) => {
      if (provider === 'gcp' && plan.study.id === 'lifetime') throw new TargetRefusedError('the workflow is too large');
    };
    const all = selectPlans({}, vetted(vet));
    // Besides the refusal, only studies a target cannot measure (its capability row says why) are skipped.
    const unmeasurable = cdktfTargets().flatMap((t) =>
      CATALOG.filter((s) => t.capabilities.notMeasurable?.[buildCatalogStudy(s.id).analysis.kind]).map((s) => expect.stringMatching(new RegExp(`^${t.deployment.stackName(s.id)}: skipped: analysis ${s.id} is not measurable on `))),
    );
    expect(all.skipped).toEqual(expect.arrayContaining(['gcp-lifetime: skipped: the workflow is too large', ...unmeasurable]));
    expect(all.skipped).toHaveLength(1 + unmeasurable.length);
    expect(all.plans.some((p) => p.stack === 'azure-lifetime')).toBe(true);
    expect(() => selectPlans({ CURTAIN_STUDY: 'lifetime' }, vetted(vet))).toThrow(SynthSelectionError);
    expect(() => selectPlans({ CURTAIN_STUDY: 'lifetime' }, vetted(vet))).toThrow('cannot synthesize gcp-lifetime: the workflow is too large');
  });

  it('rejects unknown studies and providers with one clear message', () => {
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstrat' })).toThrow(UnknownStudyError);
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstrat' })).toThrow(/did you mean "coldstart"/);
    expect(() => selectPlans({ CURTAIN_PROVIDERS: 'aws' })).toThrow(ValidationError);
    expect(() => selectPlans({ CURTAIN_AZURE_HOSTING: 'premium' })).toThrow(/CURTAIN_AZURE_HOSTING/);
  });

  it('applies CURTAIN_SET parameters and a CURTAIN_MAX_USD budget, as curtain plan --set / --max-usd do', () => {
    const { plans } = selectPlans({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'gcp', CURTAIN_SET: 'rounds=2; runtimes=nodejs;memoryMb=128,2048' });
    expect(plans).toHaveLength(1);
    expect(plans[0]!.plan.parameters).toMatchObject({ rounds: 2, runtimes: ['nodejs'], memoryMb: [128, 2048] });
    expect(plans[0]!.plan.functions.map((f) => f.key)).toEqual(['node-m128-a-0', 'node-m2048-a-0']);
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstart', CURTAIN_MAX_USD: '0.00001' })).toThrow(/over budget/);
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstart', CURTAIN_SET: 'round=2' })).toThrow(/did you mean "rounds"/);
  });

  it('synthesizes a user-written definition from CURTAIN_DEFINITION', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-cdktf-def-'));
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ ...validDefinition(), id: 'mine', providers: ['gcp', 'local'] }));
    const { plans, skipped } = selectPlans({ CURTAIN_DEFINITION: file });
    expect(plans.map((p) => p.stack)).toEqual(['gcp-mine']);
    expect(skipped).toEqual(cdktfTargets().filter((t) => t.id !== 'gcp').map((t) => `${t.deployment.stackName('mine')}: skipped: the study does not declare ${t.id}`));
  });
});
