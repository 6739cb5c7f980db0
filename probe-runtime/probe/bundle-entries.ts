/**
 * The Node probe's deployable entries, one per provider (a total record: a new
 * provider id does not compile until it names its probe adapter), for the
 * bundler, the probe benchmark and the tests. Each is bundled on its own,
 * minified, for Node 20 syntax, and must stay ≤ PROBE_BUNDLE_MAX_BYTES.
 */
import { probeBundleName, type ProbeBundleName } from '../contracts/bundle-manifest';
import type { ProviderId } from '../contracts/providers';

export interface ProbeEntrySpec {
  /** Entry file relative to the repository root: the provider's thin handler adapter. */
  entry: string;
  /** Packages the platform provides at runtime, left out of the bundle. */
  external: string[];
  /**
   * Write a package.json beside the bundle (main: index.js, the externals as exact
   * dependencies): Azure Functions finds its entry through `main`, Google's buildpack reads it.
   */
  packageJson: boolean;
  /** Module format of the bundle; default `cjs`. Workers load ES modules (`export default { fetch }`). */
  format?: 'cjs' | 'esm';
}

export interface ProbeEntry extends ProbeEntrySpec {
  bundle: ProbeBundleName;
}

export const PROBE_BUNDLE_MAX_BYTES = 30 * 1024;

export const PROBE_ENTRIES: Record<ProviderId, ProbeEntrySpec> = {
  aws: { entry: 'probe-runtime/probe/adapters/aws.ts', external: [], packageJson: false },
  // The Azure Functions Node.js stack provides @azure/functions.
  azure: { entry: 'probe-runtime/probe/adapters/azure.ts', external: ['@azure/functions'], packageJson: true },
  // Google's buildpack installs the functions framework; the adapter imports only its types.
  gcp: { entry: 'probe-runtime/probe/adapters/gcp.ts', external: [], packageJson: true },
  // workerd (nodejs_compat) provides node:fs, node:os and node:path; a module Worker is an ES module.
  cloudflare: { entry: 'probe-runtime/probe/adapters/cloudflare.ts', external: [], packageJson: false, format: 'esm' },
  local: { entry: 'probe-runtime/probe/adapters/local.ts', external: [], packageJson: false },
};

export const PROBE_NODE_ENTRIES: ProbeEntry[] = (Object.keys(PROBE_ENTRIES) as ProviderId[]).map((provider) => ({
  bundle: probeBundleName(provider),
  ...PROBE_ENTRIES[provider],
}));
