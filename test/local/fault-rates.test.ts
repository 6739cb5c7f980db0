/**
 * Fault rates mean what they say (issue 14, item 12): `crash=1` crashes every invocation, even
 * one an instance could answer within microseconds, and rates drawn from one number per
 * invocation cannot add up to more than 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFaultOptions } from '../../local/faults';
import type { LocalPlatform } from '../../local/platform/local-platform';
import { invokeTask, planFunction, startTestPlatform } from './helpers';
import { scratchDir } from '../support/scratch-dirs';

const EAGER = path.join(__dirname, 'fixtures', 'eager-instance.js');

let platform: LocalPlatform | null = null;
afterEach(async () => {
  await platform?.stop();
  platform = null;
});

test.each([
  ['crash', 502],
  ['hang', 504],
] as const)('%s=1 bites every time: an instance answering at once never gets to see the request', async (fault, status) => {
  const receipts = path.join(scratchDir('curtain-receipts-'), 'seen');
  // A hang ends at the function timeout (1 s). A crash ends when the process dies: its timeout is long, so that a
  // cold start slowed by a loaded machine is not cut off by the timeout (504) before the fault can bite.
  const fn = planFunction('f', { timeoutSeconds: fault === 'hang' ? 1 : 30, env: { ...planFunction('f').env, CURTAIN_TEST_RECEIPTS: receipts } });
  platform = await startTestPlatform([fn], {
    faults: { [fault]: 1 },
    command: { command: process.execPath, args: [EAGER] },
    profileSet: { 'lifecycle.freezeBetweenInvocations': false },
  });
  const live = platform;
  const rounds = fault === 'crash' ? 40 : 6;
  const statuses: number[] = [];
  for (let i = 0; i < rounds; i += fault === 'crash' ? 1 : 3) {
    const batch = await Promise.all(Array.from({ length: fault === 'crash' ? 1 : 3 }, () => invokeTask(live, 'f')));
    statuses.push(...batch.map((r) => r.status));
  }
  expect(statuses.filter((s) => s !== status)).toEqual([]);
  expect(existsSync(receipts) ? readFileSync(receipts, 'utf8') : '').toBe('');
}, 60_000);

test('overlapping crash and hang rates that add up to more than 1 are refused, naming both', () => {
  expect(() => parseFaultOptions(['crash=0.8', 'hang=0.8'])).toThrow(/crash \+ hang: 1\.6 is more than 1/);
  expect(parseFaultOptions(['crash=0.5', 'hang=0.5'])).toMatchObject({ crash: 0.5, hang: 0.5 });
});

describe('the order of a fault (deterministic: the race above is rare on an idle machine)', () => {
  /** A stand-in process that notes what happened to it and answers at once unless it was stopped or killed first. */
  function recordingProcess() {
    const events: string[] = [];
    let stopped = false;
    let dead = false;
    const proc = {
      invoke(request: unknown) {
        events.push(`request written while ${dead ? 'dead' : stopped ? 'stopped' : 'running'}`);
        if (dead || stopped) return new Promise(() => undefined);
        return Promise.resolve({ kind: 'response' as const, response: request });
      },
      freeze() {
        stopped = true;
        events.push('SIGSTOP');
      },
      thaw() {
        stopped = false;
      },
      killNow() {
        dead = true;
        events.push('SIGKILL');
      },
    };
    return { proc: proc as unknown as import('../../local/instances/instance-process').InstanceProcess, events };
  }

  test.each(['crash', 'hang'] as const)('%s: the instance is stopped before the request is written, so it can never answer first', async (fault) => {
    const { invokeInstance } = await import('../../local/platform/invoke-instance');
    const { proc, events } = recordingProcess();
    const outcome = await invokeInstance(proc, { n: 1 }, 50, fault);
    expect(events[0]).toBe('SIGSTOP');
    expect(events).toContain('request written while stopped');
    expect(outcome).toBe('timeout'); // the stand-in never answers once stopped; the platform's exit handling reports the crash
  });
});
