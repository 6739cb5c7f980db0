import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLOUDFORMATION_TEMPLATE_LIMIT_BYTES, templateSizeFindings, templateSizes } from '../../../stacks/aws/template-size';

describe('CloudFormation template size check', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-template-size-'));
  const template = (name: string, bytes: number) => {
    const file = path.join(dir, `${name}.template.json`);
    writeFileSync(file, 'x'.repeat(bytes));
    return { stackName: name, templateFullPath: file };
  };

  test('the limit is CloudFormation\'s 1,000,000 bytes (not 1 MiB)', () => {
    expect(CLOUDFORMATION_TEMPLATE_LIMIT_BYTES).toBe(1_000_000);
  });

  test('measures each synthesized template and refuses those over the limit with its value and source, noting those above 80 %', () => {
    const sizes = templateSizes({
      stacks: [template('small', 10_000), template('close', 900_000), template('over', 1_009_000)],
    } as never);
    expect(sizes.map((s) => [s.stack, s.bytes])).toEqual([
      ['small', 10_000],
      ['close', 900_000],
      ['over', 1_009_000],
    ]);
    const { errors, notes } = templateSizeFindings(sizes);
    expect(errors).toEqual([
      expect.stringMatching(/^over: template 1,009,000 bytes \(101 % of the limit\): too large to deploy, over CloudFormation template body size .*: 1,000,000 bytes \(AWS CloudFormation quotas, https:\/\/docs\.aws\.amazon\.com\/.*checked 2026-12-06\); lower/),
    ]);
    expect(notes).toEqual([expect.stringMatching(/^close: template 900,000 bytes \(90 % of the limit\): close to/)]);
  });
});
