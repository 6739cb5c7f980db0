// docs/results-schema.md stays true to the schemas: its example validates, and every field of the
// record and of the probe response (nested ones included) is explained there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { BackgroundReport, CpuTimeDelta, HostFingerprint, InstanceIdentity, ProbeResponse, TaskResult } from '../../../probe-runtime/contracts/probe-wire';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';

const doc = readFileSync(path.resolve(__dirname, '../../../docs/results-schema.md'), 'utf8');

function keys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

describe('docs/results-schema.md', () => {
  test('the example record validates as an InvocationRecord', () => {
    const example = /## Example[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc);
    expect(example).not.toBeNull();
    expect(() => InvocationRecord.parse(JSON.parse(example![1]!))).not.toThrow();
  });

  const documented: [string, string[]][] = [
    ['InvocationRecord', keys(InvocationRecord)],
    ['ProbeResponse', keys(ProbeResponse)],
    ['InstanceIdentity', keys(InstanceIdentity)],
    ['HostFingerprint', keys(HostFingerprint)],
    ['CpuTimeDelta', keys(CpuTimeDelta)],
    ['timing', keys(ProbeResponse.shape.timing)],
    ['overheadMs', keys(ProbeResponse.shape.overheadMs)],
    ['TaskResult', keys(TaskResult)],
    ['BackgroundReport', keys(BackgroundReport)],
    ['RunManifest', keys(RunManifest)],
  ];
  test.each(documented)('explains every field of %s', (_name, fields) => {
    const missing = fields.filter((f) => !doc.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });

  test('lists every status', () => {
    for (const status of ['ok', 'error', 'throttled', 'timeout', 'skipped']) expect(doc).toMatch(new RegExp(`^\\| \`${status}\` \\|`, 'm'));
  });
});
