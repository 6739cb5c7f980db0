/**
 * probe-runtime/python/curtain_probe/platform_variables.py: the Node probe's
 * table of platform environment variables (collectors/environment.ts) for the
 * Python probe, which cannot import TypeScript. Generated, so the two probes
 * read the same variables (test/docs/generated-docs.test.ts keeps it current).
 */
import { MEMORY_VARIABLES, PROVIDER_ID_VARIABLES } from '../probe-runtime/probe/collectors/environment';

const tuple = (names: readonly string[]) => `(\n${names.map((n) => `    ${JSON.stringify(n)},\n`).join('')})`;

export function renderPlatformVariables(): string {
  return [
    '"""Environment variables the probe reads, per platform.',
    '',
    'Generated from probe-runtime/probe/collectors/environment.ts by `npm run docs`: do not edit.',
    '"""',
    '',
    `PROVIDER_ID_VARIABLES = ${tuple(PROVIDER_ID_VARIABLES)}`,
    '',
    `MEMORY_VARIABLES = ${tuple(MEMORY_VARIABLES)}`,
    '',
  ].join('\n');
}
