/**
 * Renders a vega-lite specification to SVG headless: vega-lite compiles it to a
 * vega specification and vega's View renders the scene graph to an SVG string
 * (renderer 'none': no canvas, no browser). vega 5 / vega-lite 5 are used
 * because they ship CommonJS builds that load under both tsx and jest on Node 20.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
