/** Run ids become directory names and object keys: `..` and friends are refused where they enter (issue 14, item 12). */
import { runInProcess } from './run-cli';

test.each([['..'], ['.'], ['../other'], ['-rf']])('fetch --run %j is refused by the argument parser (exit 1, names --run)', async (run) => {
  const result = await runInProcess(['fetch', 'coldstart', '--provider', 'aws', '--run', run]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/--run/);
  expect(result.stderr).not.toMatch(/internal error/);
});
