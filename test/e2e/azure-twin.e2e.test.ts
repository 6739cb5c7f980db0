/**
 * The Azure twin end to end (twins/azure/): `coldstart --set rounds=1`
 * synthesized as `cdktf synth` does and run from its Terraform JSON and
 * packages, then deliberately broken copies of the same stack, each of which
 * must fail naming its fault. Every process the twin starts (workers, probe
 * instances, azurite) must be gone when it returns; any left is ended by its
 * pid and fails the test.
 */
import { canonicalJson, sha256Hex } from '../../experiments/canonical-json';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TwinRunRequest } from '../../targets/provider-target';
import { runAzureStack, synthesizeAzureForTwin, type SynthesizedAzureTwin } from '../../twins/azure/run-azure-twin';

jest.setTimeout(600_000);

let work: string;
let synthesized: SynthesizedAzureTwin;

function request(outDir: string): TwinRunRequest {
  return { study: 'coldstart', sets: { rounds: 1 }, outDir, report: false, log: () => {} };
}

/** Processes descended from this test's process (the twin's children and theirs). */
function descendants(): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) if (!ours.has(r.pid) && ours.has(r.ppid)) grew = ours.add(r.pid).size > 0;
  }
  // esbuild's service (the bundles' build, started by the synthesis) lives as long as this process, by design.
  return rows
    .filter((r) => r.pid !== process.pid && ours.has(r.pid) && !r.args.startsWith('ps ') && !/@esbuild\/.*--service=/.test(r.args))
    .map(({ pid, args }) => ({ pid, args }));
}

/** Ends every leftover by its pid and returns what was left. */
function endLeftovers(): string[] {
  const left = descendants();
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left.map((p) => p.args);
}

type Stack = { resource: Record<string, Record<string, Record<string, unknown>>> };

/** A copy of the synthesized stack whose Terraform JSON `edit` changes (a deliberately broken stack). */
function brokenCopy(name: string, edit: (stack: Stack) => void): SynthesizedAzureTwin {
  const from = path.dirname(synthesized.stackFile);
  const dir = path.join(work, name, path.basename(from));
  cpSync(from, dir, { recursive: true });
  const file = path.join(dir, 'cdk.tf.json');
  const stack = JSON.parse(readFileSync(file, 'utf8')) as Stack;
  edit(stack);
  writeFileSync(file, JSON.stringify(stack, null, 1));
  return { ...synthesized, stackFile: file };
}

function driverApp(stack: Stack): Record<string, unknown> {
  const entry = Object.entries(stack.resource.azurerm_linux_function_app!).find(([id]) => id.startsWith('driver_'));
  if (!entry) throw new Error('no driver app in the stack');
  return entry[1];
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-azure-twin-e2e-'));
  synthesized = await synthesizeAzureForTwin(request(work), path.join(work, 'cdktf.out'));
});

afterEach(() => {
  expect(endLeftovers()).toEqual([]);
});

afterAll(() => {
  endLeftovers();
  rmSync(work, { recursive: true, force: true });
});

describe('the Azure twin', () => {
  it('runs coldstart --set rounds=1 from its synthesized stack: every planned record, run.json completed, the template hash, no denied call', async () => {
    const scratch = mkdtempSync(path.join(work, 'run-'));
    const result = await runAzureStack(synthesized, request(path.join(work, 'results')), scratch);
    expect({ status: result.status, failure: result.failure }).toEqual({ status: 'completed', failure: null });
    expect(result.planned).toBe(synthesized.plan.invocations);
    expect(result.records).toBe(result.planned);
    const runDir = result.runDir!;
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', provider: 'azure', planHash: synthesized.plan.hash, stepsCompleted: synthesized.plan.steps.length });
    expect(run.endedAt).not.toBeNull();
    const twin = JSON.parse(readFileSync(path.join(runDir, 'twin.json'), 'utf8'));
    expect(twin.templateHash).toBe(sha256Hex(canonicalJson(JSON.parse(readFileSync(synthesized.stackFile, 'utf8')))));
    // start-run recorded the hash it was started with (the starter's input), as on AWS and Google.
    expect(run.templateHash).toBe(twin.templateHash);
    expect(result.templateHash).toBe(twin.templateHash);
    expect(result.calls.filter((c) => !c.allowed)).toEqual([]);
    // Every planned request reached a probe app with the driver's function key; the driver wrote its blobs and updated the probe apps through ARM.
    expect(result.calls.filter((c) => c.identity === 'driver' && c.action.startsWith('Microsoft.Web/sites/functions/invoke'))).toHaveLength(synthesized.plan.invocations);
    expect(result.calls.some((c) => c.identity === 'driver' && c.action === 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write')).toBe(true);
    const updates = synthesized.plan.steps.filter((s) => s.kind === 'update').length;
    expect(result.calls.filter((c) => c.identity === 'driver' && c.action === 'Microsoft.Web/sites/config/write')).toHaveLength(updates);
  });

  it('fails naming the denied Blob access when the driver has no role on the results container', async () => {
    const broken = brokenCopy('no-results-role', (stack) => {
      delete stack.resource.azurerm_role_assignment!['driver-writes-results'];
    });
    const result = await runAzureStack(broken, request(path.join(work, 'results-no-role')), mkdtempSync(path.join(work, 'run-')));
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/denied: driver Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/blobs\/(read|write) on \/subscriptions\/.*\/containers\/results\/blobs\/coldstart\//);
    expect(result.calls.filter((c) => !c.allowed).every((c) => c.identity === 'driver' && c.action.startsWith('Microsoft.Storage/'))).toBe(true);
    // The driver's own error, not the library's wrapper, says why the orchestration failed.
    expect(result.failure).toMatch(/^orchestrator curtainRun failed: finish-run failed: .*HTTP 403 .*AuthorizationPermissionMismatch/);
  });

  it('fails naming the setting when the driver app is given a wrong app setting name', async () => {
    const broken = brokenCopy('wrong-setting', (stack) => {
      const settings = driverApp(stack).app_settings as Record<string, unknown>;
      settings.CURTAIN_RESULTS_BUCKET = settings.CURTAIN_BUCKET;
      delete settings.CURTAIN_BUCKET;
    });
    const result = await runAzureStack(broken, request(path.join(work, 'results-setting')), mkdtempSync(path.join(work, 'run-')));
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/CURTAIN_BUCKET/);
    expect(result.records).toBe(0);
  });

  it('answers 401 to a function key that is not the probe app\'s, lists each such call and fails the run', async () => {
    const broken = brokenCopy('wrong-key', (stack) => {
      const settings = driverApp(stack).app_settings as Record<string, unknown>;
      settings.CURTAIN_FUNCTION_KEYS = JSON.stringify(Object.fromEntries(synthesized.plan.functions.map((f) => [f.key, 'not-the-key'])));
    });
    const result = await runAzureStack(broken, request(path.join(work, 'results-key')), mkdtempSync(path.join(work, 'run-')));
    expect(result.status).toBe('failed');
    const denied = result.calls.filter((c) => !c.allowed);
    expect(denied).toHaveLength(synthesized.plan.invocations);
    expect(denied.every((c) => c.identity === 'driver' && /^Microsoft\.Web\/sites\/functions\/invoke/.test(c.action) && /\/functions\/probe$/.test(c.resource))).toBe(true);
    expect(result.failure).toMatch(/denied: driver Microsoft\.Web\/sites\/functions\/invoke \(function key\) on \/subscriptions\/.*\/sites\/coldstart-node-/);
  });
});
