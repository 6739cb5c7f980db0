/**
 * What run.json's `origin` is built from: the tool's source identity (every
 * top-level entry of the repository classified as source or not; the hash
 * follows any edit; git commit, tree and dirty flag only for the tool's own
 * checkout) and, for clouds, the deployment's synthesis options, which the
 * driver copies into run.json at start-run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { NOT_SOURCE, SOURCE_ROOTS, sourceIdentity } from '../../probe-runtime/build/source-identity';
import { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { openedManifest } from '../../probe-runtime/driver/run-manifest';
import { deployOrigin } from '../../stacks/deploy-origin';
import { awsDeployOrigin } from '../../stacks/aws/build-app';
import { parseAwsAppContext } from '../../stacks/aws/app-context';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-origin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('source identity', () => {
  test('every top-level entry the repository tracks is classified as source or not', () => {
    const tracked = spawnSync('git', ['-C', REPO_ROOT, 'ls-files'], { encoding: 'utf8' });
    if (tracked.status !== 0) return; // not a checkout (an unpacked copy): nothing to classify against
    const top = [...new Set(tracked.stdout.trim().split('\n').map((f) => f.split('/')[0]!))].sort();
    expect(top.filter((t) => !(SOURCE_ROOTS as readonly string[]).includes(t) && !(NOT_SOURCE as readonly string[]).includes(t))).toEqual([]);
  });

  test('a copy without git has no git identity, and its source hash follows any edit of a source file', () => {
    const copy = path.join(tmp, 'copy');
    for (const entry of ['package.json', 'package-lock.json', 'experiments', 'bin']) cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
    const before = sourceIdentity(copy);
    expect(before).toMatchObject({ version: JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version, git: null });
    const edited = path.join(tmp, 'edited');
    cpSync(copy, edited, { recursive: true });
    writeFileSync(path.join(edited, 'experiments', 'plan.ts'), `${readFileSync(path.join(edited, 'experiments', 'plan.ts'), 'utf8')}\n`);
    expect(sourceIdentity(edited).sourceSha256).not.toBe(before.sourceSha256);
    const same = path.join(tmp, 'same');
    cpSync(copy, same, { recursive: true });
    expect(sourceIdentity(same).sourceSha256).toBe(before.sourceSha256);
  });

  test('the checkout itself: commit and tree are git\'s own', () => {
    const head = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD', 'HEAD^{tree}'], { encoding: 'utf8' });
    if (head.status !== 0) return;
    const [commit, tree] = head.stdout.trim().split('\n');
    expect(sourceIdentity().git).toMatchObject({ commit, tree });
  });
});

describe('cloud runs record what the deployment was synthesized with', () => {
  test('the AWS app\'s -c options become origin.options, and start-run copies deployment.json\'s origin into run.json', () => {
    const context = parseAwsAppContext({ study: 'coldstart', 'set.rounds': '2', region: 'eu-west-1', budget: '3', tenantB: '123456789012', bundleRoot: '/pkg/runtime', driverConcurrency: 'none' });
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'aws', region: 'eu-west-1', budget: { maxUsd: 3 } });
    const origin = RunOrigin.parse(awsDeployOrigin(context, plan));
    expect(origin).toMatchObject({
      recordedBy: 'synth',
      options: { target: 'aws', study: { kind: 'catalog', id: 'coldstart' }, set: ['rounds=2'], region: 'eu-west-1', hosting: 'lambda', maxUsd: 3, secondTenantAccount: true, bundleRoot: '/pkg/runtime', other: { bucketRemoval: 'retain', driverConcurrency: 'none' } },
    });
    const deployment = { v: 1 as const, provider: 'aws' as const, region: plan.region, planHash: plan.hash, targets: {}, origin };
    const manifest = openedManifest(plan, deployment, 'r1', '2026-12-06T00:00:00.000Z', { toolVersion: '0.1.0', bundles: { probe: null, driver: null, pythonProbe: null }, origin: deployment.origin });
    expect(manifest.origin).toEqual(origin);
  });

  test('the cdktf environment becomes origin.options of a Google deployment', () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { rounds: 2 }), { provider: 'gcp', region: 'europe-west3' });
    const origin = deployOrigin(plan, { sets: { rounds: 2 }, maxUsd: undefined, secondTenantAccount: null, bundleRoot: undefined });
    expect(origin.options).toEqual({ target: 'gcp', study: { kind: 'catalog', id: 'coldstart' }, set: ['rounds=2'], region: 'europe-west3', hosting: plan.hosting, maxUsd: null, secondTenantAccount: null, bundleRoot: null, other: {} });
  });
});
