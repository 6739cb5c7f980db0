/**
 * The runtime bundles for the local platform's end-to-end tests, built once per
 * test process into a temporary root with the dist/runtime layout.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { BundleManifest } from '../../../probe-runtime/contracts/bundle-manifest';
import type { RuntimeBundles } from '../../../local/run/runtime-bundles';

const REPO = path.resolve(__dirname, '../../..');
let cached: RuntimeBundles | null = null;

export function testRuntimeBundles(): RuntimeBundles {
  if (cached) return cached;
  const root = mkdtempSync(path.join(os.tmpdir(), 'curtain-bundles-'));
  const out = (name: string) => path.join(root, 'dist', 'runtime', name);
  const node = (name: string, entry: string) =>
    buildSync({
      entryPoints: [path.join(REPO, entry)],
      outfile: path.join(out(name), 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      logLevel: 'error',
      define: { __CURTAIN_VERSION__: JSON.stringify('0.0.0-test') },
    });
  node('probe-local', 'probe-runtime/probe/adapters/local.ts');
  node('driver-local', 'probe-runtime/driver/adapters/local.ts');
  mkdirSync(out('probe-python'), { recursive: true });
  cpSync(path.join(REPO, 'probe-runtime/python'), out('probe-python'), { recursive: true, filter: (f) => !f.includes('__pycache__') });
  const entry = (name: string, file: string) => ({ dir: `dist/runtime/${name}`, entry: file, bytes: statSync(path.join(out(name), file)).size, sha256: hashDir(out(name)) });
  const manifest: BundleManifest = {
    v: 1,
    tool: { name: 'curtain', version: '0.0.0-test' },
    // Only the bundles a local run uses (the schema lists every provider's).
    bundles: { 'probe-local': entry('probe-local', 'index.js'), 'driver-local': entry('driver-local', 'index.js'), 'probe-python': entry('probe-python', 'probe.py') } as BundleManifest['bundles'],
  };
  writeFileSync(path.join(root, 'dist', 'runtime', 'manifest.json'), JSON.stringify(manifest));
  cached = { root, manifest };
  return cached;
}

function hashDir(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest('hex');
}
