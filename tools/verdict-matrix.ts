/**
 * `npm run verdict-matrix`: every catalog study on every 2018 profile of the local platform at
 * its default parameters, run one after another, and one table of every claim verdict (with
 * its category) and of the method check, so that "is every verdict right for the right
 * reason?" can be asked of the whole catalog at once (issue 17).
 *
 *   npm run verdict-matrix -- [--studies a,b] [--profiles aws-2018,...] [--out DIR] [--from results.json [--recheck]]
 *
 * Runs are long (lifetime and scalability take minutes each) and the machine's load matters to
 * every latency: each run records the load average before and after it. Results go to
 * `<out>/verdict-matrix.json` as runs finish, so `--from` re-renders the tables without rerunning;
 * with `--recheck` it first analyses the stored runs again (claims and method check with this
 * checkout's code, the profile taken from each run.json).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CATALOG } from '../experiments/catalog';
import { analyzeRun } from '../analysis';
import { GroundTruth, groundTruthPath } from '../local/ground-truth';
import { Check, checkMethod } from '../local/method-check/method-check';
import { resolveProfile } from '../local/profiles';
import { runLocalStudy } from '../local/run/run-local-study';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { REPO_ROOT } from '../probe-runtime/build/build-runtime';
import { bundleSet } from '../probe-runtime/build/bundle-set';
import { ReportSummary } from '../analysis/report/summary-schema';

const MatrixRun = z.strictObject({
  study: z.string(),
  profile: z.string(),
  runDir: z.string().nullable(),
  status: z.string(),
  elapsedSeconds: z.number(),
  loadBefore: z.number(),
  loadAfter: z.number(),
  error: z.string().nullable(),
  claims: z.array(z.strictObject({ id: z.string(), verdict: z.string(), comparison: z.string().nullable(), flags: z.array(z.string()), reason: z.string() })),
  methodCheck: z.array(Check),
});
type MatrixRun = z.output<typeof MatrixRun>;
const MatrixResults = z.strictObject({ startedAt: z.string(), cpus: z.number(), runs: z.array(MatrixRun) });

const DEFAULT_PROFILES = ['aws-2018', 'azure-2018', 'gcp-2018'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { studies: { type: 'string' }, profiles: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, recheck: { type: 'boolean' } },
  });
  if (values.from) {
    const stored = MatrixResults.parse(JSON.parse(readFileSync(values.from, 'utf8')));
    process.stdout.write(renderTables(values.recheck ? await recheck(stored) : stored));
    return;
  }
  const studies = values.studies ? values.studies.split(',') : CATALOG.map((s) => s.id);
  const profiles = values.profiles ? values.profiles.split(',') : DEFAULT_PROFILES;
  const out = path.resolve(values.out ?? path.join(os.tmpdir(), `curtain-verdict-matrix-${Date.now()}`));
  mkdirSync(out, { recursive: true });
  const bundles = bundleSet(REPO_ROOT, await ensureRuntimeBuilt());
  const results: z.output<typeof MatrixResults> = { startedAt: new Date().toISOString(), cpus: os.availableParallelism(), runs: [] };
  const save = () => writeFileSync(path.join(out, 'verdict-matrix.json'), `${JSON.stringify(results, null, 2)}\n`);
  let n = 0;
  for (const study of studies) {
    for (const profile of profiles) {
      n += 1;
      const loadBefore = os.loadavg()[0]!;
      process.stderr.write(`[${n}/${studies.length * profiles.length}] ${study} on ${profile} (load ${loadBefore.toFixed(1)}) … `);
      const began = performance.now();
      const run: MatrixRun = { study, profile, runDir: null, status: 'failed', elapsedSeconds: 0, loadBefore, loadAfter: 0, error: null, claims: [], methodCheck: [] };
      try {
        const result = await runLocalStudy({ study, profile, outDir: out, bundles });
        run.runDir = result.runDir;
        run.status = result.status;
        run.methodCheck = result.methodCheck?.checks ?? [];
        if (result.report) {
          const summary = ReportSummary.parse(JSON.parse(readFileSync(result.report.summaryPath, 'utf8')));
          run.claims = summary.claims.map((c) => ({ id: c.claim.id, verdict: c.verdict, comparison: c.comparison, flags: c.flags, reason: c.reason }));
        } else run.error = result.reportNote;
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
      }
      run.elapsedSeconds = Math.round((performance.now() - began) / 100) / 10;
      run.loadAfter = os.loadavg()[0]!;
      results.runs.push(MatrixRun.parse(run));
      save();
      const recovered = run.methodCheck.filter((c) => c.verdict === 'recovered').length;
      const judged = run.methodCheck.filter((c) => c.verdict !== 'not estimated').length;
      process.stderr.write(`${run.status} in ${run.elapsedSeconds} s; ${run.claims.length} claim(s); method check ${recovered}/${judged}${run.error ? `; ${run.error}` : ''}\n`);
    }
  }
  process.stderr.write(`results: ${path.join(out, 'verdict-matrix.json')}\n`);
  process.stdout.write(renderTables(results));
}

/** The stored runs analysed again with this checkout's code: claims and method check. */
async function recheck(results: z.output<typeof MatrixResults>): Promise<z.output<typeof MatrixResults>> {
  const runs: MatrixRun[] = [];
  for (const run of results.runs) {
    if (!run.runDir) {
      runs.push(run);
      continue;
    }
    const a = await analyzeRun(run.runDir);
    const manifest = a.files.manifest;
    const truthFile = groundTruthPath(path.dirname(path.dirname(run.runDir)), a.files.plan.study.id, manifest?.run ?? path.basename(run.runDir));
    const truth = GroundTruth.parse(JSON.parse(readFileSync(truthFile, 'utf8')));
    const profile = resolveProfile(manifest?.local?.profile ?? run.profile);
    runs.push({
      ...run,
      claims: a.claims.checked.map((c) => ({ id: c.claim.id, verdict: c.verdict, comparison: c.comparison, flags: c.flags, reason: c.reason })),
      methodCheck: checkMethod(a, truth, profile).checks,
    });
  }
  return { ...results, runs };
}

function renderTables(results: z.output<typeof MatrixResults>): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `Verdict matrix, started ${results.startedAt} on ${results.cpus} cores.`,
    '',
    '| study | profile | claim | verdict | comparison alone | load (before → after) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const run of results.runs) {
    const load = `${run.loadBefore.toFixed(1)} → ${run.loadAfter.toFixed(1)}`;
    if (run.claims.length === 0) lines.push(`| ${run.study} | ${run.profile} | — | ${run.error ? cell(`run ${run.status}: ${run.error}`) : 'no claim about this platform'} | | ${load} |`);
    for (const c of run.claims) lines.push(`| ${run.study} | ${run.profile} | \`${c.id}\` | **${c.verdict}**${c.flags.length ? ' ⚠ load' : ''} | ${c.comparison ?? '—'} | ${load} |`);
  }
  const counts = new Map<string, number>();
  for (const c of results.runs.flatMap((r) => r.claims)) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  lines.push('', `Verdicts: ${[...counts.entries()].map(([v, k]) => `${k} ${v}`).join(', ')}.`, '');
  lines.push('| study | profile | method check | not recovered | not estimated | run |', '| --- | --- | --- | --- | --- | --- |');
  for (const run of results.runs) {
    const judged = run.methodCheck.filter((c) => c.verdict !== 'not estimated');
    const missed = run.methodCheck.filter((c) => c.verdict === 'not recovered').map((c) => `${c.behaviour} (truth ${c.truth}; estimate ${c.estimate})`);
    const unestimated = run.methodCheck.filter((c) => c.verdict === 'not estimated').map((c) => `${c.behaviour}: ${c.rule}`);
    lines.push(
      `| ${run.study} | ${run.profile} | ${judged.filter((c) => c.verdict === 'recovered').length}/${judged.length} | ${cell(missed.join('; ') || '—')} | ${cell(unestimated.join('; ') || '—')} | ${run.status}, ${run.elapsedSeconds} s |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`verdict-matrix: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(3);
});
