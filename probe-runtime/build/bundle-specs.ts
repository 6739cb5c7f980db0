/**
 * What `npm run build:runtime` builds: one spec per name in
 * contracts/bundle-manifest.ts. The probe's Node entries and their externals
 * come from the probe's own list (probe/bundle-entries.ts).
 *
 * The AWS SDK is bundled into driver-aws rather than taken from the Lambda
 * runtime: the version in package-lock.json is the version that runs, so a
 * bundle hash identifies the exact driver code, and a runtime update cannot
 * change the driver's behaviour (retries, connection handling) under a running
 * study. The price is size (the bundle is larger; cold starts of the driver are
 * not measured, so this does not bias any result).
 */
import { type BundleName, driverBundleName, PYTHON_PROBE_BUNDLE } from '../contracts/bundle-manifest';
import type { ProviderId } from '../contracts/providers';
import { PROBE_NODE_ENTRIES, type ProbeEntrySpec } from '../probe/bundle-entries';

export interface NodeBundleSpec {
  kind: 'node';
  name: BundleName;
  /** Entry file relative to the repository root. */
  entry: string;
  /** Packages left out of the bundle; the platform or the package.json written beside it provides them. */
  external: string[];
  /**
   * Write a package.json (main: index.js, the externals as exact dependencies):
   * Azure Functions finds its entry through `main`, and Google's buildpack reads it.
   */
  packageJson: boolean;
  /** Module format; default `cjs` (probe/bundle-entries.ts). */
  format?: 'cjs' | 'esm';
}

export interface CopyBundleSpec {
  kind: 'copy';
  name: BundleName;
  /** Directory copied as is, relative to the repository root. */
  from: string;
  entry: string;
}

export type BundleSpec = NodeBundleSpec | CopyBundleSpec;

/**
 * The driver's entry per provider (a total record: a new provider id does not
 * compile until it names its driver entry), with the same fields as a probe's.
 */
export const DRIVER_ENTRIES: Record<ProviderId, ProbeEntrySpec> = {
  aws: { entry: 'probe-runtime/driver/adapters/aws.ts', external: [], packageJson: false },
  // The Azure Functions host loads @azure/functions and durable-functions from the app's node_modules.
  azure: { entry: 'probe-runtime/driver/adapters/azure.ts', external: ['@azure/functions', 'durable-functions'], packageJson: true },
  gcp: { entry: 'probe-runtime/driver/adapters/gcp.ts', external: [], packageJson: true },
  // The Workers runtime provides cloudflare:workers (WorkflowEntrypoint); plan.txt and deployment.txt are text modules the stack uploads beside it.
  cloudflare: { entry: 'probe-runtime/driver/adapters/cloudflare.ts', external: ['cloudflare:workers', './plan.txt', './deployment.txt'], packageJson: false, format: 'esm' },
  local: { entry: 'probe-runtime/driver/adapters/local.ts', external: [], packageJson: false },
};

export const BUNDLE_SPECS: BundleSpec[] = [
  ...PROBE_NODE_ENTRIES.map((p): NodeBundleSpec => ({ kind: 'node', name: p.bundle, entry: p.entry, external: p.external, packageJson: p.packageJson, ...(p.format ? { format: p.format } : {}) })),
  { kind: 'copy', name: PYTHON_PROBE_BUNDLE, from: 'probe-runtime/python', entry: 'probe.py' },
  ...(Object.keys(DRIVER_ENTRIES) as ProviderId[]).map((provider): NodeBundleSpec => ({ kind: 'node', name: driverBundleName(provider), ...DRIVER_ENTRIES[provider] })),
];

/** Files of a copied directory that are not part of the bundle (caches, tests). */
export function isCopiedFile(relative: string): boolean {
  return !relative.split('/').some((part) => part === '__pycache__' || part === 'tests' || part.startsWith('.')) && !relative.endsWith('.pyc');
}
