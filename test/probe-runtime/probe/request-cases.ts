/**
 * A table of valid and invalid probe requests (all JSON) on which the probe's
 * own validators (Node: probe-runtime/probe/validation, Python:
 * curtain_probe/request.py) must agree with the zod ProbeRequest schema.
 */
import { formatPath } from '../../../experiments/errors';
import { ProbeRequest } from '../../../probe-runtime/contracts/probe-wire';
import { probeRequest } from './helpers';

export interface RequestCase {
  name: string;
  input: unknown;
}

const base = probeRequest() as Record<string, unknown>;
const withTask = (task: unknown) => ({ ...base, task });
const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

export const VALID_REQUESTS: RequestCase[] = [
  { name: 'noop', input: base },
  { name: 'barrier time', input: { ...base, barrierAt: 1795651200123.456 } },
  { name: 'largest safe request index', input: { ...base, request: Number.MAX_SAFE_INTEGER } },
  { name: 'sleep', input: withTask({ name: 'sleep', ms: 5 }) },
  { name: 'sleep at the ceiling', input: withTask({ name: 'sleep', ms: 120_000 }) },
  { name: 'cpu-share defaults', input: withTask({ name: 'cpu-share' }) },
  { name: 'cpu-share explicit', input: withTask({ name: 'cpu-share', durationMs: 50, gapThresholdUs: 10 }) },
  { name: 'cpu-work defaults', input: withTask({ name: 'cpu-work' }) },
  { name: 'cpu-work explicit', input: withTask({ name: 'cpu-work', units: 100_000, maxMs: 1 }) },
  { name: 'io defaults', input: withTask({ name: 'io' }) },
  { name: 'io explicit', input: withTask({ name: 'io', megabytes: 1024, blockKb: 4, maxMs: 100 }) },
  { name: 'net defaults (no url)', input: withTask({ name: 'net' }) },
  { name: 'net upload with url', input: withTask({ name: 'net', direction: 'upload', megabytes: 2, url: 'http://127.0.0.1:9000/up', maxMs: 500 }) },
  { name: 'net url with spaces around', input: withTask({ name: 'net', url: '  https://bucket.example.com/obj?sig=1  ' }) },
  { name: 'memory defaults', input: withTask({ name: 'memory' }) },
  { name: 'memory max', input: withTask({ name: 'memory', megabytes: 10_240 }) },
  { name: 'background defaults', input: withTask({ name: 'background' }) },
  { name: 'background explicit', input: withTask({ name: 'background', durationMs: 10 }) },
  { name: 'covert-channel defaults', input: withTask({ name: 'covert-channel', frames: 4 }) },
  { name: 'covert-channel explicit', input: withTask({ name: 'covert-channel', frames: 64, bits: 64, bitMs: 1000, seed: 2_147_483_647 }) },
  { name: 'float sentAt', input: { ...base, sentAt: 1.5 } },
  { name: 'payload padding and response size', input: { ...base, payload: 'xxxx', responseBytes: 1024 } },
  { name: 'empty payload, zero response size', input: { ...base, payload: '', responseBytes: 0 } },
];

export const INVALID_REQUESTS: RequestCase[] = [
  { name: 'null', input: null },
  { name: 'array', input: [base] },
  { name: 'string', input: 'noop' },
  { name: 'number', input: 1 },
  { name: 'missing v', input: without('v') },
  { name: 'v 2', input: { ...base, v: 2 } },
  { name: 'v as string', input: { ...base, v: '1' } },
  { name: 'empty study', input: { ...base, study: '' } },
  { name: 'study a number', input: { ...base, study: 5 } },
  { name: 'missing run', input: without('run') },
  { name: 'negative step', input: { ...base, step: -1 } },
  { name: 'fractional step', input: { ...base, step: 1.5 } },
  { name: 'step as string', input: { ...base, step: '0' } },
  { name: 'unsafe request index', input: { ...base, request: 2 ** 53 } },
  { name: 'huge step', input: { ...base, step: 1e300 } },
  { name: 'attempt 0', input: { ...base, attempt: 0 } },
  { name: 'empty target', input: { ...base, target: '' } },
  { name: 'unknown top-level key', input: { ...base, extra: true } },
  { name: 'payload a number', input: { ...base, payload: 5 } },
  { name: 'negative response size', input: { ...base, responseBytes: -1 } },
  { name: 'fractional response size', input: { ...base, responseBytes: 1.5 } },
  { name: 'response size as string', input: { ...base, responseBytes: '10' } },
  { name: 'missing task', input: without('task') },
  { name: 'task null', input: withTask(null) },
  { name: 'task array', input: withTask([]) },
  { name: 'task without name', input: withTask({}) },
  { name: 'unknown task', input: withTask({ name: 'fly' }) },
  { name: 'task name a number', input: withTask({ name: 5 }) },
  { name: 'task name toString', input: withTask({ name: 'toString' }) },
  { name: 'sleep without ms', input: withTask({ name: 'sleep' }) },
  { name: 'sleep 0 ms', input: withTask({ name: 'sleep', ms: 0 }) },
  { name: 'sleep above the ceiling', input: withTask({ name: 'sleep', ms: 120_001 }) },
  { name: 'sleep fractional', input: withTask({ name: 'sleep', ms: 1.5 }) },
  { name: 'cpu-share threshold too small', input: withTask({ name: 'cpu-share', gapThresholdUs: 9 }) },
  { name: 'cpu-share duration a string', input: withTask({ name: 'cpu-share', durationMs: '100' }) },
  { name: 'cpu-work too many units', input: withTask({ name: 'cpu-work', units: 100_001 }) },
  { name: 'cpu-work maxMs 0', input: withTask({ name: 'cpu-work', maxMs: 0 }) },
  { name: 'io too large', input: withTask({ name: 'io', megabytes: 1025 }) },
  { name: 'io block too small', input: withTask({ name: 'io', blockKb: 3 }) },
  { name: 'net sideways', input: withTask({ name: 'net', direction: 'sideways' }) },
  { name: 'net url not a url', input: withTask({ name: 'net', url: 'not a url' }) },
  { name: 'net url without host', input: withTask({ name: 'net', url: 'http://' }) },
  { name: 'net url a number', input: withTask({ name: 'net', url: 5 }) },
  { name: 'net url null', input: withTask({ name: 'net', url: null }) },
  { name: 'net 0 MB', input: withTask({ name: 'net', megabytes: 0 }) },
  { name: 'memory too large', input: withTask({ name: 'memory', megabytes: 10_241 }) },
  { name: 'background negative', input: withTask({ name: 'background', durationMs: -1 }) },
  { name: 'covert-channel without frames', input: withTask({ name: 'covert-channel' }) },
  { name: 'covert-channel 65 frames', input: withTask({ name: 'covert-channel', frames: 65 }) },
  { name: 'covert-channel 3 bits', input: withTask({ name: 'covert-channel', frames: 2, bits: 3 }) },
  { name: 'covert-channel 9 ms bits', input: withTask({ name: 'covert-channel', frames: 2, bitMs: 9 }) },
  { name: 'covert-channel negative seed', input: withTask({ name: 'covert-channel', frames: 2, seed: -1 }) },
  { name: 'noop with a parameter', input: withTask({ name: 'noop', ms: 1 }) },
  { name: 'unknown task key', input: withTask({ name: 'sleep', ms: 5, seconds: 1 }) },
  { name: 'barrierAt a string', input: { ...base, barrierAt: 'now' } },
  { name: 'missing barrierAt', input: without('barrierAt') },
  { name: 'missing sentAt', input: without('sentAt') },
  { name: 'sentAt null', input: { ...base, sentAt: null } },
  { name: 'boolean as number', input: { ...base, step: true } },
];

/** What a probe validator said about one input. */
export type Outcome = { ok: true; value: unknown } | { ok: false; path: string; message: string };

/** The zod verdict: the parsed value, or every issue's path (nested union issues flattened). */
function zodCheck(input: unknown): { ok: true; value: unknown } | { ok: false; paths: string[] } {
  const result = ProbeRequest.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, paths: result.error.issues.map((issue) => formatPath(issue.path)) };
}

/** Agreement: both accept with the same output, or both reject and the probe names a path zod names. */
export function expectAgreement(c: RequestCase, outcome: Outcome): void {
  const zod = zodCheck(c.input);
  expect({ name: c.name, ok: outcome.ok }).toEqual({ name: c.name, ok: zod.ok });
  if (outcome.ok && zod.ok) expect(outcome.value).toEqual(zod.value);
  if (!outcome.ok && !zod.ok) expect(zod.paths).toContain(outcome.path);
}

