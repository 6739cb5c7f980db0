/** A figure of a report: a vega-lite specification rendered to SVG without a browser. */
import type { TopLevelSpec } from 'vega-lite';

export interface Figure {
  /** File name under figures/, e.g. `coldstart-cdf.svg`. */
  file: string;
  title: string;
  /** One or two sentences under the figure: what it shows and how to read it. */
  caption: string;
  spec: TopLevelSpec;
}
