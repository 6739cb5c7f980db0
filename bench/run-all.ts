/**
 * `npm run bench [name ...]`: runs every bench/*.bench.ts (or the named ones) in
 * its own process, one after another so they do not disturb each other, and
 * prints each one's report. Each benchmark measures its target against a
 * baseline in the same run and prints the ratio, because this machine is noisy.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = __dirname;
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const selected = wanted.length === 0 ? all : all.filter((f) => wanted.some((w) => f.startsWith(w)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${all.join(', ') || '(none)'}`);
  process.exit(1);
}
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
