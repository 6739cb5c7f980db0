import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contentHash } from '../../experiments/canonical-json';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { validDefinition } from '../experiments/fixtures';
import { rerunCommands } from '../../replication/rerun';
import { renderCommand } from '../../replication/shell-words';
import { runInProcess } from './run-cli';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-replan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function publishedRun(name: string, plan: ReturnType<typeof planStudy>, bundlesFrom: 'here' | 'elsewhere'): Promise<string> {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  const built = await ensureRuntimeBuilt();
  const hash = (bundle: 'probe-local' | 'driver-local' | 'probe-python') => (bundlesFrom === 'here' ? built.bundles[bundle].sha256 : 'f'.repeat(64));
  writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({
      v: 1, study: plan.study.id, run: '20261126T120000Z-abc123', provider: plan.provider, region: plan.region, planHash: plan.hash,
      tool: { name: 'curtain', version: '0.1.0' },
      bundles: { probe: hash('probe-local'), driver: hash('driver-local'), pythonProbe: hash('probe-python') },
      templateHash: null, startedAt: '2026-11-26T12:00:00.000Z', endedAt: '2026-11-26T12:01:00.000Z', status: 'completed',
      stepsTotal: plan.steps.length, stepsCompleted: plan.steps.length, failures: [], notes: [],
    }),
  );
  return dir;
}

describe('curtain replan', () => {
  test('a run planned by this version is reproduced, with identical bundles and the command to rerun it', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2, runtimes: ['nodejs'] }), { provider: 'local' });
    const dir = await publishedRun('same', plan, 'here');
    const { code, stdout } = await runInProcess(['replan', dir, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ reproduced: true, hash: plan.hash, rebuiltHash: plan.hash, differences: [] });
    expect(result.bundles.map((b: { same: boolean }) => b.same)).toEqual([true, true, true]);
    const command = result.rerun.steps[0].command as string;
    expect(command).toContain('npx curtain run coldstart');
    expect(command).toContain('--set rounds=2');
    // A list of one is written as JSON so that it parses back as a list, exactly.
    expect(command).toContain(`--set 'runtimes=["nodejs"]'`);
    // The printed command really compiles the same plan: its study and --set arguments through `curtain plan`.
    const argv = result.rerun.steps[0].argv as string[];
    const sets = argv.flatMap((a, i) => (argv[i - 1] === '--set' ? ['--set', a] : []));
    const replanned = await runInProcess(['plan', argv[3]!, ...sets, '--provider', 'local', '--json']);
    expect(JSON.parse(replanned.stdout).hash).toBe(plan.hash);
  });

  test('a plan this version compiles differently is not reproduced: exit 1, naming the fields that differ', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'aws' });
    // A published plan whose steps were compiled by another version (here: one step's barrier changed).
    const tampered = structuredClone(plan);
    const burst = tampered.steps.find((s) => s.kind === 'burst')!;
    if (burst.kind === 'burst') burst.barrierMs = 1234;
    const { hash: _old, ...content } = tampered;
    tampered.hash = contentHash(content);
    const dir = await publishedRun('other', tampered, 'elsewhere');
    const { code, stdout } = await runInProcess(['replan', dir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/is NOT reproduced: this version compiles [0-9a-f]{16}… from catalog study coldstart .*; differing fields: steps\./);
    expect(stdout).toMatch(/bundle probe-aws: (this checkout differs|not recorded)/);
    expect(stdout).toContain('npx cdk deploy -c study=coldstart -c set.coldMode=forced');
    expect(stdout).toContain('-c set.rounds=2 -c set.runtimes=nodejs,python -c region=us-east-1 -c budget=2');
    expect(stdout).toContain('npx curtain start coldstart --provider aws --region us-east-1');
  });

  test('--execute refuses a cloud rerun (it needs the reviewer\'s account) and points at the provider\'s offline twin', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'gcp' });
    const dir = await publishedRun('cloud-execute', plan, 'here');
    const { code, stderr } = await runInProcess(['replan', dir, '--execute', '--gcp-project', 'my-project']);
    expect(code).toBe(1);
    expect(stderr).toContain('curtain replan: --execute runs local reruns only; gcp needs your cloud account');
    expect(stderr).toContain('npx curtain run <study or file> --target gcp (docs/twins.md)');
  });

  test('a plan file edited after it was planned is flagged and not reproduced, naming both hashes once each', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'local' });
    const edited = { ...plan, invocations: plan.invocations + 1 };
    const dir = await publishedRun('edited', edited, 'here');
    const { code, stdout } = await runInProcess(['replan', dir, '--json']);
    expect(code).toBe(1);
    const { hash: _h, ...content } = edited;
    expect(JSON.parse(stdout)).toMatchObject({ reproduced: false, intact: false, differences: ['invocations'], hash: plan.hash, contentHash: contentHash(content), rebuiltHash: plan.hash });
    const text = await runInProcess(['replan', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/NOT reproduced \(this version gives/);
    expect(text.stdout).toContain(`its content hashes to ${contentHash(content).slice(0, 16)}…, not to the ${plan.hash.slice(0, 16)}… it records`);
    expect(text.stdout).toContain(`This version compiles ${plan.hash.slice(0, 16)}… from catalog study coldstart with the recorded parameters (local, local, emulated): the recorded hash; the edited fields are invocations.`);
  });

  test('given a plan.json alone, it never suggests comparing the plan file', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'local' });
    const file = path.join(tmp, 'alone-plan.json');
    writeFileSync(file, JSON.stringify(plan));
    const { code, stdout } = await runInProcess(['replan', file]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/compare \S*plan\.json/);
    expect(stdout).toMatch(/curtain compare needs the run's records/);
    expect(stdout).toMatch(/note: the run did not record its options/);
    // Beside its run.json and steps/ it is a run directory: compare names the directory.
    const dir = await publishedRun('with-steps', plan, 'here');
    mkdirSync(path.join(dir, 'steps'), { recursive: true });
    const inRun = await runInProcess(['replan', path.join(dir, 'plan.json')]);
    expect(inRun.stdout).toContain(`Then: npx curtain compare ${dir} <your-run-dir>`);
  });

  test('a study that is not in the catalog needs its definition file', async () => {
    const file = path.join(tmp, 'mine.json');
    writeFileSync(file, JSON.stringify({ ...validDefinition(), id: 'mine' }));
    const plan = planStudy(JSON.parse(JSON.stringify({ ...validDefinition(), id: 'mine' })), { provider: 'gcp' });
    const planFile = path.join(tmp, 'mine-plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const without = await runInProcess(['replan', planFile]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/mine is not a catalog study of this version; pass --definition FILE/);
    const withDefinition = await runInProcess(['replan', planFile, '--definition', file]);
    expect(withDefinition.code).toBe(0);
    expect(withDefinition.stdout).toContain(`CURTAIN_DEFINITION=${file} CURTAIN_PROVIDERS=gcp CURTAIN_GCP_REGION=us-central1 CURTAIN_MAX_USD=1 npx cdktf deploy gcp-mine --var 'gcp_project=<your-gcp-project-id>'`);
    expect(withDefinition.stdout).toContain("replace <your-gcp-project-id> with your Google Cloud project (or pass --gcp-project)");
    expect(withDefinition.stdout).toContain("npx curtain start mine --provider gcp --region us-central1 --project '<your-gcp-project-id>'");
  });

  test('an invalid plan file is named with its problems', async () => {
    const file = path.join(tmp, 'broken-plan.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, hash: 'x' }));
    const { code, stderr } = await runInProcess(['replan', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/broken-plan\.json: not a valid plan: .*study: required/);
  });

  test('rerun commands carry region, hosting and budget, and quote values a shell would split', () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { memoryMb: [2048, 4096], coldMode: 'natural' }), { provider: 'azure', region: 'westeurope', hosting: 'flex' });
    const steps = rerunCommands({ plan, study: { kind: 'catalog' }, local: null, deploy: null, bundleRoot: null, supplied: {} }).steps;
    expect(renderCommand(steps[0]!.command)).toBe(
      "CURTAIN_STUDY=coldstart CURTAIN_PROVIDERS=azure CURTAIN_SET='coldMode=natural;concurrent=2;idleSeconds=1800;memoryMb=2048,4096;rounds=5;runtimes=nodejs,python' CURTAIN_AZURE_REGION=westeurope CURTAIN_AZURE_HOSTING=flex CURTAIN_MAX_USD=2 npx cdktf deploy azure-coldstart --var 'azure_subscription_id=<your-azure-subscription-id>'",
    );
    expect(renderCommand(steps[1]!.command)).toBe("AZURE_SUBSCRIPTION_ID='<your-azure-subscription-id>' npx curtain start coldstart --provider azure");
  });
});
