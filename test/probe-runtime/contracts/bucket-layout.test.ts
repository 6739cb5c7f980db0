/** Run ids (made one way, checked by one pattern) and the one object-key rule, in bucket-layout.ts. */
import { isSafeObjectKey, newRunId, RUN_ID_PATTERN, runIdStartTime, shardKey } from '../../../probe-runtime/contracts/bucket-layout';

describe('run ids', () => {
  it('are the UTC start time and six random letters or digits, accepted by the pattern, and sort by start time', () => {
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i * 7);
    const early = newRunId(new Date('2026-11-26T12:00:00.456Z'), bytes);
    const late = newRunId(new Date('2026-11-26T12:00:01Z'));
    expect(early).toBe('20261126T120000Z-ahov29');
    expect(late).toMatch(/^20261126T120001Z-[a-z0-9]{6}$/);
    expect(early < late).toBe(true);
    for (const id of [early, late]) expect(id).toMatch(RUN_ID_PATTERN);
    expect(runIdStartTime(early)).toBe(Date.parse('2026-11-26T12:00:00Z'));
    expect(runIdStartTime('my-run')).toBeNull();
  });

  it('chosen by hand are accepted when they are one safe path segment of at most 80 characters', () => {
    expect(['r', 'run-1', 'Run_2.b', 'a'.repeat(80)].filter((id) => !RUN_ID_PATTERN.test(id))).toEqual([]);
    expect(['', '../x', '.hidden', '-flag', 'a/b', 'a:b', 'Run 1', 'a'.repeat(81)].filter((id) => RUN_ID_PATTERN.test(id))).toEqual([]);
  });
});

describe('object keys', () => {
  it('made by the layout are safe', () => {
    expect(isSafeObjectKey(shardKey('coldstart', newRunId(), '0003-burst-cold', 2))).toBe(true);
  });

  it('that could leave their prefix or directory are not', () => {
    expect(['/abs', 'a/../b', 'a/./b', 'a//b', 'a/', 'a\\b', 'c:/x', 'a\0b', '..'].filter(isSafeObjectKey)).toEqual([]);
  });
});
