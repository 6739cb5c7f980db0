/**
 * The Node probe's deployable entries (contracts/bundle-manifest.ts names), for
 * the bundler, the probe benchmark and the tests. Each is bundled on its own,
 * minified, for Node 20 syntax, and must stay ≤ PROBE_BUNDLE_MAX_BYTES.
 */
import type { BundleName } from '../contracts/bundle-manifest';

export interface ProbeEntry {
  bundle: Extract<BundleName, `probe-${string}`>;
  /** Entry file relative to the repository root. */
  entry: string;
  /** Packages the platform provides at runtime, left out of the bundle. */
  external: string[];
}

export const PROBE_BUNDLE_MAX_BYTES = 30 * 1024;

export const PROBE_NODE_ENTRIES: ProbeEntry[] = [
  { bundle: 'probe-aws', entry: 'probe-runtime/probe/adapters/aws.ts', external: [] },
  // Google's buildpack installs the functions framework; the adapter imports only its types.
  { bundle: 'probe-gcp', entry: 'probe-runtime/probe/adapters/gcp.ts', external: [] },
  // The Azure Functions Node.js stack provides @azure/functions.
  { bundle: 'probe-azure', entry: 'probe-runtime/probe/adapters/azure.ts', external: ['@azure/functions'] },
  { bundle: 'probe-local', entry: 'probe-runtime/probe/adapters/local.ts', external: [] },
];
