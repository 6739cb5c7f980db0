import { InvalidInput } from '../../../probe-runtime/probe/validation/checks';
import { checkProbeRequest } from '../../../probe-runtime/probe/validation/probe-request';
import { probeRequest } from './helpers';
import { expectAgreement, INVALID_REQUESTS, VALID_REQUESTS, type Outcome, type RequestCase } from './request-cases';

function probeCheck(input: unknown): Outcome {
  try {
    return { ok: true, value: checkProbeRequest(input, '') };
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    return { ok: false, path: error.path, message: error.problem };
  }
}

describe('the probe request validator agrees with the zod ProbeRequest schema', () => {
  test.each(VALID_REQUESTS.map((c) => [c.name, c]))('accepts %s with the same defaults', (_name, c) => {
    expectAgreement(c, probeCheck(c.input));
  });

  test.each(INVALID_REQUESTS.map((c) => [c.name, c]))('rejects %s at the same path', (_name, c) => {
    expectAgreement(c, probeCheck(c.input));
  });

  test('in-process inputs JSON cannot carry: undefined, NaN, Infinity', () => {
    const cases: RequestCase[] = [
      { name: 'undefined task parameter takes its default', input: probeRequest({ name: 'cpu-work', units: undefined }) },
      { name: 'undefined url stays absent', input: probeRequest({ name: 'net', url: undefined }) },
      { name: 'NaN sentAt', input: probeRequest(undefined, { sentAt: NaN }) },
      { name: 'infinite barrier', input: probeRequest(undefined, { barrierAt: Infinity }) },
    ];
    for (const c of cases) expectAgreement(c, probeCheck(c.input));
  });

  test('a rejection names the path and the problem', () => {
    expect(probeCheck(probeRequest({ name: 'sleep', ms: 0 }))).toEqual({
      ok: false,
      path: 'task.ms',
      message: 'too small: expected a number >= 1',
    });
    expect(probeCheck({ ...probeRequest(), extra: 1 })).toMatchObject({ ok: false, path: '', message: 'unknown key "extra"' });
    expect(probeCheck(probeRequest({ name: 'fly' } as never))).toMatchObject({ ok: false, path: 'task.name' });
  });
});
