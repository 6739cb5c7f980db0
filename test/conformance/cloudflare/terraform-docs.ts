/**
 * Checks Terraform JSON resources against the schema section of the pinned
 * provider's generated documentation (tfplugindocs format: `### Required`,
 * `### Optional`, `### Read-Only`, `### Nested Schema for \`a.b\`` with
 * `Required:`/`Optional:` lists, and `Available values: ...` under an
 * attribute). Every argument a resource sets must be documented as required
 * or optional at its nesting path, every required one must be set, and a
 * literal value of an attribute with listed values must be one of them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../support/findings';

interface AttributeSchema {
  /** path ('' for the top level) → argument name → { required, values }. */
  readonly levels: Map<string, Map<string, { required: boolean; values: string[] | null }>>;
}

// Terraform meta-arguments, and cdktf's own metadata key (`//`), which Terraform ignores.
const META_ARGUMENTS = new Set(['depends_on', 'lifecycle', 'provider', 'count', 'for_each', '//']);

export function parseTerraformDoc(markdown: string): AttributeSchema {
  const levels = new Map<string, Map<string, { required: boolean; values: string[] | null }>>();
  let level = '';
  let mode: 'required' | 'optional' | 'read-only' | null = null;
  let last: { required: boolean; values: string[] | null } | null = null;
  for (const line of markdown.split('\n')) {
    const nested = /^### Nested Schema for `([^`]+)`/.exec(line);
    if (nested) {
      level = nested[1]!;
      mode = null;
      continue;
    }
    if (/^### Required$|^Required:$/.test(line)) mode = 'required';
    else if (/^### Optional$|^Optional:$/.test(line)) mode = 'optional';
    else if (/^### Read-Only$|^Read-Only:$/.test(line)) mode = 'read-only';
    const attribute = /^- `([a-z0-9_]+)` \(/.exec(line);
    if (attribute && mode) {
      last = null;
      if (mode === 'read-only') continue;
      const entry = { required: mode === 'required', values: null as string[] | null };
      const map = levels.get(level) ?? new Map();
      map.set(attribute[1]!, entry);
      levels.set(level, map);
      last = entry;
    }
    const values = /Available values: (.+)\.$/.exec(line);
    if (values && last) last.values = [...values[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  }
  return { levels };
}

const cache = new Map<string, AttributeSchema>();

/** The schema of `cloudflare_<type>` from references/terraform/cloudflare/r/<type>.md. */
export function docSchema(resourceType: string): AttributeSchema | null {
  const type = resourceType.replace(/^cloudflare_/, '');
  if (!cache.has(type)) {
    const file = path.join(__dirname, '../references/terraform/cloudflare/r', `${type}.md`);
    try {
      cache.set(type, parseTerraformDoc(readFileSync(file, 'utf8')));
    } catch {
      return null;
    }
  }
  return cache.get(type)!;
}

export function checkAgainstDocs(artifact: string, resourceType: string, body: Record<string, unknown>): Finding[] {
  const reference = `terraform-provider-cloudflare v5.14.0 docs/resources/${resourceType.replace(/^cloudflare_/, '')}.md`;
  const schema = docSchema(resourceType);
  if (!schema) return [{ artifact, field: resourceType, reference, message: 'no documentation kept for this resource type (add it to references/terraform/cloudflare)' }];
  const findings: Finding[] = [];
  const walk = (value: Record<string, unknown>, level: string) => {
    const allowed = schema.levels.get(level);
    if (!allowed) {
      findings.push({ artifact, field: level, reference, message: 'not a documented nested block' });
      return;
    }
    for (const [name, argument] of allowed) {
      if (argument.required && !(name in value)) findings.push({ artifact, field: level ? `${level}.${name}` : name, reference, message: 'required argument missing' });
    }
    for (const [key, child] of Object.entries(value)) {
      if (level === '' && META_ARGUMENTS.has(key)) continue;
      const field = level ? `${level}.${key}` : key;
      const argument = allowed.get(key);
      if (!argument) {
        findings.push({ artifact, field, reference, message: 'not a documented argument' });
        continue;
      }
      if (typeof child === 'string' && argument.values && !child.includes('${') && !argument.values.includes(child)) {
        findings.push({ artifact, field, reference, message: `"${child}" is not one of ${argument.values.join(', ')}` });
      }
      const objects = Array.isArray(child) ? child.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null) : child && typeof child === 'object' ? [child as Record<string, unknown>] : [];
      for (const object of objects) walk(object, field);
    }
  };
  walk(body, '');
  return findings;
}
