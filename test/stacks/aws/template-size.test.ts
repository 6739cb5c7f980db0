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

  test('measures each synthesized template and refuses those over 1 MB, noting those above 80 %', () => {
    const sizes = templateSizes({
      stacks: [template('small', 10_000), template('close', 900_000), template('over', CLOUDFORMATION_TEMPLATE_LIMIT_BYTES + 1)],
    } as never);
    expect(sizes.map((s) => [s.stack, s.bytes])).toEqual([
      ['small', 10_000],
      ['close', 900_000],
      ['over', 1_048_577],
    ]);
    const { errors, notes } = templateSizeFindings(sizes);
    expect(errors).toEqual([expect.stringMatching(/^over: template 1,048,577 bytes of CloudFormation's 1,048,576 \(100 %\): too large to deploy/)]);
    expect(notes).toEqual([expect.stringMatching(/^close: template 900,000 bytes .*\(86 %\): close to the limit$/)]);
  });
});
