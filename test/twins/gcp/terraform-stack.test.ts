/**
 * The Google twin reads a synthesized stack's Terraform JSON (twins/gcp/terraform-stack.ts)
 * and refuses, naming the resource, what it does not model: a resource kind,
 * a runtime, a service setting, a Terraform expression it does not evaluate.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Synthesis, synthesize } from '../../stacks/cdktf/synth-fixture';
import { readGcpStack } from '../../../twins/gcp/terraform-stack';

type Terraform = { resource: Record<string, Record<string, Record<string, unknown>>> };
let synth: Synthesis;
let work: string;

beforeAll(() => {
  synth = synthesize({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'gcp' });
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-gcp-tf-'));
});
afterAll(() => {
  synth.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function read(name: string, edit?: (t: Terraform) => void) {
  const dir = path.join(work, name);
  cpSync(synth.stacks.get('gcp-coldstart')!.dir, dir, { recursive: true });
  const file = path.join(dir, 'cdk.tf.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as Terraform;
  edit?.(template);
  writeFileSync(file, JSON.stringify(template));
  return readGcpStack({ stackName: 'gcp-coldstart', stackDir: dir, projects: { gcp_project: 'twin-a' }, urlOf: (n) => `http://127.0.0.1/${n}` });
}

const driverOf = (t: Terraform) => Object.values(t.resource.google_cloudfunctions2_function!).find((f) => (f.build_config as { entry_point: string }).entry_point === 'driver')!;

describe('reading the synthesized stack', () => {
  it('resolves the stack: function URLs in the driver environment, emails, the workflow source unescaped', () => {
    const stack = read('ok');
    const driver = stack.functions.find((f) => f.entryPoint === 'driver')!;
    const targets = JSON.parse(driver.env.CURTAIN_TARGETS!) as Record<string, string>;
    expect(Object.values(targets).sort()).toEqual(stack.functions.filter((f) => f.entryPoint === 'probe').map((f) => f.url).sort());
    expect(driver.env.CURTAIN_BUCKET).toBe('twin-a-curtain-coldstart');
    expect(driver.serviceAccount).toMatch(/^curtain-[0-9a-f]{8}-driver@twin-a\.iam\.gserviceaccount\.com$/);
    expect(stack.workflow.env.CURTAIN_DRIVER_URL).toBe(driver.url);
    expect(stack.workflow.source).toContain('${sys.get_env("CURTAIN_DRIVER_URL")}');
    expect(stack.workflow.source).not.toContain('$${');
  });

  it.each([
    ['an unknown resource kind', (t: Terraform) => void (t.resource.google_compute_instance = { vm: { name: 'x' } }), /google_compute_instance\.vm: resource kind google_compute_instance is not modelled/],
    ['an unknown runtime', (t: Terraform) => void ((driverOf(t).build_config as { runtime: string }).runtime = 'go122'), /google_cloudfunctions2_function\.driver_function_[0-9A-F]+: build_config\.runtime "go122": expected a runtime the Google twin runs/],
    ['a service setting it does not model', (t: Terraform) => void ((driverOf(t).service_config as Record<string, unknown>).vpc_connector = 'c'), /service_config\.vpc_connector is not modelled/],
    [
      'a Terraform expression it does not evaluate',
      (t: Terraform) => void ((driverOf(t).service_config as { environment_variables: Record<string, string> }).environment_variables.X = '${upper(var.gcp_project)}'),
      /the Terraform expression \$\{upper\(var\.gcp_project\)\} is not one the twin evaluates/,
    ],
  ])('refuses %s, naming it', (_what, edit, message) => {
    expect(() => read(_what.replace(/\s/g, '-'), edit)).toThrow(message);
  });
});
