/** `npm run docs`: (re)writes every generated file listed in tools/generated-docs.ts. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_DOCS } from './generated-docs';

const root = path.resolve(__dirname, '..');
let changed = 0;
for (const doc of GENERATED_DOCS) {
  const file = path.join(root, doc.path);
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  const next = doc.render(current);
  if (current === next) continue;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, next);
  changed += 1;
  console.log(`wrote ${doc.path}`);
}
console.log(changed === 0 ? 'generated docs are up to date' : `${changed} generated file(s) updated`);
