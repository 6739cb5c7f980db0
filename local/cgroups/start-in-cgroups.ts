/**
 * A command that starts inside cgroups: a POSIX shell writes its own pid into
 * each group's `cgroup.procs` and then execs the real command, so the process
 * is in its groups (under their quotas) from its first instruction.
 *
 * Why a shell: Node cannot fork without exec, and moving a process into a
 * cgroup after `spawn` lets it run its start-up outside the group; joining
 * from inside the child before `exec` is the only way to put a runtime's whole
 * initialisation under a quota with cgroup v1 (v2's CLONE_INTO_CGROUP is not
 * available there). dash starts and execs in ~4 ms here, and the move itself
 * costs what it costs any platform that starts a sandbox in its cgroup.
 */
import type { RuntimeCommand } from '../instances/runtime-commands';

/** Exit status of the wrapper when it cannot join a group (distinct from the runtime's own codes). */
export const JOIN_FAILED_EXIT = 97;

const SCRIPT = [
  // $1 = number of procs files, then the files, then the command and its arguments.
  'n=$1; shift',
  `while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "cannot join cgroup $1" >&2; exit ${JOIN_FAILED_EXIT}; }; shift; n=$((n - 1)); done`,
  'exec "$@"',
].join('\n');

export function startInCgroups(command: RuntimeCommand, procsFiles: readonly string[], shell = '/bin/sh'): RuntimeCommand {
  if (procsFiles.length === 0) return command;
  return { command: shell, args: ['-c', SCRIPT, 'curtain-join', String(procsFiles.length), ...procsFiles, command.command, ...command.args] };
}
