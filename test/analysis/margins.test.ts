/**
 * Practical margins: every metric an analysis can compute, and every metric a
 * claim of the catalog names, has a declared margin with a reason; margins
 * cover the names below them; `--margin` values parse or are refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { absoluteMargin, describeMargin, parseMarginOverride, ratioMargin, resolveMargin } from '../../analysis/margins';
import { ANALYSIS_REGISTRY } from '../../analysis/studies';
import { CATALOG } from '../../experiments/catalog';

const STUDIES_DIR = path.resolve(__dirname, '../../analysis/studies');

/**
 * The metric names each analysis file spells out: quoted names `'kind.metric'`,
 * and the fixed part of template names (`coldstart.coldMedianMs.m${m}` gives
 * `coldstart.coldMedianMs`, `contention.${kind}Slowdown` the names it expands to
 * for the kinds the file declares). A metric added without a margin fails here.
 */
function metricNamesInSource(): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(STUDIES_DIR).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(path.join(STUDIES_DIR, file), 'utf8').replace(/ {2}margins: \{[\s\S]*?\n {2}\},\n/, '');
    const names = new Set<string>();
    const prefixes = ['accounting', 'coldstart', 'contention', 'cpuShare', 'idle', 'isolation', 'lifetime', 'placement', 'scalability', 'update'];
    const prefix = `(?:${prefixes.join('|')})`;
    for (const m of source.matchAll(new RegExp(`['\`](${prefix}\\.[A-Za-z0-9]+(?:\\.[A-Za-z0-9]+)*)(?:['\`]|\\.\\$\\{)`, 'g'))) names.add(m[1]!);
    for (const m of source.matchAll(new RegExp(`\`(${prefix})\\.\\$\\{(?:s\\.)?kind\\}([A-Za-z]+)\``, 'g'))) {
      for (const kind of ['io', 'net']) names.add(`${m[1]}.${kind}${m[2]}`);
    }
    if (names.size > 0) byFile.set(file, [...names]);
  }
  return byFile;
}

describe('declared margins', () => {
  const declared = Object.assign({}, ...Object.values(ANALYSIS_REGISTRY).map((d) => d.margins)) as Record<string, ReturnType<typeof ratioMargin>>;

  test('every metric an analysis computes has a margin with a reason', () => {
    const found = metricNamesInSource();
    expect([...found.keys()].length).toBeGreaterThanOrEqual(10);
    const missing: string[] = [];
    for (const [file, names] of found) {
      const kind = Object.values(ANALYSIS_REGISTRY).find((d) => file === `${d.kind}.ts`);
      for (const name of names) {
        // Names in a shared helper file are checked against all analyses' margins.
        const margins = kind ? kind.margins : declared;
        if (!resolveMargin(name, margins)) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    for (const [name, margin] of Object.entries(declared)) {
      expect(margin.reason.length).toBeGreaterThan(10);
      if (margin.kind !== 'exact') expect(margin.within).toBeGreaterThan(0);
      expect(name).toMatch(/^[a-z][A-Za-z]*\.[A-Za-z0-9]+/);
    }
  });

  test('every margin is for a metric some analysis computes (no stale entries)', () => {
    const names = [...metricNamesInSource().values()].flat();
    for (const key of Object.keys(declared)) expect({ key, computed: names.some((n) => n === key || n.startsWith(`${key}.`)) }).toEqual({ key, computed: true });
  });

  test("every metric a catalog claim names has a margin in its study's analysis", () => {
    for (const study of CATALOG) {
      const definition = study.build(study.parameters.parse({}));
      const margins = ANALYSIS_REGISTRY[definition.analysis.kind].margins;
      for (const claim of definition.claims ?? []) expect({ claim: claim.id, margin: resolveMargin(claim.metric, margins)?.declaredFor ?? null }).toEqual({ claim: claim.id, margin: expect.any(String) });
    }
  });
});

describe('resolving and overriding margins', () => {
  const declared = { 'coldstart.warmMedianMs': ratioMargin(0.25, 'r'), 'coldstart.newHostPenaltyMs': absoluteMargin(20, 'a') };

  test('a margin covers the names below it; the nearest declaration wins; an override wins at its level', () => {
    expect(resolveMargin('coldstart.warmMedianMs.m128', declared)).toMatchObject({ declaredFor: 'coldstart.warmMedianMs', source: 'declared' });
    expect(resolveMargin('coldstart.warmMedianMsX', declared)).toBeNull();
    expect(resolveMargin('coldstart.coldMedianMs', declared)).toBeNull();
    const overrides = { 'coldstart.warmMedianMs.m128': absoluteMargin(5, 'o') };
    expect(resolveMargin('coldstart.warmMedianMs.m128', declared, overrides)).toMatchObject({ declaredFor: 'coldstart.warmMedianMs.m128', source: 'override' });
    expect(resolveMargin('coldstart.warmMedianMs.m256', declared, overrides)!.source).toBe('declared');
  });

  test('a latency phase of a metric shares its margin unless it has its own (issue 17 item 1)', () => {
    const declared = { 'coldstart.coldMedianMs': ratioMargin(0.25, 'd') };
    expect(resolveMargin('coldstart.coldMedianMs@task', declared)).toMatchObject({ declaredFor: 'coldstart.coldMedianMs', source: 'declared' });
    expect(resolveMargin('coldstart.coldMedianMs.m128@round-trip', declared)).toMatchObject({ declaredFor: 'coldstart.coldMedianMs' });
    const overrides = { 'coldstart.coldMedianMs@task': absoluteMargin(5, 'o') };
    expect(resolveMargin('coldstart.coldMedianMs@task', declared, overrides)).toMatchObject({ declaredFor: 'coldstart.coldMedianMs@task', source: 'override' });
    expect(resolveMargin('coldstart.coldMedianMsX@task', declared)).toBeNull();
    expect(parseMarginOverride('coldstart.coldMedianMs@task=10%')).toMatchObject({ name: 'coldstart.coldMedianMs@task', margin: { kind: 'ratio' } });
  });

  test('--margin values', () => {
    expect(parseMarginOverride('coldstart.warmMedianMs=10%')).toMatchObject({ name: 'coldstart.warmMedianMs', margin: { kind: 'ratio', within: 0.1 } });
    expect(parseMarginOverride('isolation.crossTenantInstanceFraction=0.02')).toMatchObject({ margin: { kind: 'absolute', within: 0.02 } });
    expect(parseMarginOverride('placement.binPacked=exact')).toMatchObject({ margin: { kind: 'exact' } });
    expect(parseMarginOverride('warm=10%')).toEqual({ error: expect.stringMatching(/not NAME=VALUE/) });
    expect(parseMarginOverride('coldstart.warmMedianMs=0%')).toEqual({ error: expect.stringMatching(/above 0/) });
    expect(parseMarginOverride('coldstart.warmMedianMs=-3')).toEqual({ error: expect.stringMatching(/not a margin/) });
    expect(parseMarginOverride('coldstart.warmMedianMs=lots')).toEqual({ error: expect.stringMatching(/not a margin/) });
    expect(describeMargin(ratioMargin(0.25, ''))).toBe('ratio 0.8–1.25 (±25 %)');
    expect(describeMargin(absoluteMargin(20, ''), 'ms')).toBe('±20 ms');
  });
});
