/**
 * Renders a vega-lite specification to SVG headless: vega-lite compiles it to a
 * vega specification and vega's View renders the scene graph to an SVG string
 * (renderer 'none': no canvas, no browser). vega 5 / vega-lite 5 are used
 * because they ship CommonJS builds that load under both tsx and jest on Node 20.
 * They are loaded on first use (about a second): analyses and `curtain compare`
 * that draw nothing never pay for them.
 */
import type { TopLevelSpec } from 'vega-lite';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libraries: { vega: Vega; vegaLite: VegaLite } | null = null;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  libraries ??= { vega: require('vega') as Vega, vegaLite: require('vega-lite') as VegaLite };
  const { vega, vegaLite } = libraries;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
