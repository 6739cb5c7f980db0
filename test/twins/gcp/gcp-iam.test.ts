/**
 * The Google twin's role decision (twins/gcp/gcp-iam.ts) on a synthesized
 * gcp-coldstart stack's own bindings and custom roles: what each service
 * account may do, where the stack's grants are scoped (a service, a function,
 * a bucket prefix by IAM condition, a project), and the refusal of roles and
 * conditions the twin does not know.
 */
import { type Synthesis, synthesize } from '../../stacks/cdktf/synth-fixture';
import { GcpPolicy, type GcpResource } from '../../../twins/gcp/gcp-iam';
import { readGcpStack, type GcpStack } from '../../../twins/gcp/terraform-stack';

let synth: Synthesis;
let stack: GcpStack;
let policy: GcpPolicy;
const P = 'twin-a';

beforeAll(() => {
  synth = synthesize({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'gcp' });
  stack = readGcpStack({ stackName: 'gcp-coldstart', stackDir: synth.stacks.get('gcp-coldstart')!.dir, projects: { gcp_project: P }, urlOf: (n) => `http://127.0.0.1/${n}` });
  policy = new GcpPolicy(stack.bindings, stack.customRoles);
});
afterAll(() => synth.cleanup());

const sa = (role: 'driver' | 'flow' | 'probe') => `serviceAccount:${stack.serviceAccounts.find((e) => e.includes(`-${role}@`))!}`;
const allowed = (member: string, permission: string, resource: GcpResource) => policy.decide(member, permission, resource).allowed;
const service = (name: string): GcpResource => ({ kind: 'service', project: P, name });
const driverFn = () => stack.functions.find((f) => f.entryPoint === 'driver')!;
const probes = () => stack.functions.filter((f) => f.entryPoint === 'probe');

describe('role decisions on the synthesized bindings', () => {
  it('the driver may invoke every probe and nothing else; the workflow only the driver', () => {
    for (const p of probes()) {
      expect(allowed(sa('driver'), 'run.routes.invoke', service(p.name))).toBe(true);
      expect(allowed(sa('flow'), 'run.routes.invoke', service(p.name))).toBe(false);
    }
    expect(allowed(sa('flow'), 'run.routes.invoke', service(driverFn().name))).toBe(true);
    expect(allowed(sa('driver'), 'run.routes.invoke', service(driverFn().name))).toBe(false);
    expect(policy.decide(sa('flow'), 'run.routes.invoke', service(driverFn().name)).grantedBy).toEqual(['google_cloud_run_v2_service_iam_member.workflow-invokes-driver']);
  });

  it('the driver writes only under the study prefix of the results bucket (the binding condition), and cannot list the bucket', () => {
    const bucket = stack.buckets.find((b) => b.endsWith('-curtain-coldstart'))!;
    const object = (name: string): GcpResource => ({ kind: 'object', project: P, bucket, object: name });
    expect(allowed(sa('driver'), 'storage.objects.create', object('coldstart/run/run.json'))).toBe(true);
    expect(allowed(sa('driver'), 'storage.objects.delete', object('coldstart/run/steps/0.jsonl'))).toBe(true);
    expect(allowed(sa('driver'), 'storage.objects.create', object('other-study/run.json'))).toBe(false);
    expect(allowed(sa('driver'), 'storage.objects.create', object('coldstartx/run.json'))).toBe(false);
    expect(allowed(sa('driver'), 'storage.objects.list', { kind: 'bucket', project: P, bucket })).toBe(false);
    const sources = stack.buckets.find((b) => b.includes('-curtain-src-'))!;
    expect(allowed(sa('driver'), 'storage.objects.create', { kind: 'object', project: P, bucket: sources, object: 'coldstart/x' })).toBe(false);
  });

  it('the workflow may update the probes it patches (custom role on each function), act as their account and read operations; not the driver', () => {
    for (const p of probes()) expect(allowed(sa('flow'), 'cloudfunctions.functions.update', { kind: 'function', project: P, name: p.name })).toBe(true);
    expect(allowed(sa('flow'), 'cloudfunctions.functions.update', { kind: 'function', project: P, name: driverFn().name })).toBe(false);
    expect(allowed(sa('flow'), 'cloudfunctions.functions.delete', { kind: 'function', project: P, name: probes()[0]!.name })).toBe(false);
    expect(allowed(sa('flow'), 'cloudfunctions.operations.get', { kind: 'project', project: P })).toBe(true);
    expect(allowed(sa('flow'), 'cloudfunctions.operations.get', { kind: 'project', project: 'elsewhere' })).toBe(false);
    const email = (member: string) => member.replace('serviceAccount:', '');
    expect(allowed(sa('flow'), 'iam.serviceAccounts.actAs', { kind: 'serviceAccount', project: P, email: email(sa('probe')) })).toBe(true);
    expect(allowed(sa('flow'), 'iam.serviceAccounts.actAs', { kind: 'serviceAccount', project: P, email: email(sa('driver')) })).toBe(false);
    // One execution per run: no grant to start executions.
    expect(allowed(sa('flow'), 'workflows.executions.create', { kind: 'project', project: P })).toBe(false);
  });

  it('the probes hold no permission at all', () => {
    expect(policy.bindingsOf(sa('probe'))).toEqual([]);
    expect(allowed(sa('probe'), 'storage.objects.get', { kind: 'object', project: P, bucket: stack.buckets[0]!, object: 'coldstart/x' })).toBe(false);
  });

  it('refuses a role or a condition it does not know, naming the binding', () => {
    const binding = { address: 'google_project_iam_member.x', on: { kind: 'project' as const, name: P }, member: 'serviceAccount:a@b', condition: null };
    expect(() => new GcpPolicy([{ ...binding, role: 'roles/run.developer' }], new Map())).toThrow(/google_project_iam_member\.x: role roles\/run\.developer is not a custom role/);
    expect(() => new GcpPolicy([{ ...binding, role: 'roles/run.invoker', condition: 'request.time < timestamp("2027-01-01T00:00:00Z")' }], new Map())).toThrow(/google_project_iam_member\.x: IAM condition .* is not one the twin evaluates/);
  });
});
