/**
 * The synthesized `cloudflare-<study>` stack: its structure follows from the
 * plan, it is private by construction, and the policy flags a stack that is
 * not. The Workflow orchestrator's failure paths: a failed shard is recorded
 * with its shard and the run still closes; nothing is retried by the engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import { loadBundleSet } from '../../../probe-runtime/build/bundle-set';
import { cloudflarePolicy } from '../../../stacks/cloudflare/policy';
import { cloudflareTarget } from '../../../stacks/cloudflare/target';
import { driveWorkflow } from '../../targets/trace-runners/cloudflare';
import { makeFakeBundles } from '../cdktf/fake-bundles';

type Json = { resource: Record<string, Record<string, Record<string, unknown>>> };

let bundleRoot: string;
let work: string;
let template: Json;
const plan = planStudy(buildCatalogStudy('accounting', { memoryMb: [128] }), { provider: 'cloudflare' });

beforeAll(() => {
  bundleRoot = makeFakeBundles();
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-cf-stack-'));
  const synthesized = cloudflareTarget.deployment.kind === 'cdktf' ? cloudflareTarget.deployment.synthesize([plan], { bundles: loadBundleSet(bundleRoot), outdir: work }) : null;
  expect(synthesized?.findings).toEqual([]);
  template = synthesized!.stacks[0]!.template as Json;
}, 120_000);
afterAll(() => {
  rmSync(bundleRoot, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const copy = (): Json => JSON.parse(JSON.stringify(template)) as Json;

test('a Worker per plan function plus the driver, one private bucket, the Workflow on the driver\'s class', () => {
  const workers = Object.values(template.resource.cloudflare_worker!);
  expect(workers.map((w) => w.name).sort()).toEqual([...plan.functions.map((f) => f.name), 'curtain-accounting-driver'].sort());
  for (const w of workers) expect(w).toMatchObject({ subdomain: { enabled: false, previews_enabled: false }, observability: { enabled: false }, tags: ['curtain-study:accounting', 'managed-by:curtain'] });
  expect(Object.values(template.resource.cloudflare_r2_bucket!)).toEqual([expect.objectContaining({ name: 'curtain-accounting', location: 'enam' })]);
  expect(Object.values(template.resource.cloudflare_workflow!)).toEqual([expect.objectContaining({ workflow_name: 'curtain-accounting', class_name: 'CurtainRun', script_name: 'curtain-accounting-driver' })]);
  const driver = Object.values(template.resource.cloudflare_worker_version!).find((v) => (v.modules as { name: string }[]).length === 3)!;
  expect((driver.modules as { name: string; content_type: string }[]).map((m) => [m.name, m.content_type])).toEqual([
    ['index.js', 'application/javascript+module'],
    ['plan.txt', 'text/plain'],
    ['deployment.txt', 'text/plain'],
  ]);
  // plan.txt is the plan, hash and all: the driver checks it as every driver checks plan.json.
  const planText = Buffer.from((driver.modules as { content_base64: string }[])[1]!.content_base64, 'base64').toString('utf8');
  expect(JSON.parse(planText).hash).toBe(plan.hash);
  expect((driver.bindings as { type: string }[]).map((b) => b.type).sort()).toEqual(['plain_text', 'plain_text', 'r2_bucket', 'service', 'workflow']);
  expect(driver.compatibility_flags).toEqual(['nodejs_compat']);
});

test('the policy flags a public route, a workers.dev subdomain, a public bucket domain and a binding outside the stack', () => {
  const route = copy();
  route.resource.cloudflare_workers_route = { r: { pattern: 'example.com/*', script: 'x' } };
  expect(cloudflarePolicy(route as never)).toEqual([expect.stringMatching(/cloudflare-no-public-entry.*cloudflare_workers_route\.r/)]);

  const subdomain = copy();
  const [first] = Object.keys(subdomain.resource.cloudflare_worker!);
  (subdomain.resource.cloudflare_worker![first!]!.subdomain as { enabled: boolean }).enabled = true;
  expect(cloudflarePolicy(subdomain as never)).toEqual([expect.stringMatching(/cloudflare-worker-private/)]);

  const domain = copy();
  domain.resource.cloudflare_r2_managed_domain = { d: { bucket_name: 'curtain-accounting', enabled: true } };
  expect(cloudflarePolicy(domain as never).join('\n')).toMatch(/cloudflare_r2_managed_domain\.d: public entry point/);

  const foreign = copy();
  const version = Object.values(foreign.resource.cloudflare_worker_version!).find((v) => (v.bindings as { type: string }[]).some((b) => b.type === 'service'))!;
  (version.bindings as { type: string; service: string }[]).find((b) => b.type === 'service')!.service = 'someone-elses-worker';
  expect(cloudflarePolicy(foreign as never)).toEqual([expect.stringMatching(/cloudflare-probe-bindings-only-probes.*someone-elses-worker/)]);

  const unnamed = copy();
  Object.values(unnamed.resource.cloudflare_r2_bucket!)[0]!.name = 'results';
  expect(cloudflarePolicy(unnamed as never)).toEqual([expect.stringMatching(/cloudflare-named-for-study.*not named\/tagged with study accounting/)]);
});

test('the plan must fit Workflows: a memory update is refused with the documented limit', () => {
  const memory = { ...plan, steps: [...plan.steps, { ...plan.steps[0]!, kind: 'update', index: 99, id: 'x', function: plan.functions[0]!.key, change: { kind: 'memory', memoryMb: 256 }, generation: 'g9' }] };
  expect(() => cloudflareTarget.deployment.kind === 'cdktf' && cloudflareTarget.deployment.vet(memory as never)).toThrow(/step 99 changes memory; Worker memory per isolate \(not configurable\): 128 MB \(Cloudflare Workers limits/);
});

describe('the CurtainRun Workflow, failure paths', () => {
  test('a failed shard is recorded with its step and shard, the other steps still run, finish-run closes the run as failed', async () => {
    const shardStep = plan.steps.find((s) => s.kind === 'burst')!;
    const { outcome, actions } = await driveWorkflow(plan, { failStep: (name) => name === `step-${shardStep.index}-shard-0` });
    expect(outcome).toMatchObject({ status: 'failed', stepsCompleted: plan.steps.length - 1, failures: [{ step: shardStep.index, shard: 0, message: expect.stringMatching(/failed/) }] });
    const last = actions[actions.length - 1]!;
    expect(last).toMatchObject({ kind: 'driver', event: { action: 'finish-run', status: 'failed', failures: [{ step: shardStep.index, shard: 0 }] } });
  });

  test('a failed start-run skips every step and still closes the run', async () => {
    const { outcome, actions } = await driveWorkflow(plan, { failStep: (name) => name === 'start-run' });
    expect(outcome).toMatchObject({ status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] });
    expect(actions).toEqual([expect.objectContaining({ kind: 'driver', event: expect.objectContaining({ action: 'finish-run' }) })]);
  });

  test('no step is retried by the engine, and a shard may take every attempt of its requests', async () => {
    const { configs } = await driveWorkflow(plan);
    expect([...configs.values()].every((c) => c.retries.limit === 0)).toBe(true);
    const burst = plan.steps.find((s) => s.kind === 'burst')!;
    expect(configs.get(`step-${burst.index}-shard-0`)!.timeout).toBe(`${Math.ceil((burst.timeoutMs * (burst.retries + 1) + 60_000) / 1000)} seconds`);
  });
});
