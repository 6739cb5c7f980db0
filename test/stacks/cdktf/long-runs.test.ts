/**
 * A long study synthesized for Google and Azure as `cdktf synth` would:
 * lifetime at 120 hours (14,400 steps). The workflow's source is as small as
 * a short study's, the driver's package carries the run's split into
 * executions exactly as the orchestrator compiles it (the driver tells the
 * workflow when to hand over; the Durable orchestrator reads it), and only a
 * study that needs several executions lets its workflow start executions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import { Deployment } from '../../../probe-runtime/contracts/deployment';
import { durableSegmentation } from '../../../stacks/azure/durable-segments';
import { compileWorkflow } from '../../../stacks/gcp/workflow/compile-workflow';
import { resourcesOf, type Synthesis, synthesize } from './synth-fixture';

let long: Synthesis;
let short: Synthesis;
beforeAll(() => {
  long = synthesize({ CURTAIN_STUDY: 'lifetime', CURTAIN_SET: 'hours=120', CURTAIN_PROVIDERS: 'gcp,azure' });
  short = synthesize({ CURTAIN_STUDY: 'lifetime', CURTAIN_SET: 'hours=1', CURTAIN_PROVIDERS: 'gcp' });
});
afterAll(() => {
  long?.cleanup();
  short?.cleanup();
});

/** The deployment.json staged beside a provider's driver. */
function stagedDeployment(synthesis: Synthesis, provider: string): Deployment {
  const found = readdirSync(synthesis.stagingRoot)
    .map((dir) => path.join(synthesis.stagingRoot, dir, 'deployment.json'))
    .flatMap((file) => {
      try {
        return [Deployment.parse(JSON.parse(readFileSync(file, 'utf8')))];
      } catch {
        return [];
      }
    })
    .filter((d) => d.provider === provider);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const workflowSource = (s: Synthesis) => String(resourcesOf(s.stacks.get('gcp-lifetime')!, 'google_workflows_workflow')[0]!.body.source_contents);

test('Google: the workflow is as small as a short study\'s; the driver knows where each execution hands over', () => {
  const plan = planStudy(buildCatalogStudy('lifetime', { hours: 120 }), { provider: 'gcp' });
  const { segmentation } = compileWorkflow(plan);
  expect(segmentation.segments.length).toBeGreaterThan(1);
  expect(stagedDeployment(long, 'gcp').orchestration).toEqual({ handOverAt: segmentation.handOverAt });
  const [a, b] = [workflowSource(short).length, workflowSource(long).length];
  expect(Math.abs(b - a) / a).toBeLessThan(0.1);
});

test('Google: a run of several executions lets the workflow start executions, with one permission and nothing else', () => {
  const stack = long.stacks.get('gcp-lifetime')!;
  const roles = resourcesOf(stack, 'google_project_iam_custom_role');
  expect(roles.map((r) => r.body.permissions)).toEqual([['workflows.executions.create']]);
  const binding = resourcesOf(stack, 'google_project_iam_member').filter((m) => String(m.body.role).includes('google_project_iam_custom_role'));
  expect(binding).toHaveLength(1);
  expect(String(binding[0]!.body.member)).toBe('serviceAccount:${google_service_account.workflow-account.email}');
  expect(resourcesOf(short.stacks.get('gcp-lifetime')!, 'google_project_iam_custom_role')).toEqual([]);
});

test('Azure: the Durable orchestrator\'s split is staged with the driver', () => {
  const plan = planStudy(buildCatalogStudy('lifetime', { hours: 120 }), { provider: 'azure' });
  const segmentation = durableSegmentation(plan);
  expect(segmentation.segments.length).toBeGreaterThan(1);
  expect(stagedDeployment(long, 'azure').orchestration).toEqual({ handOverAt: segmentation.handOverAt });
});
