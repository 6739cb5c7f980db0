/**
 * The Google twin end to end (twins/gcp/): `coldstart --set rounds=1`
 * synthesized as `cdktf synth` does and run from its Terraform JSON and
 * archives, then deliberately broken copies of the same stack, each of which
 * must fail naming its fault. Every process the twin starts must be gone when
 * it returns; any left is ended by its PID (and fails the test).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson, sha256Hex } from '../../experiments/canonical-json';
import type { TwinRunRequest } from '../../targets/provider-target';
import { runGcpStack, synthesizeGcpForTwin, type SynthesizedGcpTwin } from '../../twins/gcp/run-gcp-twin';

jest.setTimeout(600_000);

let work: string;
let synthesized: SynthesizedGcpTwin;
const logs: string[] = [];

function request(outDir: string): TwinRunRequest {
  return { study: 'coldstart', sets: { rounds: 1 }, outDir, report: false, log: (line) => logs.push(line) };
}

/**
 * This test's descendants whose command line names the twin's function runtimes or its scratch directory:
 * only its own (another run of the twin on this machine is not touched).
 */
function leftovers(): { pid: number; line: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' })
    .split('\n')
    .slice(1)
    .map((line) => {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      return { pid: pid!, ppid: ppid!, line };
    })
    .filter((r) => Number.isInteger(r.pid));
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) grew = Boolean(mine.add(r.pid));
  }
  return rows.filter((r) => r.pid !== process.pid && mine.has(r.pid) && (r.line.includes('twins/gcp/functions-runtime/') || r.line.includes(work)) && !r.line.includes(' ps -eo'));
}

afterEach(() => {
  // End what a failed run may have left, by PID, so one failure does not leak into the next test.
  for (const { pid } of leftovers()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

type Terraform = { resource: Record<string, Record<string, Record<string, unknown>>> };

/** A copy of the synthesized stack whose Terraform JSON `edit` changes (a deliberately broken stack). */
function brokenCopy(name: string, edit: (template: Terraform) => void): SynthesizedGcpTwin {
  const dir = path.join(work, name);
  cpSync(synthesized.stackDir, dir, { recursive: true });
  const file = path.join(dir, 'cdk.tf.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as Terraform;
  edit(template);
  writeFileSync(file, JSON.stringify(template, null, 1));
  return { ...synthesized, stackDir: dir };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-gcp-twin-e2e-'));
  synthesized = await synthesizeGcpForTwin(request(work), path.join(work, 'cdktf.out'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the Google twin', () => {
  it('runs coldstart --set rounds=1 from its synthesized stack: every planned record, run.json completed, the template hash, no denied call, no process left', async () => {
    const result = await runGcpStack(synthesized, request(path.join(work, 'results')), work);
    expect({ status: result.status, failure: result.failure }).toEqual({ status: 'completed', failure: null });
    expect(result.records).toBe(result.planned);
    expect(result.planned).toBe(synthesized.plan.invocations);
    const runDir = result.runDir!;
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', provider: 'gcp', planHash: synthesized.plan.hash, stepsCompleted: synthesized.plan.steps.length });
    expect(run.endedAt).not.toBeNull();
    const twin = JSON.parse(readFileSync(path.join(runDir, 'twin.json'), 'utf8'));
    expect(twin.templateHash).toBe(sha256Hex(canonicalJson(JSON.parse(readFileSync(path.join(synthesized.stackDir, 'cdk.tf.json'), 'utf8')))));
    expect(result.templateHash).toBe(twin.templateHash);
    expect(run.templateHash).toBe(result.templateHash);
    expect(result.calls.filter((c) => !c.allowed)).toEqual([]);
    // Every planned request reached a probe through its Cloud Run front with the driver's ID token.
    expect(result.calls.filter((c) => c.identity === 'driver' && c.action === 'run.routes.invoke')).toHaveLength(synthesized.plan.invocations);
    // The workflow patched the probes its update steps change, through the functions v2 connector.
    const updates = synthesized.plan.steps.filter((s) => s.kind === 'update').length;
    expect(result.calls.filter((c) => c.identity === 'workflow' && c.action === 'cloudfunctions.functions.update')).toHaveLength(updates);
    // After each patch the probes answer from new instances of the new revision: every request of a cold burst
    // is the first invocation of its instance and sees the generation the update set.
    const records = readdirSync(path.join(runDir, 'steps'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(path.join(runDir, 'steps', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    const cold = records.filter((r) => r.label === 'cold');
    expect(cold.length).toBeGreaterThan(0);
    for (const r of cold) expect({ invocation: r.response.instance.invocation, generation: r.response.generation === 'g0' }).toEqual({ invocation: 1, generation: false });
    // The results were written as the driver, under the study's prefix only.
    expect(result.calls.some((c) => c.identity === 'driver' && c.action === 'storage.objects.create' && c.resource.includes('/objects/coldstart/'))).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('fails naming the variable when a parallel branch of the workflow assigns a variable it does not share', async () => {
    const broken = brokenCopy('unshared', (template) => {
      const workflow = template.resource.google_workflows_workflow!.workflow!;
      const source = String(workflow.source_contents);
      const unshared = source.replace(/\n\s*shared:\n\s*- failures/, '');
      expect(unshared).not.toBe(source);
      workflow.source_contents = unshared;
    });
    await expect(runGcpStack(broken, request(path.join(work, 'results-unshared')), work)).rejects.toThrow(
      /google_workflows_workflow\.workflow: step shards: parallel branch assigns failures, a variable of the parent scope, which is not declared shared/,
    );
    expect(leftovers()).toEqual([]);
  });

  it('fails naming the denied call when the driver is not granted run.invoker on a probe', async () => {
    let probe = '';
    const broken = brokenCopy('no-invoker', (template) => {
      const members = template.resource.google_cloud_run_v2_service_iam_member!;
      const id = Object.keys(members).find((k) => k.startsWith('driver-invokes-node-m128'))!;
      probe = id.replace('driver-invokes-', '');
      delete members[id];
    });
    const result = await runGcpStack(broken, request(path.join(work, 'results-no-invoker')), work);
    expect(result.status).toBe('failed');
    expect(result.failure).toContain(`denied: driver run.routes.invoke on projects/curtain-twin-a/locations/-/services/coldstart-${probe}`);
    expect(result.calls.filter((c) => !c.allowed).every((c) => c.identity === 'driver' && c.resource.endsWith(`coldstart-${probe}`))).toBe(true);
    expect(leftovers()).toEqual([]);
  });
  it('refuses the deployment naming the function and its entry point when a probe names an entry point its source does not export', async () => {
    const broken = brokenCopy('entry-point', (template) => {
      const functions = template.resource.google_cloudfunctions2_function!;
      const id = Object.keys(functions).find((k) => k.startsWith('probe-node-m128'))!;
      (functions[id]!.build_config as { entry_point: string }).entry_point = 'prob';
    });
    await expect(runGcpStack(broken, request(path.join(work, 'results-entry-point')), work)).rejects.toThrow(
      /google_cloudfunctions2_function\.probe-node-m128-a-0_function_[0-9A-F]+: the deployment of coldstart-node-m128-a-0 \(entry point prob, nodejs\d+\) fails: .*Could not load the function prob/,
    );
    expect(leftovers()).toEqual([]);
  });
  it('fails naming the variable when the driver is given a wrong environment variable name', async () => {
    const broken = brokenCopy('wrong-env-name', (template) => {
      const functions = template.resource.google_cloudfunctions2_function!;
      const driver = Object.values(functions).find((f) => (f.build_config as { entry_point: string }).entry_point === 'driver')!;
      const variables = (driver.service_config as { environment_variables: Record<string, unknown> }).environment_variables;
      variables.CURTAIN_RESULTS_BUCKET = variables.CURTAIN_BUCKET;
      delete variables.CURTAIN_BUCKET;
    });
    const result = await runGcpStack(broken, request(path.join(work, 'results-env')), work);
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/coldstart-driver answered 500: CURTAIN_BUCKET is not set/);
    expect(result.records).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});
