/**
 * How long a driver process takes on this machine, now, to be ready for its
 * event (node's start, the bundle, the run's plan loaded and checked): the
 * real overhead of every burst step. The default time scale and the platform
 * clock are built on it rather than on a fixed guess, because it varies from
 * ~0.15 s on an idle machine to ~0.7 s on two cores shared with other work.
 *
 * Measured by starting the real driver with the run's environment and an
 * empty event, which it refuses as soon as it has read it: spawn to exit is
 * its start-up plus a few ms.
 */
import { spawn } from 'node:child_process';
import type { DriverCommand } from './driver-process';

export async function measureDriverStartup(driver: DriverCommand, samples = 2): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await onceMs(driver));
  // The slower start: the schedule must hold for starts like it.
  return Math.max(...times);
}

function onceMs(driver: DriverCommand): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(driver.command, driver.args, { env: driver.env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.stdin.on('error', () => undefined);
    child.stdin.end('{}');
    child.once('close', () => resolve(performance.now() - started));
  });
}
