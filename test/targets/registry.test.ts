/**
 * The provider registry, checked over every registered target (a new provider
 * is under these tests as soon as it is registered): its entries are
 * consistent with the tables they come from, each target walks plan →
 * synthesis → policy, and its rerun commands are complete. The orchestrator
 * trace of each target is checked in orchestrator-conformance.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAPABILITIES } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import { PRICE_TABLES } from '../../experiments/prices';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { PROVIDERS } from '../../experiments/schema';
import { loadBundleSet } from '../../probe-runtime/build/bundle-set';
import { BUNDLE_NAMES } from '../../probe-runtime/contracts/bundle-manifest';
import { PROVIDER_IDS, type ProviderId } from '../../probe-runtime/contracts/providers';
import type { ProviderTarget } from '../../targets/provider-target';
import type { RerunCommands, RerunRequest } from '../../targets/rerun';
import { TARGET_LIST, TARGETS } from '../../targets/registry';
import { localTarget } from '../../local/target';
import { awsTarget } from '../../stacks/aws/target';
import { azureTarget } from '../../stacks/azure/target';
import { gcpTarget } from '../../stacks/gcp/target';
import { makeFakeBundles } from '../stacks/cdktf/fake-bundles';

const REPO_ROOT = path.resolve(__dirname, '../..');

// Compile-time checks (`npm run typecheck` fails if any of these lines compiles without an error).
// @ts-expect-error a registry without a target for every provider id does not compile
export const incomplete: typeof TARGETS = { aws: awsTarget, azure: azureTarget, gcp: gcpTarget };
// @ts-expect-error a target filed under another provider's id does not compile
export const misfiled: typeof TARGETS = { aws: awsTarget, azure: azureTarget, gcp: gcpTarget, local: awsTarget };
const { client: _client, ...withoutClient } = localTarget;
// @ts-expect-error a target without one of the contract's members does not compile
export const partial: ProviderTarget = withoutClient;

describe('the registry', () => {
  it('has one target per provider id, in the order of the ids, each filed under its own id', () => {
    expect(Object.keys(TARGETS)).toEqual([...PROVIDER_IDS]);
    expect(TARGET_LIST.map((t) => t.id)).toEqual([...PROVIDER_IDS]);
    expect([...PROVIDERS]).toEqual([...PROVIDER_IDS]);
  });

  it.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s: capabilities, prices and bundles are the tables\' own rows', (id, target) => {
    expect(target.capabilities).toBe(CAPABILITIES[id]);
    expect(target.prices).toBe(PRICE_TABLES[id]);
    expect(BUNDLE_NAMES).toEqual(expect.arrayContaining([target.bundles.probe, target.bundles.driver]));
    // The default region is one the target accepts, and so is the example its messages give.
    expect(target.capabilities.defaultRegion).toMatch(target.options.region.pattern);
    expect(target.options.region.example).toMatch(target.options.region.pattern);
    expect(existsSync(path.join(REPO_ROOT, target.guide))).toBe(true);
  });

  it.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s: a target that deploys infrastructure has a start/fetch client, one that does not says why', (_id, target) => {
    if (target.deployment.kind === 'embedded') {
      expect(target.client).toMatchObject({ kind: 'none', reason: expect.stringMatching(/\S/) });
    } else {
      expect(target.client.kind).toBe('cloud');
      if (target.client.kind === 'cloud') expect(target.client.create({}).provider).toBe(target.id);
    }
  });
});

describe('every target: plan → synthesis → policy', () => {
  let bundleRoot: string;
  let work: string;
  beforeAll(() => {
    bundleRoot = makeFakeBundles();
    work = mkdtempSync(path.join(os.tmpdir(), 'curtain-registry-'));
  });
  afterAll(() => {
    rmSync(bundleRoot, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s', (id: ProviderId, target) => {
    // coldstart: Node.js and Python probes (where offered), updates; isolation: a second tenant.
    // A study is planned where it declares the target (derived from the capability table's
    // notMeasurable); elsewhere the planner must refuse it, naming the analysis.
    const declared = ['coldstart', 'isolation'].filter((study) => buildCatalogStudy(study).providers.includes(id));
    expect(declared).toContain('coldstart');
    for (const study of ['coldstart', 'isolation'].filter((s) => !declared.includes(s))) {
      expect(() => planStudy({ ...buildCatalogStudy(study), providers: [id] }, { provider: id })).toThrow(new RegExp(`analysis ${study} is not measurable`));
    }
    const plans = declared.map((study) => planStudy(buildCatalogStudy(study), { provider: id }));
    const { deployment } = target;
    if (deployment.kind === 'embedded') {
      expect(deployment.instead).toMatch(/curtain run/);
      return;
    }
    for (const plan of plans) deployment.vet(plan);
    const synthesized = deployment.synthesize(plans, { bundles: loadBundleSet(bundleRoot), outdir: path.join(work, id) });
    expect(synthesized.stacks.length).toBeGreaterThanOrEqual(plans.length);
    expect(synthesized.stacks.every((s) => typeof s.template === 'object' && s.template !== null)).toBe(true);
    expect(synthesized.findings).toEqual([]);
  });
});

describe('every target: rerun commands', () => {
  it.each(TARGET_LIST.map((t) => [t.id, t] as const))('%s: the commands name the study, its parameters and budget, and start/fetch a cloud run', (id, target) => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: id });
    const request: RerunRequest = { plan, study: { kind: 'catalog' }, local: null, deploy: null, bundleRoot: null, supplied: {} };
    const text = (commands: RerunCommands) => commands.steps.map((s) => [...s.command.env.map(([k, v]) => `${k}=${v}`), ...s.command.argv].join(' '));
    const steps = text(target.rerunCommands(request));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps[0]).toMatch(/coldstart/);
    expect(steps[0]).toMatch(/rounds=2/);
    expect(steps[0]).toContain(String(target.deployment.kind === 'embedded' ? plan.budget.maxInvocations : plan.budget.maxUsd));
    if (target.client.kind === 'cloud') {
      expect(steps.slice(1)).toEqual([expect.stringContaining(`curtain start coldstart --provider ${id}`), expect.stringContaining(`curtain fetch coldstart --provider ${id}`)]);
    }
    // With a definition file, the file replaces the study id.
    const withFile = text(target.rerunCommands({ ...request, study: { kind: 'file', path: 'my study.json', set: ['rounds=2'] } }));
    expect(withFile[0]).toContain('my study.json');
    expect(withFile[0]).not.toMatch(/study=coldstart|CURTAIN_STUDY/);
  });
});
