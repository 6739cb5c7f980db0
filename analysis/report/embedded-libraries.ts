/**
 * The browser builds the HTML report inlines so that it draws its figures with
 * no network: vega, vega-lite and vega-embed, read from node_modules at the
 * exact versions package.json pins (the same vega and vega-lite that render the
 * SVG figures), with their licence texts, which their BSD-3-Clause licences ask
 * to accompany a redistribution.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedLibrary {
  name: string;
  version: string;
  license: string;
  /** The minified UMD build (defines a global: vega, vegaLite, vegaEmbed). */
  code: string;
  licenseText: string;
  /** Packages the build bundles inside it, with their licences (vega-embed bundles vega-tooltip, vega-themes, …). */
  bundles: { name: string; license: string }[];
}

/** In the order the page must load them: vega-lite and vega-embed expect the globals before them. */
const BUILDS = [
  { name: 'vega', build: 'build/vega.min.js' },
  { name: 'vega-lite', build: 'build/vega-lite.min.js' },
  { name: 'vega-embed', build: 'build/vega-embed.min.js' },
] as const;

let cached: EmbeddedLibrary[] | null = null;

export function embeddedLibraries(): EmbeddedLibrary[] {
  cached ??= BUILDS.map(({ name, build }) => {
    const root = packageRoot(name);
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string; dependencies?: Record<string, string> };
    // vega-embed's UMD build requires only vega and vega-lite; its other dependencies are inside it.
    const bundled = name === 'vega-embed' ? Object.keys(manifest.dependencies ?? {}) : [];
    return {
      name,
      version: manifest.version,
      license: manifest.license,
      code: readFileSync(path.join(root, build), 'utf8'),
      licenseText: readFileSync(path.join(root, 'LICENSE'), 'utf8'),
      bundles: bundled.map((dep) => ({ name: dep, license: dependencyLicense(root, dep) })),
    };
  });
  return cached;
}

/** The package's folder; vega-embed exports no subpath, so it is found from its main entry (build/vega-embed.js). */
function packageRoot(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return path.resolve(path.dirname(require.resolve(name)), '..');
  }
}

function dependencyLicense(from: string, dep: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'node_modules', dep, 'package.json'), 'utf8')) as { license?: string }).license ?? 'unknown';
    } catch {
      if (path.dirname(dir) === dir) return 'unknown';
    }
  }
}
