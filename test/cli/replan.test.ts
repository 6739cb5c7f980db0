import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rerunCommands } from '../../cli/commands/replan';
import { contentHash } from '../../experiments/canonical-json';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { validDefinition } from '../experiments/fixtures';
import { runInProcess } from './run-cli';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-replan-'));

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
    expect(result.rerun[0]).toContain('npx curtain run coldstart');
    expect(result.rerun[0]).toContain('--set rounds=2');
    expect(result.rerun[0]).toContain('--set runtimes=nodejs');
    // The printed command really compiles the same plan: run its arguments through `curtain plan`.
    const args = (result.rerun[0] as string).replace(/^npx curtain run /, '').split(' ');
    const replanned = await runInProcess(['plan', ...args, '--provider', 'local', '--json']);
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
    expect(stdout).toMatch(/is NOT reproduced .*differing fields: steps\./);
    expect(stdout).toMatch(/bundle probe-aws: (differs|not recorded)/);
    expect(stdout).toContain('npx cdk deploy -c study=coldstart -c set.coldMode=forced');
    expect(stdout).toContain('-c set.rounds=2 -c set.runtimes=nodejs,python -c region=us-east-1 -c budget=2');
  });

  test('a plan file edited after it was planned is flagged and not reproduced', async () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'local' });
    const edited = { ...plan, invocations: plan.invocations + 1 };
    const dir = await publishedRun('edited', edited, 'here');
    const { code, stdout } = await runInProcess(['replan', dir, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ reproduced: false, intact: false, differences: ['invocations'] });
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
    expect(withDefinition.stdout).toContain(`CURTAIN_DEFINITION=${file} CURTAIN_GCP_REGION=us-central1 CURTAIN_MAX_USD=1 npx cdktf deploy gcp-mine`);
  });

  test('an invalid plan file is named with its problems', async () => {
    const file = path.join(tmp, 'broken-plan.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, hash: 'x' }));
    const { code, stderr } = await runInProcess(['replan', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid plan .*broken-plan\.json:\n\s+study: required/);
  });

  test('rerun commands carry region, hosting and budget, and quote values a shell would split', () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { memoryMb: [2048, 4096], coldMode: 'natural' }), { provider: 'azure', region: 'westeurope', hosting: 'flex' });
    expect(rerunCommands(plan)[0]).toBe(
      "CURTAIN_STUDY=coldstart CURTAIN_SET='coldMode=natural;concurrent=2;idleSeconds=1800;memoryMb=2048,4096;rounds=5;runtimes=nodejs,python' CURTAIN_AZURE_REGION=westeurope CURTAIN_AZURE_HOSTING=flex CURTAIN_MAX_USD=2 npx cdktf deploy azure-coldstart",
    );
  });
});
