/**
 * The AWS twin end to end (twins/aws/): `coldstart --set rounds=1` synthesized
 * as `cdk synth` does and run from its cloud assembly, then three deliberately
 * broken copies of the same assembly (a missing grant, a wrong environment
 * variable name, a handler path typo), each of which must fail naming its
 * fault. Every process the twin starts must be gone when it returns.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TwinRunRequest } from '../../targets/provider-target';
import { type AwsTwinResult, runTwinAssembly, synthesizeForTwin, type SynthesizedTwin } from '../../twins/aws/run-aws-twin';
import { ProcessWatch } from '../../tools/twin-matrix/process-watch';

jest.setTimeout(600_000);

let work: string;
let synthesized: SynthesizedTwin;
const logs: string[] = [];

function request(outDir: string): TwinRunRequest {
  return { study: 'coldstart', sets: { rounds: 1 }, outDir, report: false, log: (line) => logs.push(line) };
}

/**
 * Runs the twin with every process it starts watched by PID (tools/twin-matrix/process-watch.ts): the ones
 * still alive after it returned are its leftovers, ended by PID here whatever the test then asserts.
 */
async function runWatched(assembly: SynthesizedTwin, out: string): Promise<{ result: AwsTwinResult; leftovers: string[] }> {
  const watch = new ProcessWatch();
  let result: AwsTwinResult;
  let leftovers: string[] = [];
  try {
    result = await runTwinAssembly(assembly, request(out), work);
  } finally {
    watch.stop();
    const alive = await watch.leftovers();
    watch.kill(alive);
    leftovers = alive.map((p) => `${p.pid} ${p.command}`);
  }
  return { result, leftovers };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** A copy of the synthesized assembly whose template `edit` changes (a deliberately broken stack). */
function brokenCopy(name: string, edit: (template: Template) => void): SynthesizedTwin {
  const dir = path.join(work, name);
  cpSync(synthesized.assemblyDir, dir, { recursive: true });
  const file = path.join(dir, `${synthesized.stackName}.template.json`);
  const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  edit(template);
  writeFileSync(file, JSON.stringify(template, null, 1));
  return { ...synthesized, assemblyDir: dir };
}

function resourceOf(template: Template, type: string, logicalPrefix: string) {
  const entry = Object.entries(template.Resources).find(([id, r]) => r.Type === type && id.startsWith(logicalPrefix));
  if (!entry) throw new Error(`no ${type} ${logicalPrefix}* in the template`);
  return entry[1];
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-twin-e2e-'));
  synthesized = await synthesizeForTwin(request(work), path.join(work, 'cdk.out'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the AWS twin', () => {
  it('runs coldstart --set rounds=1 from its synthesized assembly: every planned record, run.json completed, the template hash, no denied call, no process left', async () => {
    const out = path.join(work, 'results');
    const { result, leftovers } = await runWatched(synthesized, out);
    expect({ status: result.status, failure: result.failure }).toEqual({ status: 'completed', failure: null });
    expect(result.records).toBe(result.planned);
    expect(result.planned).toBe(synthesized.plan.invocations);
    const runDir = result.runDir!;
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', provider: 'aws', planHash: synthesized.plan.hash, stepsCompleted: synthesized.plan.steps.length });
    expect(run.endedAt).not.toBeNull();
    const template = JSON.parse(readFileSync(path.join(synthesized.assemblyDir, `${synthesized.stackName}.template.json`), 'utf8'));
    const twin = JSON.parse(readFileSync(path.join(runDir, 'twin.json'), 'utf8'));
    // The template as canonical JSON (keys sorted, no whitespace), as `curtain start` hashes CloudFormation's copy.
    expect(twin.templateHash).toBe(createHash('sha256').update(JSON.stringify(sortKeys(template))).digest('hex'));
    expect(result.templateHash).toBe(twin.templateHash);
    expect(run.templateHash).toBe(twin.templateHash);
    expect(result.calls.filter((c) => !c.allowed)).toEqual([]);
    // The driver invoked every planned request through the Lambda API, signed as the driver role.
    expect(result.calls.filter((c) => c.identity === 'driver' && c.action === 'lambda:InvokeFunction')).toHaveLength(synthesized.plan.invocations);
    expect(result.calls.some((c) => c.identity === 'orchestrator' && c.action === 'lambda:UpdateFunctionConfiguration')).toBe(true);
    expect(leftovers).toEqual([]);
  });

  it('fails naming the missing lambda:InvokeFunction grant when the driver role cannot invoke the probes', async () => {
    const broken = brokenCopy('no-invoke-grant', (template) => {
      const policy = resourceOf(template, 'AWS::IAM::Policy', 'DriverRoleDefaultPolicy');
      const document = policy.Properties.PolicyDocument as { Statement: { Action: unknown }[] };
      document.Statement = document.Statement.filter((s) => s.Action !== 'lambda:InvokeFunction');
    });
    const { result, leftovers } = await runWatched(broken, path.join(work, 'results-no-grant'));
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/denied: driver lambda:InvokeFunction on arn:aws:lambda:us-east-1:111122223333:function:curtain-coldstart-/);
    expect(result.calls.filter((c) => !c.allowed).every((c) => c.identity === 'driver' && c.action === 'lambda:InvokeFunction')).toBe(true);
    expect(leftovers).toEqual([]);
  });

  it('fails naming the variable when the driver is given a wrong environment variable name', async () => {
    const broken = brokenCopy('wrong-env-name', (template) => {
      const driver = resourceOf(template, 'AWS::Lambda::Function', 'DriverFunction');
      const variables = (driver.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      variables.CURTAIN_RESULTS_BUCKET = variables.CURTAIN_BUCKET;
      delete variables.CURTAIN_BUCKET;
    });
    const { result, leftovers } = await runWatched(broken, path.join(work, 'results-env'));
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/CURTAIN_BUCKET/);
    expect(result.records).toBe(0);
    expect(leftovers).toEqual([]);
  });

  it('fails naming the module when a probe function\'s handler path has a typo', async () => {
    let typo = '';
    const broken = brokenCopy('handler-typo', (template) => {
      const probes = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.CURTAIN_FUNCTION !== undefined);
      expect(probes.length).toBeGreaterThan(0);
      const handler = String(probes[0]!.Properties.Handler);
      typo = handler.replace(/^([^.]+)\./, '$1x.');
      probes[0]!.Properties.Handler = typo;
    });
    const { result, leftovers } = await runWatched(broken, path.join(work, 'results-handler'));
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(new RegExp(`function curtain-coldstart-[^ ]+ \\(\\w+, handler "${typo.replace('.', '\\.')}"\\): Runtime\\.ImportModuleError: Cannot find module '${typo.split('.')[0]}'`));
    expect(leftovers).toEqual([]);
  });
});
