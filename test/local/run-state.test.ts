/**
 * The pieces that make a killed run recoverable, on real files and real processes: the run lock
 * (pid + start time, so a reused pid is no owner), `curtain close` of a run whose process died
 * (answers from a driver's journal kept, the rest honest), and the reaper, which removes what dead
 * runs left and never touches a live run's resources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { identityOf, isAlive, type ProcessIdentity } from '../../local/run-state/process-identity';
import { reapDeadRuns } from '../../local/run-state/reaper';
import { lockFile, partialDir } from '../../local/run-state/run-dir-layout';
import { acquireRunLock, RunBusyError } from '../../local/run-state/run-lock';
import { writeScratchOwner } from '../../local/run-state/scratch-owner';
import { partialShardFile } from '../../probe-runtime/driver/shard-journal';
import { runInProcess } from '../cli/run-cli';
import { runStudy } from './support/e2e';
import { scratchDir } from '../support/scratch-dirs';

const children: ChildProcess[] = [];
/** A live process of our own (a `sleep`), ended after each test by its pid. */
function sleeper(cwd?: string): ChildProcess {
  const child = spawn('sleep', ['60'], { cwd, stdio: 'ignore', detached: true });
  children.push(child);
  return child;
}
afterEach(() => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** An identity that names no live process: a pid that existed but with another start time. */
function deadIdentity(): ProcessIdentity {
  return { ...identityOf(process.pid), startTime: 1 };
}

describe('run lock', () => {
  test('a live owner refuses; a dead one (same pid, other start time: a reused pid) is taken over and named', () => {
    const runDir = scratchDir('curtain-lock-');
    mkdirSync(path.join(runDir, 'local-run'));
    const held = acquireRunLock(runDir, 'run');
    expect(() => acquireRunLock(runDir, 'close')).toThrow(RunBusyError);
    expect(() => acquireRunLock(runDir, 'close')).toThrow(/in use by curtain run \(pid \d+/);
    held.release();
    expect(existsSync(lockFile(runDir))).toBe(false);
    writeFileSync(lockFile(runDir), JSON.stringify({ v: 1, owner: deadIdentity(), holder: 'run', since: new Date().toISOString(), scratch: null }));
    expect(isAlive(deadIdentity())).toBe(false);
    const taken = acquireRunLock(runDir, 'resume');
    expect(taken.previous?.owner.startTime).toBe(1);
    taken.release();
  });
});

describe('curtain close', () => {
  /** A completed run made to look like one whose process died mid-burst: run.json running, a shard only in its driver's journal. */
  async function runThatDied() {
    const { result, records } = await runStudy('', {}, { study: path.join(__dirname, 'fixtures', 'fault-study.json') });
    const runDir = result.runDir;
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
    writeFileSync(path.join(runDir, 'run.json'), JSON.stringify({ ...manifest, status: 'running', endedAt: null, stepsCompleted: 0 }));
    const step = result.plan.steps.find((s) => s.kind === 'burst' && s.index > 0)!;
    if (step.kind !== 'burst') throw new Error('unreachable');
    const shardFile = path.join(runDir, 'steps', step.id, '000.jsonl');
    const written = readFileSync(shardFile, 'utf8').trim().split('\n');
    rmSync(shardFile);
    // The driver had answers for the first two requests when it died.
    const journal = partialShardFile(partialDir(runDir), step.id, 0);
    mkdirSync(path.dirname(journal), { recursive: true });
    const header = { journal: 'shard', v: 1, study: result.plan.study.id, run: result.run, planHash: result.plan.hash, step: step.index, shard: 0, pid: 1, at: Date.now(), requests: Array.from({ length: step.requests }, (_, i) => i) };
    writeFileSync(journal, [JSON.stringify({ ...header, phase: 'started' }), JSON.stringify({ ...header, phase: 'sending' }), ...written.slice(0, 2), '{"torn'].join('\n'));
    writeFileSync(lockFile(runDir), JSON.stringify({ v: 1, owner: deadIdentity(), holder: 'run', since: new Date().toISOString(), scratch: null }));
    return { runDir, step, written, records, plan: result.plan };
  }

  test('closes a run whose process died: answers kept, the rest of unknown fate, run.json interrupted with the failure', async () => {
    const { runDir, step, written } = await runThatDied();
    const closed = await runInProcess(['close', runDir]);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/closed .*: interrupted/);
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('interrupted');
    expect(manifest.endedAt).not.toBeNull();
    expect(manifest.notes.join(' ')).toMatch(/closed by curtain close/);
    const failure = manifest.failures.find((f) => f.step === step.index);
    expect(failure?.message).toMatch(/2 answer\(s\) kept, \d+ request\(s\) of unknown fate/);
    const shard = readFileSync(path.join(runDir, 'steps', step.id, '000.jsonl'), 'utf8').trim().split('\n').map((l) => InvocationRecord.parse(JSON.parse(l)));
    expect(shard).toHaveLength(step.kind === 'burst' ? step.requestsPerShard : 0);
    expect(shard.slice(0, 2).map((r) => JSON.stringify(r))).toEqual(written.slice(0, 2));
    expect(shard.slice(2).every((r) => r.status === 'error' && r.attempts === 0)).toBe(true);
    expect(existsSync(partialDir(runDir))).toBe(false);
    // Closing again changes nothing.
    expect((await runInProcess(['close', runDir])).stdout).toMatch(/already closed \(interrupted\)/);
  }, 60_000);

  test('refuses a run owned by a live process', async () => {
    const { runDir } = await runThatDied();
    const owner = sleeper();
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(lockFile(runDir), JSON.stringify({ v: 1, owner: identityOf(owner.pid!), holder: 'run', since: new Date().toISOString(), scratch: null }));
    const closed = await runInProcess(['close', runDir]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(new RegExp(`in use by curtain run \\(pid ${owner.pid}`));
    expect(RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'))).status).toBe('running');
  }, 60_000);
});

describe('reaper', () => {
  test('removes what a dead run left (its processes, cgroups, scratch) and closes its run; a live run and unknown directories are untouched', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-reaper-'));
    const mount = path.join(tmp, 'cgroup-mount');
    // A dead run: a process still working in its scratch, a cgroup tree, an empty run directory.
    const dead = path.join(tmp, 'curtain-local-dead');
    mkdirSync(path.join(dead, 'platform', 'instances', 'i0001'), { recursive: true });
    const leftover = sleeper(path.join(dead, 'platform', 'instances', 'i0001'));
    const deadCgroup = path.join(mount, 'cpu', 'curtain-999999-abc', 'h1', 'i0001');
    mkdirSync(deadCgroup, { recursive: true });
    const deadRunDir = path.join(tmp, 'results', 'study', 'run1');
    mkdirSync(path.join(deadRunDir, 'local-run'), { recursive: true });
    writeScratchOwner(dead, { v: 1, owner: deadIdentity(), watchdog: null, runDir: deadRunDir, cgroups: [path.join(mount, 'cpu', 'curtain-999999-abc')] });
    // A live run: its owner is alive.
    const live = path.join(tmp, 'curtain-local-live');
    mkdirSync(live);
    const liveOwner = sleeper();
    await new Promise((r) => setTimeout(r, 50));
    writeScratchOwner(live, { v: 1, owner: identityOf(liveOwner.pid!), watchdog: null, runDir: path.join(tmp, 'nowhere'), cgroups: [] });
    const liveCgroup = path.join(mount, 'cpu', `curtain-${liveOwner.pid}-xyz`);
    mkdirSync(liveCgroup, { recursive: true });
    // A scratch directory of another version (no owner.json).
    const unknown = path.join(tmp, 'curtain-local-unknown');
    mkdirSync(unknown);

    const lines: string[] = [];
    const reaped = await reapDeadRuns((l) => lines.push(l), { tmpDir: tmp, cgroupMount: mount, by: 'a test' });
    expect(reaped).toBeGreaterThanOrEqual(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(path.join(mount, 'cpu', 'curtain-999999-abc'))).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(identityOf(leftover.pid!))).toBe(false);
    expect(existsSync(deadRunDir)).toBe(false); // it had not started: nothing to close, removed
    expect(lines.join('\n')).toMatch(/cleaned up after a dead run \(curtain pid \d+, .*run1\): killed 1 process\(es\), removed 1 cgroup\(s\)/);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(liveCgroup)).toBe(true);
    expect(existsSync(unknown)).toBe(true);
    expect(isAlive(identityOf(liveOwner.pid!))).toBe(true);
    rmSync(tmp, { recursive: true, force: true });
  });
});
