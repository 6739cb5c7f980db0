/**
 * The figure conventions reviewers asked for, checked on the generated
 * vega-lite specifications and on the SVG vega renders from them: legends in
 * natural (numeric) order, a colour per series, labelled reference lines, titles
 * naming the platform (and "emulated" for local runs), no interval bar for
 * an empty group, whole numbers on axes that count.
 */
import { analyzeRun } from '../../analysis';
import { intervalChart, stackedBarChart } from '../../analysis/figures/charts';
import { renderSvg } from '../../analysis/figures/render-svg';
import { distinctColors, naturalCompare, seriesColor } from '../../analysis/figures/series-colors';
import { coldstartRun, packedPlacementRun, scalabilityRun } from './synthetic/figure-runs';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** Text of the legend labels of a rendered SVG, in drawing order. */
function legendLabels(svg: string): string[] {
  return svg
    .split('role-legend-label')
    .slice(1)
    .flatMap((group) => [...group.split('</g>')[0]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!));
}

/** Tick labels of the axis whose group is labelled `title` in a rendered SVG. */
function axisLabels(svg: string, title: string): string[] {
  const groups = svg.split('role-axis"').slice(1);
  const axis = groups.find((g) => g.includes(`>${title}</text>`));
  if (!axis) throw new Error(`no axis titled ${title}`);
  const labels = axis.slice(0, axis.indexOf(`>${title}</text>`));
  return [...labels.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

describe('series colours and order', () => {
  test('natural order puts 448 MB before 1024 MB; every series has its own colour up to any count', () => {
    expect(['1024 MB', '448 MB', '3008 MB', '64 MB'].sort(naturalCompare)).toEqual(['64 MB', '448 MB', '1024 MB', '3008 MB']);
    for (const n of [1, 5, 10, 11, 20, 21, 47]) {
      const colours = distinctColors(n);
      expect(colours).toHaveLength(n);
      expect(new Set(colours).size).toBe(n);
    }
    expect(seriesColor(['b 10', 'b 9', 'a'])).toMatchObject({ sort: ['a', 'b 9', 'b 10'], scale: { domain: ['a', 'b 9', 'b 10'] } });
  });

  test('placement with 20 memory sizes: the rendered legend reads in numeric order, 20 colours for 20 sizes', async () => {
    const a = await analyzeRun(packedPlacementRun(20).run.write(tmp()));
    const figure = a.output.figures.find((f) => f.file === 'placement-memory-per-host.svg')!;
    const svg = await renderSvg(figure.spec);
    const labels = legendLabels(svg).filter((l) => / MB$/.test(l));
    expect(labels.length).toBeGreaterThan(10);
    expect(labels).toEqual([...labels].sort((x, y) => Number.parseInt(x, 10) - Number.parseInt(y, 10)));
    const legendFills = svg
      .split('role-legend-symbol')
      .slice(1)
      .flatMap((group) => [...group.split('</g>')[0]!.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]));
    expect(legendFills).toHaveLength(labels.length);
    expect(new Set(legendFills).size).toBe(labels.length);
    // The ceiling line is labelled in the figure.
    expect(svg).toMatch(/largest on one host in the run: 3,\d{3} MB/);
  });
});

describe('titles name the platform', () => {
  test('a local run: "emulated", the profile and the platform it models; a cloud run: the provider and region', async () => {
    const local = await analyzeRun(coldstartRun('20261126T120000Z-t1', 25, 1).write(tmp()));
    for (const f of local.output.figures) {
      expect((f.spec as { title: { subtitle: string } }).title.subtitle).toBe('emulated: local platform, profile aws-2018, modelling AWS Lambda');
      expect(await renderSvg(f.spec)).toContain('emulated: local platform, profile aws-2018');
    }
    const cloud = await analyzeRun(scalabilityRun().write(tmp()));
    expect((cloud.output.figures[0]!.spec as { title: { text: string; subtitle: string } }).title).toMatchObject({ text: 'Scaling', subtitle: 'AWS Lambda, us-east-1' });
  });
});

describe('reference lines, intervals and counts', () => {
  test('scalability: the one-per-request line is labelled; both count axes show whole numbers only', async () => {
    const a = await analyzeRun(scalabilityRun().write(tmp()));
    const svg = await renderSvg(a.output.figures[0]!.spec);
    expect(svg).toContain('>one instance per request</text>');
    for (const axis of ['requested concurrency', 'count']) {
      const labels = axisLabels(svg, axis);
      expect(labels.length).toBeGreaterThan(1);
      for (const l of labels) expect(l).toMatch(/^\d+$/);
    }
  });

  test('an empty group draws no point and no interval bar; a group of one draws its point but no bar', async () => {
    const spec = intervalChart({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      points: [
        { x: 1, y: 10, lower: 8, upper: 12, series: 'a', n: 30 },
        { x: 2, y: 11, lower: 11, upper: 11, series: 'a', n: 1 },
        { x: 3, y: Number.NaN, lower: null, upper: null, series: 'a', n: 0 },
        { x: 4, y: 0, lower: 0, upper: 5, series: 'b', n: 0 },
      ],
    });
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(2);
    const svg = await renderSvg(spec);
    // One interval bar (x = 1); the rule mark group holds one line.
    const rules = svg.slice(svg.indexOf('mark-rule role-mark')).split('</g>')[0]!;
    expect(rules.match(/<line/g)).toHaveLength(1);
    // Series b had only an empty group: it is not in the legend either.
    expect(legendLabels(svg)).toEqual(['a']);
  });

  test('a reference line on a bar chart carries its label; a count axis stays whole', async () => {
    const svg = await renderSvg(
      stackedBarChart({ title: 't', xTitle: 'host', yTitle: 'instances', segments: [{ category: 'h1', value: 1, segment: 's' }, { category: 'h2', value: 2, segment: 's' }], ruleY: { value: 2, label: 'most seen' }, integerY: true }),
    );
    expect(svg).toContain('>most seen</text>');
    for (const l of axisLabels(svg, 'instances')) expect(l).toMatch(/^\d+$/);
  });
});
