/**
 * Colours and order of a figure's series. Vega-lite's default colour scheme has
 * ten colours and repeats them beyond, so a placement figure with 20 memory
 * sizes gave two sizes one colour; and it orders a legend as text, so
 * "1024 MB" came before "448 MB". Here every series gets its own colour and the
 * legend reads in natural order (numbers inside names compared as numbers).
 */

/** Vega's `tableau10` and `tableau20` schemes (vega-scale 4, src/schemes.js), as vega-lite would pick them. */
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
const TABLEAU20 = [
  '#4c78a8', '#9ecae9', '#f58518', '#ffbf79', '#54a24b', '#88d27a', '#b79a20', '#f2cf5b', '#439894', '#83bcb6',
  '#e45756', '#ff9d98', '#79706e', '#bab0ac', '#d67195', '#fcbfd2', '#b279a2', '#d6a5c9', '#9e765f', '#d8b5a5',
];

/** Natural order: "2 MB" < "10 MB", "cold nodejs" < "cold python". */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** `n` colours, all different: tableau10 up to 10, tableau20 up to 20, then evenly spaced hues in three lightnesses. */
export function distinctColors(n: number): string[] {
  if (n <= TABLEAU10.length) return TABLEAU10.slice(0, n);
  if (n <= TABLEAU20.length) return TABLEAU20.slice(0, n);
  const hues = Math.ceil(n / 3);
  return Array.from({ length: n }, (_, i) => {
    const hue = Math.round(((i % hues) * 360) / hues);
    const lightness = [38, 55, 72][Math.floor(i / hues)]!;
    return `hsl(${hue}, 65%, ${lightness}%)`;
  });
}

/** A colour encoding for `field` whose legend lists the series in natural order, each with its own colour. */
export function seriesColor(series: Iterable<string>, field = 'series', title: string | null = null): object {
  const domain = [...new Set(series)].sort(naturalCompare);
  return { field, type: 'nominal', title, sort: domain, scale: { domain, range: distinctColors(domain.length) } };
}
