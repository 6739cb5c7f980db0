/**
 * Between a run (local/run/run-local-study.ts) and its watchdog process: the
 * watchdog gets its configuration as one JSON argument, then reads lines on
 * stdin while the run lives:
 *   spawned <pid> <driver|instance>   a child process started (its own process group)
 *   exited <pid>                      it has exited
 *   cgroup <path>                     a cgroup directory the run created
 *   done                              the run ended cleanly: nothing to do
 * stdin closing without `done` means the run's process died (a SIGKILL, the OOM
 * killer, a crash): the watchdog then ends every child, removes the cgroups,
 * closes run.json honestly and removes the scratch directory.
 */
import { z } from 'zod';
import { ProcessIdentity } from '../run-state/process-identity';

export const WatchdogConfig = z.strictObject({
  owner: ProcessIdentity,
  scratch: z.string(),
  runDir: z.string(),
  /** How long drivers told to stop (SIGTERM) may take to write their shards before they are killed. */
  driverGraceMs: z.number().int().min(0),
});
export type WatchdogConfig = z.output<typeof WatchdogConfig>;
