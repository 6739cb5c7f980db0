/** The runtime bundles for the local platform's end-to-end tests: the real ones, built if stale. */
import { ensureRuntimeBuilt } from '../../../probe-runtime/build/ensure-runtime-built';
import { REPO_ROOT } from '../../../probe-runtime/build/build-runtime';
import type { RuntimeBundles } from '../../../local/run/runtime-bundles';
import { bundleSet } from '../../../probe-runtime/build/bundle-set';

export async function testRuntimeBundles(): Promise<RuntimeBundles> {
  return bundleSet(REPO_ROOT, await ensureRuntimeBuilt());
}
