/**
 * Policy and structure tests on the synthesized Terraform JSON of gcp-<study>.
 * One in-process synthesis of three studies (coldstart: two runtimes;
 * isolation: two tenants; scalability: multi-shard bursts) shared by every test.
 */
import { parse } from 'yaml';
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import { compileWorkflow } from '../../../stacks/gcp/workflow/compile-workflow';
import { peakDemand } from '../../../experiments/plan-queries';
import type { TerraformJson } from '../../../stacks/cdktf/synthesize';
import { gcpPolicy } from '../../../stacks/gcp/policy';
import { allStrings, resourcesOf, type Synthesis, type SynthesizedStack, synthesize } from '../cdktf/synth-fixture';

const STUDIES = ['coldstart', 'isolation', 'scalability'];
/** Resource types that carry labels; every other type used must be listed as label-less. */
const LABELLED = ['google_storage_bucket', 'google_cloudfunctions2_function', 'google_workflows_workflow'];
const LABEL_LESS = [
  'google_project_service',
  'google_service_account',
  'google_storage_bucket_object',
  'google_storage_bucket_iam_member',
  'google_cloud_run_v2_service_iam_member',
  'google_cloudfunctions2_function_iam_member',
  'google_service_account_iam_member',
  'google_project_iam_member',
  'google_project_iam_custom_role',
];

let synth: Synthesis;
const stack = (id: string): SynthesizedStack => synth.stacks.get(`gcp-${id}`)!;

beforeAll(() => {
  synth = synthesize({ CURTAIN_STUDY: STUDIES.join(','), CURTAIN_PROVIDERS: 'gcp' });
});
afterAll(() => synth.cleanup());

describe('gcp stacks: policy', () => {
  it('synthesizes one gcp-<study> stack per requested study', () => {
    expect([...synth.stacks.keys()].sort()).toEqual(STUDIES.map((s) => `gcp-${s}`).sort());
  });

  it.each(STUDIES)('%s: nothing is granted to allUsers or allAuthenticatedUsers, and no basic roles', (id) => {
    const strings = allStrings(stack(id).json.resource);
    expect(strings.filter((s) => /allUsers|allAuthenticatedUsers/.test(s))).toEqual([]);
    const roles = stack(id).resources.filter((r) => typeof r.body.role === 'string').map((r) => r.body.role as string);
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.filter((r) => /^roles\/(owner|editor|viewer)$/.test(r) || r.endsWith('.admin'))).toEqual([]);
  });

  it.each(STUDIES)('%s: every bucket is private (uniform access, public access prevention enforced)', (id) => {
    const buckets = resourcesOf(stack(id), 'google_storage_bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    for (const b of buckets) {
      expect(b.body).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
    }
    expect(resourcesOf(stack(id), 'google_storage_bucket_acl')).toEqual([]);
  });

  it.each(STUDIES)('%s: the results bucket is versioned and retained', (id) => {
    const results = resourcesOf(stack(id), 'google_storage_bucket').find((b) => String(b.body.name).endsWith(`-curtain-${id}`))!;
    expect(results.body).toMatchObject({ versioning: { enabled: true }, force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  it.each(STUDIES)('%s: every resource is labelled with the study, or is of a type that cannot carry labels', (id) => {
    const s = stack(id);
    for (const r of s.resources) {
      if (LABELLED.includes(r.type)) expect({ r: r.name, labels: r.body.labels }).toMatchObject({ labels: { curtain_study: id } });
      else expect(LABEL_LESS).toContain(r.type);
    }
    for (const provider of s.json.provider!.google as unknown as Record<string, unknown>[]) {
      expect(provider.default_labels).toMatchObject({ curtain_study: id });
    }
  });

  it.each(STUDIES)('%s: only the driver invokes probes, only the workflow invokes the driver', (id) => {
    const s = stack(id);
    const driverAccount = 'serviceAccount:${google_service_account.driver-account.email}';
    const flowAccount = 'serviceAccount:${google_service_account.workflow-account.email}';
    const invokers = resourcesOf(s, 'google_cloud_run_v2_service_iam_member');
    expect(invokers.every((r) => r.body.role === 'roles/run.invoker')).toBe(true);
    const probes = resourcesOf(s, 'google_cloudfunctions2_function').filter((f) => (f.body.labels as Record<string, string>).curtain_function !== 'driver');
    expect(invokers.filter((r) => r.body.member === driverAccount)).toHaveLength(probes.length);
    expect(invokers.filter((r) => r.body.member === flowAccount).map((r) => r.body.name)).toEqual([
      expect.stringContaining('google_cloudfunctions2_function.driver_function'),
    ]);
  });

  it.each(STUDIES)('%s: the driver may write only the study prefix of the results bucket', (id) => {
    const grants = resourcesOf(stack(id), 'google_storage_bucket_iam_member');
    expect(grants).toHaveLength(1);
    expect(grants[0]!.body).toMatchObject({
      role: 'roles/storage.objectUser',
      member: expect.stringContaining('driver-account'),
      condition: { expression: expect.stringMatching(new RegExp(`objects/${id}/"\\)$`)) },
    });
  });
});

describe('gcp stacks: the policy the cdktf app enforces (stacks/gcp/policy.ts)', () => {
  it.each(STUDIES)('%s: passes', (id) => {
    expect(gcpPolicy(stack(id).json)).toEqual([]);
  });

  it('flags a public member, a bucket open to public access, a basic role and a user member', () => {
    const json = structuredClone(stack('coldstart').json) as TerraformJson;
    const buckets = json.resource!.google_storage_bucket!;
    const [bucketName] = Object.keys(buckets);
    buckets[bucketName!]!.public_access_prevention = 'inherited';
    const members = json.resource!.google_cloud_run_v2_service_iam_member!;
    const [memberName] = Object.keys(members);
    members[memberName!]!.member = 'allUsers';
    json.resource!.google_project_iam_member!['workflow-writes-logs']!.role = 'roles/editor';
    const findings = gcpPolicy(json);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^gcp-bucket-private: google_storage_bucket.${bucketName}: public_access_prevention`)),
        `gcp-no-public-members: google_cloud_run_v2_service_iam_member.${memberName}`,
        `gcp-members-are-service-accounts: google_cloud_run_v2_service_iam_member.${memberName}: allUsers`,
        'gcp-no-broad-roles: google_project_iam_member.workflow-writes-logs: roles/editor',
      ]),
    );
  });
});

describe('gcp stacks: structure', () => {
  it('deploys one gen2 function per plan function with memory, CPU, runtime and max instances from the plan', () => {
    const plan = planStudy(buildCatalogStudy('coldstart'), { provider: 'gcp' });
    const functions = resourcesOf(stack('coldstart'), 'google_cloudfunctions2_function');
    for (const fn of plan.functions) {
      const r = functions.find((f) => f.body.name === fn.name)!;
      expect(r).toBeDefined();
      expect(r.body).toMatchObject({
        build_config: { runtime: fn.runtimeVersion, entry_point: 'probe' },
        service_config: {
          available_memory: `${fn.memoryMb}Mi`,
          available_cpu: String(fn.vcpu),
          max_instance_count: peakDemand(plan, fn.key),
          max_instance_request_concurrency: 1,
          environment_variables: fn.env,
        },
      });
    }
    expect(new Set(plan.functions.map((f) => f.runtimeVersion))).toEqual(new Set(['nodejs24', 'python313']));
  });

  it('puts tenant b in a second project through a provider alias', () => {
    const s = stack('isolation');
    expect(Object.keys(s.json.variable!)).toEqual(expect.arrayContaining(['gcp_project', 'gcp_project_b']));
    const bFunctions = resourcesOf(s, 'google_cloudfunctions2_function').filter((f) => String(f.body.name).includes('-b-'));
    expect(bFunctions.length).toBe(5);
    expect(bFunctions.every((f) => f.body.provider === 'google.tenant_b')).toBe(true);
    const wf = resourcesOf(s, 'google_workflows_workflow')[0]!;
    expect(wf.body.user_env_vars).toMatchObject({ CURTAIN_PROJECT_A: '${var.gcp_project}', CURTAIN_PROJECT_B: '${var.gcp_project_b}' });
  });

  it('embeds the compiled workflow with Terraform interpolation escaped', () => {
    const plan = planStudy(buildCatalogStudy('scalability'), { provider: 'gcp' });
    const wf = resourcesOf(stack('scalability'), 'google_workflows_workflow')[0]!;
    const source = String(wf.body.source_contents);
    expect(source).not.toMatch(/(^|[^$])\$\{/);
    // Undoing the escape gives exactly the compiled YAML, which parses.
    const yaml = source.replace(/\$\$\{/g, '${');
    expect(yaml).toBe(compileWorkflow(plan).yaml);
    expect(parse(yaml).main.steps.length).toBeGreaterThan(3);
  });

  it('zips each distinct package once per stack and stages plan.json and deployment.json with the driver', () => {
    const s = stack('coldstart');
    const uploads = resourcesOf(s, 'google_storage_bucket_object');
    // Node probe, Python probe, driver.
    expect(uploads).toHaveLength(3);
    const drivers = resourcesOf(s, 'google_cloudfunctions2_function').filter((f) => (f.body.build_config as Record<string, string>).entry_point === 'driver');
    expect(drivers).toHaveLength(1);
    expect((drivers[0]!.body.service_config as Record<string, Record<string, string>>).environment_variables).toMatchObject({
      CURTAIN_BUCKET: expect.stringContaining('google_storage_bucket.results'),
      CURTAIN_TARGETS: expect.stringContaining('jsonencode'),
    });
  });
});
