/**
 * Conformance of the Google artifacts with Google's published references, for
 * every catalog study at its defaults (the synthesized Terraform JSON) and at
 * the largest parameters the Google target accepts (the compiled workflow):
 *
 *   Workflows JSON Schema + documented rules    every workflow source (gcp/workflows.ts)
 *   Cloud Run CPU/memory pairs and concurrency  every function (experiments/capabilities.ts)
 *   Terraform google 6.50.0 documentation       every argument of every resource and provider block (terraform-docs.ts)
 *
 * A failure lists each finding as `artifact › field: message [reference]`.
 */
import { CATALOG } from '../../experiments/catalog';
import { cloudRunResourceProblem } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { compileWorkflow } from '../../stacks/gcp/workflow/compile-workflow';
import { type SynthesizedStack, synthesize, type Synthesis } from '../stacks/cdktf/synth-fixture';
import { checkParallelShared, checkWorkflowLimits, checkWorkflowSchema } from './gcp/workflows';
import { CheckCounter, describeFindings, type Finding } from './support/findings';
import { machineIndependenceFindings } from './support/state-backend';
import { largestAccepted } from './support/largest';
import { checkGoogleBindings, googleBindings } from './iam-bindings';
import { updatedFunctions } from '../../experiments/plan-queries';
import { checkTerraformArguments, loadProviderDocs } from './terraform-docs';

const counter = new CheckCounter();
let synth: Synthesis;
const NO_BUDGET = { maxUsd: 1e9, maxInvocations: 1e12 };

beforeAll(() => {
  synth = synthesize({ CURTAIN_PROVIDERS: 'gcp' });
}, 300_000);
afterAll(() => {
  synth?.cleanup();
  process.stdout.write(`\nGoogle conformance:\n${counter.summary()}\n`);
});

/** The workflow source as Workflows receives it: Terraform's `$${` and `%%{` escapes undone. */
function workflowSources(): { artifact: string; source: string }[] {
  return [...synth.stacks.values()].flatMap((s) =>
    Object.entries((s.json.resource?.google_workflows_workflow ?? {}) as Record<string, { source_contents: string }>).map(([name, w]) => ({
      artifact: `${s.name}/google_workflows_workflow.${name}`,
      source: w.source_contents.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'),
    })),
  );
}

function checkWorkflow(artifact: string, source: string): Finding[] {
  const schema = checkWorkflowSchema(artifact, source);
  const shared = checkParallelShared(artifact, source);
  const limits = checkWorkflowLimits(artifact, source);
  counter.add('Workflows JSON Schema (SchemaStore)', schema);
  counter.add('Workflows parallel shared-variable rule', shared);
  counter.add('Workflows quotas (experiments/capabilities.ts)', limits);
  return [...schema, ...shared, ...limits];
}

test('every catalog study synthesizes a Google stack at its defaults', () => {
  expect([...synth.stacks.keys()].sort()).toEqual(CATALOG.map((s) => `gcp-${s.id}`).sort());
});

test('defaults: every workflow conforms to the Workflows schema and rules', () => {
  const sources = workflowSources();
  expect(sources).toHaveLength(CATALOG.length);
  expect(describeFindings(sources.flatMap((w) => checkWorkflow(w.artifact, w.source)))).toEqual([]);
});

test('largest accepted parameters: every workflow conforms too', () => {
  const findings: Finding[] = [];
  for (const study of CATALOG) {
    const refusal = (params: Record<string, unknown>) => {
      try {
        compileWorkflow(planStudy(buildCatalogStudy(study.id, params), { provider: 'gcp', budget: NO_BUDGET }));
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };
    // Four bisection steps (t within 1/16): each compiles a plan that may be thousands of steps long.
    const { largest } = largestAccepted(study, refusal, 4);
    const { yaml } = compileWorkflow(planStudy(buildCatalogStudy(study.id, largest.parameters), { provider: 'gcp', budget: NO_BUDGET }));
    findings.push(...checkWorkflow(`${study.id} (largest, t=${largest.t})`, yaml));
  }
  expect(describeFindings(findings)).toEqual([]);
}, 300_000);

test('every function: a CPU/memory pair Cloud Run accepts, one request per instance below one vCPU', () => {
  const findings: Finding[] = [];
  for (const s of synth.stacks.values()) {
    for (const [name, fn] of Object.entries((s.json.resource?.google_cloudfunctions2_function ?? {}) as Record<string, { service_config: { available_memory: string; available_cpu: string; max_instance_request_concurrency: number } }>)) {
      const config = fn.service_config;
      const memory = Number(/^(\d+)Mi$/.exec(config.available_memory)?.[1]);
      const cpu = Number(config.available_cpu);
      const artifact = `${s.name}/google_cloudfunctions2_function.${name}`;
      const own: Finding[] = [];
      const problem = Number.isFinite(memory) ? cloudRunResourceProblem(memory, cpu) : `available_memory "${config.available_memory}" is not in Mi`;
      if (problem) own.push({ artifact, field: 'service_config', reference: 'Cloud Run: configure memory limits (CLOUD_RUN_CPU_TIERS)', message: problem });
      if (cpu < 1 && config.max_instance_request_concurrency !== 1) own.push({ artifact, field: 'service_config.max_instance_request_concurrency', reference: 'Cloud Run: CPU limits (below 1 vCPU, concurrency must be 1)', message: String(config.max_instance_request_concurrency) });
      counter.add('Cloud Run CPU/memory tiers', own);
      findings.push(...own);
    }
  }
  expect(describeFindings(findings)).toEqual([]);
});

test('every argument of every resource, and the provider block, is documented by the pinned google provider', () => {
  const docs = loadProviderDocs('google');
  const findings: Finding[] = [];
  for (const s of synth.stacks.values()) {
    for (const check of checkTerraformArguments(s.name, s.json, docs, 'google')) {
      counter.add(`Terraform google ${docs.version} documentation (arguments, values, conflicts)`, check.findings);
      findings.push(...check.findings);
    }
  }
  expect(counter.checked(`Terraform google ${docs.version} documentation (arguments, values, conflicts)`)).toBeGreaterThan(synth.stacks.size);
  expect(describeFindings(findings)).toEqual([]);
});

test('every role binding is in the least-privilege table, and the workflow may update exactly the functions the plan updates (issue 10, defect 8)', () => {
  const findings: Finding[] = [];
  for (const s of synth.stacks.values()) {
    const study = s.name.replace(/^gcp-/, '');
    const bindings = googleBindings(s.name, s.json);
    const own = checkGoogleBindings(bindings, study);
    const updatable = bindings.filter((b) => b.role.includes('cloudfunctions.functions.update')).map((b) => /^probe-(.+)_function_[0-9A-F]+$/.exec(b.resource ?? '')?.[1] ?? b.resource);
    const planned = [...updatedFunctions(planStudy(buildCatalogStudy(study), { provider: 'gcp' })).keys()];
    if (JSON.stringify([...updatable].sort()) !== JSON.stringify([...planned].sort())) {
      own.push({ artifact: s.name, field: 'google_cloudfunctions2_function_iam_member', reference: 'plan: updated functions', message: `update granted on [${updatable.join(', ')}], the plan updates [${planned.join(', ')}]` });
    }
    counter.add('Google role bindings (least-privilege table)', own);
    findings.push(...own);
  }
  expect(describeFindings(findings)).toEqual([]);
});

test('the least-privilege check fails on a broader grant: roles/cloudfunctions.developer, a custom role with delete, an unconditioned bucket grant', () => {
  const stack = synth.stacks.get('gcp-update-consistency')!;
  const check = (mutate: (json: SynthesizedStack['json']) => void) => {
    const json = structuredClone(stack.json);
    mutate(json);
    return describeFindings(checkGoogleBindings(googleBindings('x', json), 'update-consistency'));
  };
  const member = Object.keys(stack.json.resource!.google_cloudfunctions2_function_iam_member!)[0]!;
  expect(
    check((json) => {
      json.resource!.google_cloudfunctions2_function_iam_member![member]!.role = 'roles/cloudfunctions.developer';
    }),
  ).toEqual([expect.stringContaining(`google_cloudfunctions2_function_iam_member.${member} › role: workflow-account holds roles/cloudfunctions.developer on probe function: not in the table`)]);
  expect(
    check((json) => {
      const roles = json.resource!.google_project_iam_custom_role!;
      const update = Object.values(roles).find((r) => (r.permissions as string[]).includes('cloudfunctions.functions.update'))!;
      update.permissions = [...(update.permissions as string[]), 'cloudfunctions.functions.delete'];
    }),
  ).toEqual([expect.stringContaining(`${member} › role: workflow-account holds custom:cloudfunctions.functions.delete,cloudfunctions.functions.get,cloudfunctions.functions.update on probe function`)]);
  expect(
    check((json) => {
      delete Object.values(json.resource!.google_storage_bucket_iam_member!)[0]!.condition;
    }),
  ).toEqual([expect.stringContaining('driver-account holds roles/storage.objectUser on results bucket: not in the table')]);
});

test('every stack keeps its Terraform state in its own folder and holds no path of the synthesizing machine (issue 10, defect 9)', () => {
  const findings = [...synth.stacks.values()].flatMap((s) => machineIndependenceFindings(s.name, s.json));
  expect(describeFindings(findings)).toEqual([]);
});
