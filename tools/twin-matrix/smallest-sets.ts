/**
 * The smallest parameters of a catalog study, derived from its own parameter
 * schema (experiments/catalog/*.ts) rather than listed by hand: every number
 * with a lower bound takes that bound (one round, one instance, the smallest
 * memory, no barrier), every list takes as many of its default entries as it
 * must have (its first), everything else keeps its default. A study that
 * gains a parameter is covered without an edit here.
 */
import { z } from 'zod';
import type { CatalogStudy } from '../../experiments/catalog';

interface JsonSchemaProperty {
  type?: string;
  minimum?: number;
  minItems?: number;
  default?: unknown;
}

export function smallestSets(study: CatalogStudy): Record<string, unknown> {
  const schema = z.toJSONSchema(study.parameters, { io: 'input' }) as { properties?: Record<string, JsonSchemaProperty> };
  const sets: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if ((property.type === 'integer' || property.type === 'number') && property.minimum !== undefined) sets[key] = property.minimum;
    else if (property.type === 'array' && Array.isArray(property.default)) sets[key] = property.default.slice(0, Math.max(1, property.minItems ?? 1));
  }
  return sets;
}
