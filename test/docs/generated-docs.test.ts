import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_DOCS } from '../../tools/generated-docs';

const root = path.resolve(__dirname, '../..');

describe('generated documentation', () => {
  test.each(GENERATED_DOCS.map((d) => [d.path, d]))('%s is current (run `npm run docs` if this fails)', (_path, doc) => {
    const onDisk = readFileSync(path.join(root, doc.path), 'utf8');
    expect(onDisk).toBe(doc.render(onDisk));
  });
});
