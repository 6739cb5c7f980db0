/**
 * report.html: the report as one self-contained page. Its text is report.md
 * itself rendered to HTML (markdown-it, raw HTML off: every value from a run is
 * escaped), so the two never disagree; each figure is drawn live from the
 * vega-lite specification the analysis produced (vega-embed: tooltips, export
 * as SVG/PNG, view source), with the provenance of the run (run.json) and, for
 * a run that came from a replication package, the package's checksums.
 *
 * Nothing is fetched: the libraries are inlined (embedded-libraries.ts) and a
 * Content-Security-Policy forbids every network request, so the page is the
 * same on a reviewer's laptop offline as in the browser test
 * (test/browser/report-html.browser.test.ts). Expressions run through vega's
 * interpreter (`ast: true`), so the policy needs no 'unsafe-eval'.
 */
import MarkdownIt from 'markdown-it';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import type { Figure } from '../figures/figure';
import { embeddedLibraries } from './embedded-libraries';

/** What a replication package (`curtain pack`) records about its files; passed by the caller that opened the package. */
export interface PackageProvenance {
  /** The package file the run was read from. */
  file: string;
  /** sha256 of the package file itself, when known. */
  sha256: string | null;
  /** The package's manifest of checksums, one entry per file. */
  checksums: readonly { path: string; sha256: string; bytes: number | null }[];
}

export interface HtmlReportInput {
  title: string;
  /** report.md as written. */
  markdown: string;
  /** The figures whose images report.md links (figures/<file>), in order. */
  figures: readonly Figure[];
  manifest: RunManifest | null;
  planHash: string;
  package?: PackageProvenance | null;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

export function renderReportHtml(input: HtmlReportInput): string {
  const figureIndex = new Map(input.figures.map((f, i) => [`figures/${f.file}`, i]));
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.renderer.rules.image = (tokens, idx, options) => {
    const token = tokens[idx]!;
    const index = figureIndex.get(String(token.attrGet('src') ?? ''));
    if (index === undefined) return md.renderer.renderToken(tokens, idx, options);
    return `<div class="figure" id="curtain-figure-${index}" role="img" aria-label="${escapeHtml(token.content)}"></div>`;
  };
  md.renderer.rules.table_open = () => '<div class="table"><table>';
  md.renderer.rules.table_close = () => '</table></div>';
  const body = md.render(input.markdown);
  const libraries = embeddedLibraries();
  const specs = input.figures.map((f) => f.spec);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    provenanceSection(input),
    packageSection(input.package ?? null),
    librariesSection(libraries),
    '</main>',
    `<script type="application/json" id="curtain-figures">${jsonForScript(specs)}</script>`,
    ...libraries.map((l) => `<script>/* ${l.name} ${l.version} (${l.license}) */\n${l.code.replace(/<\/script/gi, '<\\/script')}</script>`),
    `<script>${DRAW_FIGURES}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Draws every figure; the page's body gets data-figures="drawn/total" when all are settled (the browser test waits for it). */
const DRAW_FIGURES = `
(function () {
  var specs = JSON.parse(document.getElementById('curtain-figures').textContent);
  var options = { renderer: 'svg', ast: true, tooltip: true, actions: { export: true, source: true, compiled: false, editor: false } };
  var drawn = 0;
  Promise.all(specs.map(function (spec, i) {
    var target = document.getElementById('curtain-figure-' + i);
    if (!target) return Promise.resolve();
    return vegaEmbed(target, spec, options).then(function () { drawn += 1; target.setAttribute('data-drawn', 'true'); }, function (error) {
      target.textContent = 'This figure could not be drawn: ' + error.message;
      console.error('figure ' + i + ': ' + error.message);
    });
  })).then(function () { document.body.setAttribute('data-figures', drawn + '/' + specs.length); });
})();
`;

function provenanceSection(input: HtmlReportInput): string {
  const rows: [string, string][] = [['plan hash', input.planHash]];
  if (input.manifest) rows.push(...flatten(input.manifest, 'run.json'));
  else rows.push(['run.json', 'missing: the run\'s provenance is unknown']);
  return `<h2 id="provenance">Provenance</h2>\n<p>Every field of the run's <code>run.json</code>, as the run wrote it.</p>\n${table(['field', 'value'], rows, 'provenance')}`;
}

function packageSection(pkg: PackageProvenance | null): string {
  if (!pkg) return '';
  const head = `<h2 id="package">Replication package</h2>\n<p>This run was read from <code>${escapeHtml(pkg.file)}</code>${pkg.sha256 ? ` (sha256 <code>${escapeHtml(pkg.sha256)}</code>)` : ''}. The checksums its manifest records:</p>`;
  return `${head}\n${table(['file', 'sha256', 'bytes'], pkg.checksums.map((c) => [c.path, c.sha256, c.bytes === null ? '' : String(c.bytes)]), 'checksums')}`;
}

function librariesSection(libraries: ReturnType<typeof embeddedLibraries>): string {
  const items = libraries.map((l) => {
    const bundles = l.bundles.length > 0 ? ` Bundled inside it: ${l.bundles.map((b) => `${escapeHtml(b.name)} (${escapeHtml(b.license)})`).join(', ')}.` : '';
    return `<details><summary>${escapeHtml(l.name)} ${escapeHtml(l.version)}, ${escapeHtml(l.license)}.${bundles}</summary><pre>${escapeHtml(l.licenseText)}</pre></details>`;
  });
  return `<h2 id="libraries">Libraries in this page</h2>\n<p>The figures are drawn by these builds, inlined so that the page needs no network.</p>\n${items.join('\n')}`;
}

/** Leaves of a JSON object as (dotted path, text) rows; arrays of scalars are joined, other arrays written as JSON. */
function flatten(value: unknown, prefix: string): [string, string][] {
  if (value === null || typeof value !== 'object') return [[prefix, value === null ? 'null' : String(value)]];
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix, '(none)']];
    if (value.every((v) => v === null || typeof v !== 'object')) return [[prefix, value.join(', ')]];
    return value.map((v, i) => [`${prefix}[${i}]`, JSON.stringify(v)] as [string, string]);
  }
  return Object.entries(value).flatMap(([k, v]) => flatten(v, `${prefix}.${k}`));
}

function table(header: string[], rows: string[][], className: string): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table"><table class="${className}"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no "<", ">" or "&" that could close it or open a comment. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const STYLE = `
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5em 2em 4em; background: white; }
h1 { font-size: 1.7em; margin-top: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
blockquote { margin: 1em 0; padding: 0.6em 1em; background: #fff6e0; border-left: 4px solid #e0a000; }
code { font-size: 0.92em; background: #f3f3f3; padding: 0.05em 0.3em; border-radius: 3px; }
.table { overflow-x: auto; margin: 0.8em 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } tr:nth-child(even) td { background: #fbfbfb; }
table.checksums td, table.provenance td { font-family: ui-monospace, Menlo, monospace; font-size: 0.85em; word-break: break-all; }
.figure { margin: 1em 0; min-height: 60px; }
details { margin: 0.4em 0; } pre { white-space: pre-wrap; font-size: 0.8em; background: #f6f6f6; padding: 0.8em; }
`;
