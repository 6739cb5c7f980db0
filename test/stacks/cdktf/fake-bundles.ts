/**
 * Stand-in bundles for synthesis tests: tiny files in the layout and manifest
 * of probe-runtime/contracts/bundle-manifest.ts. The stacks only package
 * bundles (their content is tested where they are built), so the synthesized
 * infrastructure is the same with these as with the real ones.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUNDLE_MANIFEST_PATH, BUNDLE_NAMES, type BundleManifest } from '../../../probe-runtime/contracts/bundle-manifest';

export function makeFakeBundles(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'curtain-fake-bundles-'));
  const bundles = {} as BundleManifest['bundles'];
  for (const name of BUNDLE_NAMES) {
    const dir = path.join('dist', 'runtime', name);
    const entry = name === 'probe-python' ? 'main.py' : 'index.js';
    const content = `// fake ${name}\n`;
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, entry), content);
    bundles[name] = { dir, entry, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  }
  const manifest: BundleManifest = { v: 1, tool: { name: 'curtain', version: '0.0.0-test' }, bundles };
  writeFileSync(path.join(root, BUNDLE_MANIFEST_PATH), JSON.stringify(manifest));
  return root;
}
