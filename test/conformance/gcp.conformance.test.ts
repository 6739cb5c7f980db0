/**
 * Conformance of the Google artifacts with Google's published references, for
 * every catalog study at its defaults (the synthesized Terraform JSON) and at
 * the largest parameters the Google target accepts (the compiled workflow):
 *
 *   Workflows JSON Schema + documented rules    every workflow source (gcp/workflows.ts)
 *   Cloud Run CPU/memory pairs and concurrency  every function (experiments/capabilities.ts)
 *
 * A failure lists each finding as `artifact › field: message [reference]`.
 */
import { CATALOG } from '../../experiments/catalog';
import { cloudRunResourceProblem } from '../../experiments/capabilities';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { compileWorkflow } from '../../stacks/gcp/workflow/compile-workflow';
import { synthesize, type Synthesis } from '../stacks/cdktf/synth-fixture';
import { checkParallelShared, checkWorkflowLimits, checkWorkflowSchema } from './gcp/workflows';
import { CheckCounter, describeFindings, type Finding } from './support/findings';
import { largestAccepted } from './support/largest';

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
