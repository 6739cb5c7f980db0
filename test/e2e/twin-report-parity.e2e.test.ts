/**
 * Issue 11's bar for every twin: `curtain run coldstart --target <twin> --set rounds=1`
 * gives a report with the same structure as `curtain run coldstart --set rounds=1`
 * on the local platform (values differ; sections, tables and record counts do not),
 * through the command line users run. Twins come from the registry. Two sections
 * differ by design and are named here: the method check (local platform only)
 * and the Cloud API calls (twin only). Neither report checks a published claim:
 * the local profile models no cloud, and a twin's probes run on this machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TARGET_LIST } from '../../targets/registry';
import { runInProcess } from '../cli/run-cli';
import { scratchDir } from '../support/scratch-dirs';

jest.setTimeout(900_000);

const LOCAL_ONLY = ['Method check (local platform only)'];
const TWIN_ONLY = ['Cloud API calls (twin)'];
/**
 * Sections a twin's report leaves out because its data cannot support them, with the reason. Cloudflare's plan
 * runs one instance and workerd gives no host fingerprint, so host inference is unusable and the host-openings
 * table (which needs inferred hosts) is omitted, as for any run without usable hosts.
 */
const ABSENT_BY_DESIGN: Record<string, readonly string[]> = { cloudflare: ['Host openings vs other cold starts'] };

interface RunOutput {
  status: string;
  planned?: number;
  records: number | { records: number };
  report: string | null;
}

async function runStudy(target: string | null, out: string): Promise<{ json: RunOutput; report: string }> {
  const args = ['run', 'coldstart', '--set', 'rounds=1', '--out', out, '--json', ...(target ? ['--target', target] : [])];
  const { code, stdout, stderr } = await runInProcess(args);
  if (code !== 0) throw new Error(`curtain ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const json = JSON.parse(stdout) as RunOutput;
  if (!json.report) throw new Error(`curtain ${args.join(' ')} wrote no report`);
  return { json, report: readFileSync(json.report, 'utf8') };
}

/** The report's structure: its section and figure headings, and each table's header row. */
function structure(report: string, leaveOut: readonly string[]): { headings: string[]; tables: string[] } {
  const lines = report.split('\n');
  const headings = lines.filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, ''));
  const kept = new Set(headings.filter((h) => !leaveOut.includes(h)));
  // Table headers of the kept sections only.
  const tables: string[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^## /.test(line)) section = line.slice(3);
    if (kept.has(section) && line.startsWith('| ') && lines[i + 1]?.startsWith('| ---')) tables.push(`${section}: ${line}`);
  }
  return { headings: [...kept], tables };
}

const twins = TARGET_LIST.filter((t) => t.twin !== undefined).map((t) => t.id);
let local: { json: RunOutput; report: string };
const root = scratchDir('curtain-twin-parity-');

beforeAll(async () => {
  local = await runStudy(null, path.join(root, 'local'));
});

test('there are twins to compare', () => {
  expect(twins.length).toBeGreaterThan(0);
});

describe.each(twins)('the %s twin', (twin) => {
  it('writes a report with the local run\'s sections and tables, every planned record, and checks no claim', async () => {
    const run = await runStudy(twin, path.join(root, twin));
    expect(run.json.status).toBe('completed');
    expect(run.json.records).toBe(run.json.planned);
    const localRecords = typeof local.json.records === 'number' ? local.json.records : local.json.records.records;
    expect(localRecords).toBeGreaterThan(0);
    expect(structure(run.report, TWIN_ONLY)).toEqual(structure(local.report, [...LOCAL_ONLY, ...(ABSENT_BY_DESIGN[twin] ?? [])]));
    for (const s of ABSENT_BY_DESIGN[twin] ?? []) expect(run.report).not.toContain(`## ${s}`);
    for (const s of TWIN_ONLY) expect(run.report).toContain(`## ${s}`);
    expect(run.report).toMatch(new RegExp(`No claim is checked: this run was made by the ${twin} offline twin`));
  });
});
