/**
 * The watchdog of one local run (see watchdog-protocol.ts): a small process in
 * its own session, so that a Ctrl-C, a `kill -9` of curtain's process group or
 * the OOM killer taking curtain does not take it too. Node cannot ask the
 * kernel to kill a child when its parent dies (PR_SET_PDEATHSIG), and frozen
 * instances (SIGSTOP) cannot notice their stdin closing, so this process does it
 * for them: it notices its own stdin closing and ends what the run left.
 */
import { existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { identityOf, isAlive, type ProcessIdentity } from '../run-state/process-identity';
import { closeLocalRun } from '../run-state/close-run';
import { killAndRemoveCgroup, processesWorkingIn, signalIdentity, waitForExit } from '../run-state/process-cleanup';
import { acquireRunLock, RunBusyError } from '../run-state/run-lock';
import { WatchdogConfig } from './watchdog-protocol';

const config = WatchdogConfig.parse(JSON.parse(process.argv[2] ?? '{}'));
const children = new Map<number, { identity: ProcessIdentity; kind: 'driver' | 'instance' }>();
const cgroups = new Set<string>();
let done = false;
let reaping = false;

// Signals meant for curtain's terminal or process group are not for us.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(signal, () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, arg, kind] = line.trim().split(' ');
  if (verb === 'done') done = true;
  else if (verb === 'spawned' && arg && (kind === 'driver' || kind === 'instance')) {
    const identity = identityOf(Number(arg));
    if (identity.startTime !== null || isAlive(identity)) children.set(identity.pid, { identity, kind });
  } else if (verb === 'exited' && arg) children.delete(Number(arg));
  else if (verb === 'cgroup' && arg) cgroups.add(line.trim().slice('cgroup '.length));
});
// readline closes once stdin ends and every line before it was handled (a `done` line included).
lines.on('close', () => void onOwnerGone());
// Should stdin stay open without its writer (it cannot, but a watchdog must not rely on it).
setInterval(() => {
  if (!isAlive(config.owner)) void onOwnerGone();
}, 2000).unref();

async function onOwnerGone(): Promise<void> {
  if (done) process.exit(0);
  if (reaping) return;
  reaping = true;
  const log = (text: string) => process.stderr.write(`curtain watchdog: ${text}\n`);
  try {
    log(await reap());
  } catch (error) {
    log(`could not finish cleaning up after curtain (pid ${config.owner.pid}): ${error instanceof Error ? error.message : String(error)}; the next \`curtain run\` will`);
  }
  process.exit(0);
}

async function reap(): Promise<string> {
  let lock: { release(): void } | null = null;
  if (existsSync(config.runDir)) {
    try {
      lock = acquireRunLock(config.runDir, 'watchdog', config.scratch);
    } catch (error) {
      if (!(error instanceof RunBusyError)) throw error;
    }
  }
  const instances = [...children.values()].filter((c) => c.kind === 'instance').map((c) => c.identity);
  const drivers = [...children.values()].filter((c) => c.kind === 'driver').map((c) => c.identity);
  for (const instance of instances) signalIdentity(instance, 'SIGKILL');
  // Drivers are told to stop: they write their shards (answers kept, unsent requests skipped).
  for (const driver of drivers) signalIdentity(driver, 'SIGTERM');
  for (const driver of await waitForExit(drivers, config.driverGraceMs)) signalIdentity(driver, 'SIGKILL');
  // Anything else still working in the run's scratch directory (a child not yet registered).
  for (const pid of processesWorkingIn(config.scratch)) signalIdentity(identityOf(pid), 'SIGKILL');
  let removedCgroups = 0;
  for (const cgroup of cgroups) if ((await killAndRemoveCgroup(cgroup)).removed) removedCgroups += 1;
  let closed = 'run.json was left as it was (another process holds the run)';
  if (lock) {
    const outcome = await closeLocalRun(config.runDir, `the watchdog of curtain pid ${config.owner.pid}`);
    closed =
      outcome.kind === 'closed'
        ? `run.json closed as interrupted (${outcome.stepsCompleted} of ${outcome.stepsTotal} steps done); complete it with: npx curtain resume ${config.runDir}`
        : outcome.kind === 'removed'
          ? outcome.reason
          : `run.json was already ${outcome.status}`;
    lock.release();
  }
  rmSync(config.scratch, { recursive: true, force: true, maxRetries: 3 });
  return `curtain (pid ${config.owner.pid}) died; ended ${instances.length} instance(s) and ${drivers.length} driver(s), removed ${removedCgroups} cgroup(s) and the scratch directory; ${closed}`;
}
