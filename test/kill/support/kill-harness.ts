/**
 * The hard-kill suite's harness: a real `curtain run` (bin/curtain.js, its own process group),
 * the moments to strike (read from what the run writes: its stderr, the orchestrator's journal,
 * the platform's ground-truth journal), the processes it owns at that moment, and the checks
 * after a kill. Everything a test causes is ended by pid afterwards, even when the test fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { GroundTruthJournalLine, groundTruthJournalPath } from '../../../local/ground-truth';
import { killAndRemoveCgroup, processesWorkingIn, signalIdentity } from '../../../local/run-state/process-cleanup';
import { identityOf, isAlive, type ProcessIdentity } from '../../../local/run-state/process-identity';
import { journalFile } from '../../../local/run-state/run-dir-layout';
import { readRunLock } from '../../../local/run-state/run-lock';
import { readScratchOwner } from '../../../local/run-state/scratch-owner';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';

export const REPO = path.resolve(__dirname, '../../..');
export const KILL_STUDY = path.join(__dirname, '..', 'fixtures', 'kill-study.json');
export const STUDY_ID = 'local-kill';
/** Step indexes of kill-study.json. */
export const STEPS = { first: 0, wait: 1, slow: 2, secondWait: 3, last: 4 } as const;

export interface RunUnderTest {
  child: ChildProcess;
  pid: number;
  out: string;
  runDir: string;
  runId: string;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let counter = 0;
const started: RunUnderTest[] = [];
const owned: ProcessIdentity[] = [];
const scratchDirs = new Set<string>();

export function startRun(extraArgs: string[] = [], options: { shellPrefix?: string } = {}): RunUnderTest {
  const out = mkdtempSync(path.join(os.tmpdir(), 'curtain-kill-'));
  const runId = `kill-${process.pid}-${++counter}`;
  const args = [path.join(REPO, 'bin', 'curtain.js'), 'run', KILL_STUDY, '--out', out, '--run', runId, ...extraArgs];
  // Its own process group, so that killing the group never reaches jest.
  const child = options.shellPrefix
    ? spawn('sh', ['-c', `${options.shellPrefix} exec "${process.execPath}" ${args.map((a) => `"${a}"`).join(' ')}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const run: RunUnderTest = {
    child,
    pid: child.pid!,
    out,
    runId,
    runDir: path.join(out, STUDY_ID, runId),
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
  };
  started.push(run);
  owned.push(identityOf(child.pid!));
  return run;
}

export async function until(what: string, check: () => boolean, timeoutMs = 60_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitForStderr(run: RunUnderTest, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return until(`stderr ${pattern}: ${run.stderr().slice(-500)}`, () => pattern.test(run.stderr()), timeoutMs);
}

export function truthLines(run: RunUnderTest): GroundTruthJournalLine[] {
  try {
    return readFileSync(groundTruthJournalPath(run.out, STUDY_ID, run.runId), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [GroundTruthJournalLine.parse(JSON.parse(line))];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
}

/** The first wave of the slow burst has been answered: the second is in flight, the rest of the run to come. */
export function waitForSlowBurstInFlight(run: RunUnderTest): Promise<void> {
  return until('the slow burst in flight', () => truthLines(run).filter((t) => t.step === STEPS.slow && t.outcome === 'ok').length >= 4);
}

/** The orchestrator's journal (local-run/journal.jsonl) as it is now; empty before it exists. */
function journalText(run: RunUnderTest): string {
  try {
    return readFileSync(journalFile(run.runDir), 'utf8');
  } catch {
    return '';
  }
}

/** The last step is done: finish-run is starting. */
export function waitForLastStepDone(run: RunUnderTest): Promise<void> {
  return until('the last step done', () => journalText(run).includes(`"t":"step-done","step":${STEPS.last}`), 90_000, 2);
}

/**
 * The walker sleeps in the first wait: it journaled the wait's start, not its end. (The progress line of a
 * wait is printed only for sleeps of 5 s or more, and the platform clock shortens this 6-second one by the
 * time since the first burst's last answer: the journal, not stderr, says when the wait runs.)
 */
export function waitForWait(run: RunUnderTest): Promise<void> {
  return until('the first wait', () => {
    const journal = journalText(run);
    return journal.includes(`"t":"step","step":${STEPS.wait},`) && !journal.includes(`"t":"step-done","step":${STEPS.wait},`);
  }, 90_000, 2);
}

/** Processes of the run: its children and their process groups' members, its watchdog, anything in its scratch directory. */
export function runProcesses(run: RunUnderTest): { identities: ProcessIdentity[]; scratch: string | null; watchdog: ProcessIdentity | null } {
  const scratch = readRunLock(run.runDir)?.scratch ?? null;
  const owner = scratch ? readScratchOwner(scratch) : null;
  if (scratch) scratchDirs.add(scratch);
  const pids = new Set<number>(children(run.pid));
  if (scratch) for (const pid of processesWorkingIn(scratch)) pids.add(pid);
  const identities = [...pids].map(identityOf).filter(isAlive);
  owned.push(...identities);
  if (owner?.watchdog) owned.push(owner.watchdog);
  return { identities, scratch, watchdog: owner?.watchdog ?? null };
}

function children(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // exited
    }
  }
  return out;
}

export function processOf(identities: ProcessIdentity[], pattern: RegExp, state?: RegExp): ProcessIdentity | undefined {
  return identities.find((identity) => {
    try {
      const cmdline = readFileSync(`/proc/${identity.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${identity.pid}/stat`, 'utf8');
      const letter = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
      return pattern.test(cmdline) && (!state || state.test(letter));
    } catch {
      return false;
    }
  });
}

export function cgroupsOf(pid: number): string[] {
  const found: string[] = [];
  for (const controller of readdirSync('/sys/fs/cgroup', { withFileTypes: true })) {
    if (!controller.isDirectory()) continue;
    const dir = path.join('/sys/fs/cgroup', controller.name);
    try {
      for (const name of readdirSync(dir)) if (name.startsWith(`curtain-${pid}-`)) found.push(path.join(dir, name));
    } catch {
      // unreadable controller
    }
  }
  return found;
}

export function readManifest(run: RunUnderTest): RunManifest | null {
  try {
    return RunManifest.parse(JSON.parse(readFileSync(path.join(run.runDir, 'run.json'), 'utf8')));
  } catch {
    return null;
  }
}

export function readPlan(run: RunUnderTest): StudyPlan {
  return JSON.parse(readFileSync(path.join(run.runDir, 'plan.json'), 'utf8')) as StudyPlan;
}

export function records(run: RunUnderTest): InvocationRecord[] {
  const steps = path.join(run.runDir, 'steps');
  if (!existsSync(steps)) return [];
  return readdirSync(steps)
    .sort()
    .flatMap((step) =>
      readdirSync(path.join(steps, step))
        .sort()
        .flatMap((shard) => readFileSync(path.join(steps, step, shard), 'utf8').split('\n').filter(Boolean).map((l) => InvocationRecord.parse(JSON.parse(l)))),
    );
}

/** What every kill must leave: no process of the run, no cgroup or scratch directory, an honest run.json, every answer kept. */
export async function expectNothingLeft(run: RunUnderTest, before: { identities: ProcessIdentity[]; scratch: string | null; watchdog: ProcessIdentity | null }, killedAt: number): Promise<void> {
  const everyone = [...before.identities, ...(before.watchdog ? [before.watchdog] : [])];
  // The watchdog lets drivers write their shards (a few seconds), then exits.
  await until('every process of the run to end', () => everyone.every((p) => !isAlive(p)), 30_000, 50);
  await until('the scratch directory to go', () => before.scratch === null || !existsSync(before.scratch), 10_000, 50);
  expect(cgroupsOf(run.pid)).toEqual([]);
  expect(readRunLock(run.runDir)).toBeNull();
  const manifest = readManifest(run);
  if (manifest === null) {
    // Killed before start-run wrote anything: nothing is left, not even the run directory.
    expect(existsSync(path.join(run.runDir, 'plan.json'))).toBe(false);
    return;
  }
  expect(manifest.status).not.toBe('running');
  expect(manifest.endedAt).not.toBeNull();
  expect(manifest.stepsCompleted).toBeLessThanOrEqual(manifest.stepsTotal);
  // Every answer the platform gave well before the kill is an ok record.
  const ok = new Set(records(run).filter((r) => r.status === 'ok').map((r) => `${r.step}/${r.request}`));
  const answered = truthLines(run).filter((t) => t.outcome === 'ok' && t.answeredAt < killedAt - 300);
  for (const t of answered) expect(ok.has(`${t.step}/${t.request}`)).toBe(true);
}

/** Exactly one record per planned request, none left unsent or of unknown fate. */
export function expectComplete(run: RunUnderTest): void {
  const plan = readPlan(run);
  const all = records(run);
  const planned = plan.steps.flatMap((s) => (s.kind === 'burst' ? Array.from({ length: s.requests }, (_, r) => `${s.index}/${r}`) : []));
  expect(all.map((r) => `${r.step}/${r.request}`).sort()).toEqual([...planned].sort());
  expect(all.filter((r) => r.status === 'skipped' || (r.status === 'error' && r.attempts === 0))).toEqual([]);
}

export function resume(run: RunUnderTest, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'curtain.js'), 'resume', run.runDir, '--no-report', ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Ends everything the suite started, by pid, and removes its directories. */
export async function cleanUp(): Promise<void> {
  for (const run of started.splice(0)) {
    try {
      process.kill(-run.pid, 'SIGKILL');
    } catch {
      // gone
    }
    for (const cgroup of cgroupsOf(run.pid)) await killAndRemoveCgroup(cgroup);
    rmSync(run.out, { recursive: true, force: true });
  }
  for (const identity of owned.splice(0)) signalIdentity(identity, 'SIGKILL');
  for (const scratch of scratchDirs) {
    for (const pid of processesWorkingIn(scratch)) signalIdentity(identityOf(pid), 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
  scratchDirs.clear();
}
