/**
 * The deployable bundles an AWS stack needs (probe-runtime/build/bundle-set.ts):
 * the Node probe (Node.js probes), probe-python (Python probes) and the driver.
 * Their directories become the functions' code assets.
 *
 * `root` is the directory holding dist/runtime/manifest.json: the repository by
 * default, or `-c bundleRoot=<dir>` to deploy bundles built elsewhere (for
 * example the exact bundles of a published study).
 */
import { driverBundleName, probeBundleName, PYTHON_PROBE_BUNDLE } from '../../probe-runtime/contracts/bundle-manifest';
import { type BundleRef, type BundleSet, loadBundleSet } from '../../probe-runtime/build/bundle-set';

export { BundleError } from '../../probe-runtime/build/bundle-set';

export interface AwsBundles {
  nodejsProbe?: BundleRef;
  pythonProbe?: BundleRef;
  driver: BundleRef;
}

export interface BundleNeeds {
  nodejs: boolean;
  python: boolean;
}

/** The bundles the studies need from a bundle set; BundleError names a missing one. */
export function awsBundles(set: BundleSet, needs: BundleNeeds): AwsBundles {
  return {
    driver: set.ref(driverBundleName('aws')),
    ...(needs.nodejs ? { nodejsProbe: set.ref(probeBundleName('aws')) } : {}),
    ...(needs.python ? { pythonProbe: set.ref(PYTHON_PROBE_BUNDLE) } : {}),
  };
}

export function loadAwsBundles(root: string, needs: BundleNeeds): AwsBundles {
  return awsBundles(loadBundleSet(root), needs);
}
