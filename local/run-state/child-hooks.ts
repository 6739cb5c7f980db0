/** Told about each child process of a run as it starts and once it has exited (the run's watchdog listens). */
export interface ChildHooks {
  spawned(pid: number, kind: 'driver' | 'instance'): void;
  exited(pid: number): void;
}
