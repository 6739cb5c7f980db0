/**
 * The bundles a local run executes: this checkout's (built by ensureRuntimeBuilt
 * when missing or stale, so a fresh clone needs no build step), or a prebuilt
 * tree (`curtain run --bundles DIR`, e.g. the exact bundles of a published study).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { problemsFromZod, ValidationError } from '../../experiments/errors';
import { BUNDLE_MANIFEST_PATH, BundleManifest } from '../../probe-runtime/contracts/bundle-manifest';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import type { RuntimeBundles } from './runtime-bundles';

/**
 * CURTAIN_RUNTIME_DIR: where this checkout's bundles are built and read (default dist/runtime), for a
 * read-only checkout or a separate build.
 */
export async function prepareBundles(prebuiltRoot: string | undefined, log: (line: string) => void): Promise<RuntimeBundles> {
  if (prebuiltRoot === undefined) {
    const outDir = process.env.CURTAIN_RUNTIME_DIR ? path.resolve(process.env.CURTAIN_RUNTIME_DIR) : undefined;
    return { root: REPO_ROOT, manifest: await ensureRuntimeBuilt({ log, outDir }) };
  }
  const root = path.resolve(prebuiltRoot);
  const file = path.join(root, BUNDLE_MANIFEST_PATH);
  if (!existsSync(file)) throw new ValidationError('--bundles', [{ path: '', message: `${file} does not exist (expected a directory holding ${BUNDLE_MANIFEST_PATH})` }]);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValidationError('--bundles', [{ path: file, message: `not JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  const parsed = BundleManifest.safeParse(json);
  if (!parsed.success) throw new ValidationError(file, problemsFromZod(parsed.error));
  return { root, manifest: parsed.data };
}
