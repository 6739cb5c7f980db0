/**
 * The study language grows (payloads, arrivals, anchored waits, architecture and timeout
 * dimensions) without changing what existing studies compile to: every catalog plan keeps the
 * hash it had before those features (fixture computed on main, see its `source`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CAPABILITIES } from '../../experiments/capabilities';
import { CATALOG } from '../../experiments/catalog';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';

const fixture = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/catalog-plan-hashes.json'), 'utf8')) as { hashes: Record<string, string> };

// Plans depend on the date through the runtime lifecycle table (experiments/runtime-lifecycle.ts).
const savedNow = process.env.CURTAIN_NOW;
beforeAll(() => {
  process.env.CURTAIN_NOW = '2026-12-06';
});
afterAll(() => {
  if (savedNow === undefined) delete process.env.CURTAIN_NOW;
  else process.env.CURTAIN_NOW = savedNow;
});

test('every catalog plan (each provider and hosting plan) keeps its hash', () => {
  const now: Record<string, string> = {};
  for (const study of CATALOG) {
    const definition = buildCatalogStudy(study.id);
    for (const provider of definition.providers) {
      for (const hosting of Object.keys(CAPABILITIES[provider].hosting)) {
        let hash: string;
        try {
          hash = planStudy(definition, { provider, hosting }).hash;
        } catch {
          hash = 'refused';
        }
        now[`${study.id}/${provider}/${hosting}`] = hash;
      }
    }
  }
  expect(now).toEqual(fixture.hashes);
});
