import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planStudy } from '../../experiments/plan';
import { StudyDefinition } from '../../experiments/schema';

const doc = readFileSync(path.resolve(__dirname, '../../docs/writing-a-study.md'), 'utf8');

describe('docs/writing-a-study.md', () => {
  test('its example definition is valid and plans for every provider it declares', () => {
    const block = /```json\n([\s\S]*?)\n```/.exec(doc);
    expect(block).not.toBeNull();
    const definition = StudyDefinition.parse(JSON.parse(block![1]!));
    for (const provider of definition.providers) expect(planStudy(definition, { provider }).invocations).toBe(24);
  });
});
