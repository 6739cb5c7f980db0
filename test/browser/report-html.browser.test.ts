/**
 * report.html in a real browser: Debian's Chromium, headless, driven by
 * playwright-core (no browser download), with networking features off and a
 * fresh profile. Each report must load with no console error and no request
 * beyond its own file, draw every figure (an SVG with marks), show tooltips,
 * and list a package's checksums when given one. Screenshots and the pages go
 * to test-artifacts/browser/ (gitignored).
 *
 * Run with `npm run test:browser` (.ci/run installs chromium and runs it after
 * `npm test`). Without chromium the test fails and says how to install it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { writeReport } from '../../analysis';
import { coldstartRun, packedPlacementRun, scalabilityRun } from '../analysis/synthetic/figure-runs';

const CHROMIUM = process.env.CURTAIN_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/browser');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let work = '';
let profileDir = '';
let context: BrowserContext | null = null;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the browser test of report.html needs it. Install it with \`apt-get install -y chromium\` (.ci/run does), or point CURTAIN_CHROMIUM at a Chromium binary.`);
  }
  work = mkdtempSync(path.join(os.tmpdir(), 'curtain-browser-'));
  profileDir = path.join(work, 'profile');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    // Any Chromium process still holding this test's profile is ended by its pid.
    for (const pid of chromiumPidsUsing(profileDir)) process.kill(pid, 'SIGKILL');
    if (work) rmSync(work, { recursive: true, force: true });
  }
});

function chromiumPidsUsing(dir: string): number[] {
  if (!dir) return [];
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`--user-data-dir=${dir}`))
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

interface Loaded {
  page: Page;
  problems: string[];
}

/** Opens a report, collecting console errors, page errors and any request but the page's own file. */
async function open(htmlPath: string): Promise<Loaded> {
  const page = await context!.newPage();
  const problems: string[] = [];
  const url = `file://${htmlPath}`;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-figures]', { timeout: 30_000 });
  return { page, problems };
}

async function report(name: string, runDir: string, options: Parameters<typeof writeReport>[1] = {}) {
  const result = await writeReport(runDir, { outDir: path.join(work, name), ...options });
  copyFileSync(result.htmlPath, path.join(ARTIFACTS, `${name}.html`));
  return result;
}

/** Per figure container: whether it holds an SVG and how many mark elements it drew. */
async function drawnFigures(page: Page) {
  return page.$$eval('.figure', (elements) =>
    elements.map((e) => ({ id: e.id, svg: e.querySelector('svg') !== null, marks: e.querySelectorAll('svg g.role-mark > *').length, title: e.querySelector('svg .role-title')?.textContent ?? '' })),
  );
}

test('a local coldstart report: loads clean, draws every figure, says "emulated", tooltips on hover', async () => {
  const result = await report('coldstart', coldstartRun('20261126T120000Z-b1', 25, 1).write(path.join(work, 'results')));
  const { page, problems } = await open(result.htmlPath);
  // The two coldstart figures and the per-label cold fraction every report has (analysis/labels/).
  expect(await page.getAttribute('body', 'data-figures')).toBe('3/3');
  const figures = await drawnFigures(page);
  expect(figures).toHaveLength(3);
  for (const f of figures) {
    expect(f.svg).toBe(true);
    expect(f.marks).toBeGreaterThan(0);
    expect(f.title).toContain('emulated: local platform, profile aws-2018');
  }
  // The claims table and the provenance came along.
  expect(await page.locator('table').first().textContent()).toContain('coldstart');
  expect(await page.textContent('#provenance + p + .table')).toContain('run.json.local.profile');
  // Interactive: hovering a point of the medians chart shows its tooltip.
  const point = page.locator('#curtain-figure-1 svg g.role-mark.mark-symbol path').first();
  await point.hover({ force: true });
  await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 5_000 });
  expect(await page.textContent('#vg-tooltip-element')).toMatch(/memory \(MB\)/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'coldstart.png'), fullPage: true });
  expect(statSync(path.join(ARTIFACTS, 'coldstart.png')).size).toBeGreaterThan(20_000);
  expect(problems).toEqual([]);
  await page.close();
});

test('placement and scalability reports: every figure drawn; a package\'s checksums are listed', async () => {
  const placement = await report('placement', packedPlacementRun(20).run.write(path.join(work, 'results')), {
    package: { file: '/published/placement.curtain.tgz', sha256: 'a'.repeat(64), checksums: [{ path: 'plan.json', sha256: 'b'.repeat(64), bytes: 1234 }, { path: 'steps/0001-burst-c1/000.jsonl', sha256: 'c'.repeat(64), bytes: 99 }] },
  });
  const scalability = await report('scalability', scalabilityRun().write(path.join(work, 'results')));
  for (const [name, result] of [['placement', placement], ['scalability', scalability]] as const) {
    const { page, problems } = await open(result.htmlPath);
    const figures = await drawnFigures(page);
    expect(await page.getAttribute('body', 'data-figures')).toBe(`${figures.length}/${figures.length}`);
    expect(figures.length).toBeGreaterThan(0);
    for (const f of figures) expect(f).toMatchObject({ svg: true, marks: expect.any(Number) });
    for (const f of figures) expect(f.marks).toBeGreaterThan(0);
    if (name === 'placement') {
      // One bar segment per instance of the fullest step, stacked on the hosts.
      expect(await page.locator('#curtain-figure-0 svg g.role-mark.mark-rect path').count()).toBeGreaterThan(10);
      expect(await page.textContent('table.checksums')).toContain('steps/0001-burst-c1/000.jsonl');
      expect(await page.textContent('#package + p')).toContain('/published/placement.curtain.tgz');
    } else {
      expect(await page.$('table.checksums')).toBeNull();
      expect(figures[0]!.title).toContain('AWS Lambda, us-east-1');
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }
});
