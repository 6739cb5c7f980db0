/**
 * No hand-written provider list outside the registry: the provider ids are
 * written once (probe-runtime/contracts/providers.ts) and every list, union,
 * usage line and branch over providers is derived from them or from the
 * registry (targets/registry.ts). Tables keyed by provider are total records,
 * which the compiler checks, so they are not lists in this sense.
 *
 * The check is a grep over the tracked sources for a small set of patterns
 * that a hand-written list or branch takes; a provider's own folder may name
 * its own id (`stacks/aws/` may check `provider !== 'aws'`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROVIDER_IDS } from '../../probe-runtime/contracts/providers';

const ROOT = path.resolve(__dirname, '../..');
const ID = `(?:${PROVIDER_IDS.join('|')})`;

const PATTERNS: { name: string; pattern: RegExp }[] = [
  { name: 'a union type of provider ids', pattern: new RegExp(`'${ID}'\\s*\\|\\s*'${ID}'`) },
  { name: 'an array of provider ids', pattern: new RegExp(`\\[\\s*'${ID}'\\s*,\\s*'${ID}'`) },
  { name: 'provider ids joined by | in text', pattern: new RegExp(`\\b${ID}\\|${ID}\\b`) },
  { name: 'provider ids listed in text', pattern: new RegExp(`\\b${ID}, ${ID}\\b`) },
  { name: 'a regular expression alternating provider ids', pattern: new RegExp(`\\(${ID}\\|${ID}`) },
  { name: 'a branch on a provider id', pattern: new RegExp(`provider\\s*[!=]==?\\s*'(${ID})'`) },
];

/** Files that may write the ids: their declaration. */
const ALLOWED_FILES = new Set(['probe-runtime/contracts/providers.ts', 'test/targets/provider-lists.test.ts']);

/**
 * Tests are about particular providers on purpose (a scenario on two clouds, an assertion for
 * one): there only a list of every provider counts, which must come from the ids.
 */
const TESTS = /^test\//;
const EVERY_ID = new RegExp(PROVIDER_IDS.map((id) => `(?=.*'${id}')`).join(''));

function trackedSources(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.py'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && !ALLOWED_FILES.has(f));
}

/** `stacks/aws/...` → aws; `local/...` → local. */
function ownProvider(file: string): string | null {
  const m = /^stacks\/([a-z]+)\//.exec(file) ?? /^(local)\//.exec(file);
  return m ? m[1]! : null;
}

test('no provider list, union or branch is written by hand outside the registry', () => {
  const found: string[] = [];
  for (const file of trackedSources()) {
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const { name, pattern } of PATTERNS) {
          const m = pattern.exec(line);
          if (!m) continue;
          if (TESTS.test(file) && !EVERY_ID.test(line)) continue;
          if (name === 'a branch on a provider id' && m[1] === ownProvider(file)) continue;
          found.push(`${file}:${i + 1}: ${name}: ${line.trim().slice(0, 120)}`);
        }
      });
  }
  expect(found).toEqual([]);
});

test('the patterns find what they look for', () => {
  const lines = ["type P = 'aws' | 'gcp';", "const all = ['aws', 'azure'];", 'usage: --provider aws|azure', 'expected aws, gcp or local', '/^(aws|gcp)-/', "if (plan.provider === 'gcp') x();"];
  expect(PATTERNS.map((p, i) => [p.name, p.pattern.test(lines[i]!)])).toEqual(PATTERNS.map((p) => [p.name, true]));
  const derived = ["--provider ${CLOUD_PROVIDERS.join('|')}", 'TARGETS[plan.provider].rerunCommands(plan)', "if (isCloudProvider(plan.provider)) x();", "id: 'aws',"];
  expect(derived.filter((line) => PATTERNS.some((p) => p.pattern.test(line)))).toEqual([]);
});
