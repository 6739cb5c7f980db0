/**
 * Conformance of the Cloudflare artifacts with Cloudflare's published
 * references, for every catalog study that declares Cloudflare, at its
 * defaults (the synthesized Terraform JSON):
 *
 *   terraform-provider-cloudflare 5.14.0 resource docs   every argument documented, required ones set, listed values only
 *   Workers limits (CLOUD_LIMITS.cloudflare)            plain-text bindings ≤ 5 KB, Workers per account
 *   Workflows limits                                    steps per instance
 *
 * A failure lists each finding as `artifact › field: message [reference]`.
 */
import { CATALOG } from '../../experiments/catalog';
import { CLOUD_LIMITS, describeLimit } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { workflowStepCount } from '../../stacks/cloudflare/workflow/compile-workflow';
import { synthesize, type Synthesis } from '../stacks/cdktf/synth-fixture';
import { checkAgainstDocs, parseTerraformDoc } from './cloudflare/terraform-docs';
import { CheckCounter, describeFindings, type Finding } from './support/findings';

const counter = new CheckCounter();
let synth: Synthesis;
const DOCS = 'terraform-provider-cloudflare 5.14.0 resource docs';
const declaring = CATALOG.filter((s) => buildCatalogStudy(s.id).providers.includes('cloudflare')).map((s) => s.id);

beforeAll(() => {
  synth = synthesize({ CURTAIN_PROVIDERS: 'cloudflare' });
}, 300_000);
afterAll(() => {
  synth?.cleanup();
  process.stdout.write(`\nCloudflare conformance:\n${counter.summary()}\n`);
});

test('every catalog study that declares Cloudflare synthesizes a cloudflare stack; the others are refused, not synthesized', () => {
  expect(declaring).toEqual(expect.arrayContaining(['coldstart', 'scalability', 'idle-recycling', 'update-consistency', 'accounting']));
  expect([...synth.stacks.keys()].sort()).toEqual(declaring.map((id) => `cloudflare-${id}`).sort());
});

test('every resource conforms to the provider documentation', () => {
  const findings: Finding[] = [];
  let checked = 0;
  for (const stack of synth.stacks.values()) {
    for (const r of stack.resources) {
      const found = checkAgainstDocs(`${stack.name}/${r.type}.${r.name}`, r.type, r.body);
      counter.add(DOCS, found);
      findings.push(...found);
      checked += 1;
    }
  }
  expect(checked).toBeGreaterThan(declaring.length * 4);
  expect(describeFindings(findings)).toEqual([]);
});

test('the documentation checker catches an undocumented argument, a missing required one and a value outside the listed ones', () => {
  const found = describeFindings(
    checkAgainstDocs('t', 'cloudflare_r2_bucket', { name: 'b', location: 'ENAM', public: true }).concat(
      checkAgainstDocs('t', 'cloudflare_worker', { account_id: 'a', name: 'w', subdomain: { enabled: false, open: true } }),
    ),
  );
  expect(found).toEqual([
    expect.stringMatching(/^t › account_id: required argument missing/),
    expect.stringMatching(/^t › location: "ENAM" is not one of apac, eeur, enam, weur, wnam, oc/),
    expect.stringMatching(/^t › public: not a documented argument/),
    expect.stringMatching(/^t › subdomain.open: not a documented argument/),
  ]);
  // The parser read the nested schemas (an empty parse would find nothing above).
  expect(parseTerraformDoc('### Required\n\n- `a` (String) x.\n').levels.get('')?.get('a')).toEqual({ required: true, values: null });
});

test('plain-text bindings and Worker counts stay within the Workers limits', () => {
  const limits = CLOUD_LIMITS.cloudflare;
  const findings: Finding[] = [];
  for (const stack of synth.stacks.values()) {
    const workers = stack.resources.filter((r) => r.type === 'cloudflare_worker');
    if (workers.length > limits.scriptsPerAccount.value) findings.push({ artifact: stack.name, field: 'cloudflare_worker', reference: describeLimit(limits.scriptsPerAccount), message: `${workers.length} Workers` });
    for (const version of stack.resources.filter((r) => r.type === 'cloudflare_worker_version')) {
      for (const b of (version.body.bindings as { type: string; name: string; text?: string }[]) ?? []) {
        if (b.type === 'plain_text' && Buffer.byteLength(b.text ?? '') > limits.environmentVariableBytes.value) {
          findings.push({ artifact: `${stack.name}/${version.name}`, field: b.name, reference: describeLimit(limits.environmentVariableBytes), message: 'binding too large' });
        }
      }
    }
    counter.add('Workers limits (experiments/capabilities.ts)', findings);
  }
  expect(describeFindings(findings)).toEqual([]);
});

test('each declared study\'s Workflow fits the steps per instance, and the count is what the orchestrator runs', () => {
  for (const id of declaring) {
    const plan = planStudy(buildCatalogStudy(id), { provider: 'cloudflare' });
    const bursts = plan.steps.filter((s) => s.kind === 'burst');
    expect(workflowStepCount(plan)).toBe(2 + bursts.reduce((n, b) => n + 1 + b.shards, 0) + plan.steps.length - bursts.length);
    expect(workflowStepCount(plan)).toBeLessThanOrEqual(CLOUD_LIMITS.cloudflare.workflowStepsPerInstance.value);
  }
});
