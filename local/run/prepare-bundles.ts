/**
 * The bundles a local run executes: this checkout's (built by ensureRuntimeBuilt
 * when missing or stale, so a fresh clone needs no build step), or a prebuilt
 * tree (`curtain run --bundles DIR`, e.g. the exact bundles of a published study).
 */
import path from 'node:path';
import { ValidationError } from '../../experiments/errors';
import { BundleError, bundleSet, loadBundleSet } from '../../probe-runtime/build/bundle-set';
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
    return bundleSet(REPO_ROOT, await ensureRuntimeBuilt({ log, outDir }));
  }
  try {
    return loadBundleSet(path.resolve(prebuiltRoot));
  } catch (error) {
    if (error instanceof BundleError) throw new ValidationError('--bundles', [{ path: '', message: error.message }]);
    throw error;
  }
}
