/**
 * The probe's check of contract 3's ProbeRequest (with contracts/task.ts's Task),
 * written with the small validator of checks.ts so the bundle stays small.
 * It must accept, reject and default exactly as the zod schemas do: the table
 * test in test/probe-runtime/probe/request-validation.test.ts compares both.
 */
import type { ProbeRequest } from '../../contracts/probe-wire';
import { discriminated, int, literal, nullable, number, object, oneOf, optional, string, url, withDefault, type Check } from './checks';

/** contracts/task.ts MAX_TASK_MS (not imported: that module pulls in zod). */
export const MAX_TASK_MS = 120_000;

const duration = int(1, MAX_TASK_MS);
const name = (value: string) => ({ name: literal(value) });

const task = discriminated<ProbeRequest['task']>('name', {
  noop: object(name('noop')),
  sleep: object({ ...name('sleep'), ms: duration }),
  'cpu-share': object({
    ...name('cpu-share'),
    durationMs: withDefault(duration, 1000),
    gapThresholdUs: withDefault(int(10, 100_000), 200),
  }),
  'cpu-work': object({ ...name('cpu-work'), units: withDefault(int(1, 100_000), 1000), maxMs: withDefault(duration, 30_000) }),
  io: object({
    ...name('io'),
    megabytes: withDefault(int(1, 1024), 64),
    blockKb: withDefault(int(4, 16_384), 1024),
    maxMs: withDefault(duration, 60_000),
  }),
  net: object({
    ...name('net'),
    direction: withDefault(oneOf(['download', 'upload']), 'download'),
    megabytes: withDefault(int(1, 1024), 16),
    url: optional(url),
    maxMs: withDefault(duration, 60_000),
  }),
  memory: object({ ...name('memory'), megabytes: withDefault(int(1, 10_240), 64) }),
  background: object({ ...name('background'), durationMs: withDefault(duration, 60_000) }),
  'covert-channel': object({
    ...name('covert-channel'),
    frames: int(1, 64),
    bits: withDefault(int(4, 64), 16),
    bitMs: withDefault(int(10, 1000), 50),
    seed: withDefault(int(0, 2_147_483_647), 1),
  }),
});

const nonEmpty = string(1);
const index = int(0);

export const checkProbeRequest: Check<ProbeRequest> = object<ProbeRequest>({
  v: literal(1),
  study: nonEmpty,
  run: nonEmpty,
  step: index,
  request: index,
  attempt: int(1),
  target: nonEmpty,
  task,
  barrierAt: nullable(number),
  sentAt: number,
  payload: optional(string()),
  responseBytes: optional(int(0)),
});
