import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalDirSink } from '../../../probe-runtime/driver/sinks/local-dir';
import { tempDir } from './support/driver-fixture';

describe('local directory sink', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('localsink');
  });
  afterEach(() => tmp.remove());

  test('writes under the key path, replaces whole files, leaves no temporary files, reads back', async () => {
    const sink = createLocalDirSink(tmp.dir);
    await sink.put('s/r/steps/0000-burst/000.jsonl', 'a\n', 'application/x-ndjson');
    await sink.put('s/r/steps/0000-burst/000.jsonl', 'b\n', 'application/x-ndjson');
    expect(readFileSync(path.join(tmp.dir, 's/r/steps/0000-burst/000.jsonl'), 'utf8')).toBe('b\n');
    expect(readdirSync(path.join(tmp.dir, 's/r/steps/0000-burst'))).toEqual(['000.jsonl']);
    expect(await sink.get('s/r/steps/0000-burst/000.jsonl')).toBe('b\n');
    expect(await sink.get('s/r/missing.json')).toBeNull();
    expect(sink.location).toBe(`file://${tmp.dir}`);
  });

  test.each(['../escape.json', '/abs.json', 's//x', 's/./x', 's/a\\b'])('refuses the unsafe key %s', async (key) => {
    await expect(createLocalDirSink(tmp.dir).put(key, 'x', 'text/plain')).rejects.toThrow(`unsafe result key "${key}"`);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});
