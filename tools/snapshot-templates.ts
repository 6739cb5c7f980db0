/**
 * Synthesizes every catalog study for every deployable target (AWS with the CDK,
 * Google and Azure with CDK for Terraform, Azure on both hosting plans) with
 * stand-in bundles, and writes the templates into one directory, so that two
 * versions of the stacks can be compared byte for byte:
 *
 *   npx tsx tools/snapshot-templates.ts /tmp/before   # on the old commit
 *   npx tsx tools/snapshot-templates.ts /tmp/after    # on the new one
 *   diff -r /tmp/before /tmp/after
 *
 * A refactoring of stacks or orchestrator compilers should leave the output
 * identical; every difference is a behaviour change to explain. Stand-in
 * bundles (fixed contents) keep the asset hashes independent of the probe and
 * driver sources, so only infrastructure differences show.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG } from '../experiments/catalog';
import { BUNDLE_MANIFEST_PATH, BUNDLE_NAMES, type BundleManifest } from '../probe-runtime/contracts/bundle-manifest';
import { parseAwsAppContext } from '../stacks/aws/app-context';
import { buildAwsApp, createCurtainApp } from '../stacks/aws/build-app';
import { buildCdktfApp } from '../stacks/cdktf/build-app';
import { cdktfTargets } from '../targets/registry';

function standInBundles(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'curtain-snapshot-bundles-'));
  const bundles = {} as BundleManifest['bundles'];
  for (const name of BUNDLE_NAMES) {
    const dir = `dist/runtime/${name}`;
    const entry = name === 'probe-python' ? 'probe.py' : 'index.js';
    const content = `// stand-in ${name}\n`;
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, entry), content);
    bundles[name] = { dir, entry, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  }
  const manifest: BundleManifest = { v: 1, tool: { name: 'curtain', version: '0.0.0-snapshot' }, bundles };
  writeFileSync(path.join(root, BUNDLE_MANIFEST_PATH), JSON.stringify(manifest));
  return root;
}

/** Every file under dir (relative paths, sorted). */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort();
}

function snapshotAws(out: string, bundleRoot: string, studies: string[]): void {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'curtain-snapshot-cdk-'));
  const saved = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const app = createCurtainApp({ outdir });
    buildAwsApp(app, { context: parseAwsAppContext({ bundleRoot, study: studies.join(',') }), repoRoot: bundleRoot });
    const assembly = app.synth();
    for (const stack of assembly.stacks) {
      writeFileSync(path.join(out, 'aws', `${stack.stackName}.template.json`), `${JSON.stringify(stack.template, null, 1)}\n`);
    }
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * cdktf's zips carry file times, so their asset hashes differ between runs with
 * the same content; the package directory's name is its content hash and
 * stands for it. The local backend's state path (the synthesizing directory) is
 * reduced to its file name. The `//` comments' construct paths are left out: Terraform
 * ignores them, and they change whenever constructs are regrouped while every
 * resource keeps its address (stacks/cdktf/stable-address.ts).
 */
function normalizeAssetHashes(json: string): string {
  const zips = [...json.matchAll(/assets\/package-([0-9a-f]+)\/([0-9A-F]+)\/[0-9a-f]+\.zip/g)];
  let normalized = json;
  for (const [, pkg, hash] of zips) normalized = normalized.split(hash!).join(`ZIP-OF-${pkg}`);
  // The local backend's state file is named by the directory the synthesis ran in.
  return normalized.replace(/\n *"path": "[^"]*",/g, '').replace(/"path": "[^"]*\/(terraform\.[a-z0-9-]+\.tfstate)"/g, '"path": "$1"');
}

function snapshotCdktf(out: string, bundleRoot: string, label: string, env: Record<string, string>): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-snapshot-cdktf-'));
  try {
    const outdir = path.join(work, 'cdktf.out');
    const built = buildCdktfApp({ outdir, env, targets: cdktfTargets(), bundleRoot, stagingRoot: path.join(work, 'staging') });
    built.app.synth();
    for (const s of built.stacks) {
      const target = path.join(out, label, s.stack);
      mkdirSync(target, { recursive: true });
      writeFileSync(path.join(target, 'cdk.tf.json'), normalizeAssetHashes(readFileSync(path.join(outdir, 'stacks', s.stack, 'cdk.tf.json'), 'utf8')));
    }
    // The staged packages (named by the hash of their content), with their small files kept for readable diffs.
    const staging = path.join(work, 'staging');
    const listing = files(staging).filter((f) => !f.endsWith('.zip') && !f.includes('node_modules'));
    writeFileSync(path.join(out, label, 'packages.txt'), `${listing.map((f) => `${createHash('sha256').update(readFileSync(path.join(staging, f))).digest('hex')}  ${f}`).join('\n')}\n`);
    for (const f of listing.filter((name) => /\.(json|txt|py)$/.test(name))) {
      mkdirSync(path.dirname(path.join(out, label, 'packages', f)), { recursive: true });
      cpSync(path.join(staging, f), path.join(out, label, 'packages', f));
    }
    writeFileSync(path.join(out, label, 'skipped.txt'), `${built.skipped.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const out = path.resolve(process.argv[2] ?? 'template-snapshot');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(path.join(out, 'aws'), { recursive: true });
  const bundleRoot = standInBundles();
  try {
    const studies = CATALOG.map((s) => s.id);
    snapshotAws(out, bundleRoot, studies);
    snapshotCdktf(out, bundleRoot, 'cdktf', {});
    snapshotCdktf(out, bundleRoot, 'azure-flex', { CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_HOSTING: 'flex' });
  } finally {
    rmSync(bundleRoot, { recursive: true, force: true });
  }
  console.log(`wrote ${files(out).length} files into ${out}`);
}

main();
