/**
 * Every resource of a synthesized CloudFormation template against its resource
 * provider schema (test/conformance/references/cloudformation/schemas, from
 * cfn-lint; see the README there), validated with ajv (JSON Schema draft-07).
 *
 * Intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Join`, ...) have values only
 * at deploy time, so wherever a template holds one the schema accepts it:
 * every subschema is wrapped as `if intrinsic then accept else original`
 * (if/then/else rather than anyOf, so the schemas' own anyOf errors stay
 * distinguishable); the wrapper's own "must match else" lines are dropped.
 * A resource type without a schema here is itself a finding: the suite must
 * not silently skip a type the stacks start to synthesize.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Finding } from '../support/findings';

export const SCHEMA_DIR = path.join(__dirname, '..', 'references', 'cloudformation', 'schemas');

/**
 * The registry schemas' patterns are written for Python's `re` (the
 * CloudFormation tooling is Python): `\A`/`\Z` anchor the whole string. They
 * become `^`/`$`; everything else is the common subset, compiled with the
 * unicode flag only where a pattern uses a unicode class (`\p{L}`), so
 * escapes such as `\-` elsewhere stay legal.
 */
const pythonRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const source = pattern.replace(/\\A/g, '^').replace(/\\Z/g, '$');
    return new RegExp(source, /\\p\{/.test(source) ? `${flags.replace('u', '')}u` : flags.replace('u', ''));
  },
  { code: 'pythonRegExp' },
);

type Json = Record<string, unknown>;

const INTRINSIC = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  propertyNames: { enum: ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::ImportValue', 'Fn::FindInMap', 'Fn::Base64', 'Fn::GetAZs', 'Fn::Cidr', 'Fn::ToJsonString', 'Fn::Length'] },
};

/** Keywords whose values are subschemas (or maps/arrays of them). */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SCHEMA_ARRAYS = ['anyOf', 'oneOf', 'allOf'];
const SCHEMA_SINGLE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];

/** Wraps every subschema so an intrinsic function is accepted in its place. */
function acceptIntrinsics(schema: unknown, root = false): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (SCHEMA_MAPS.includes(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, acceptIntrinsics(v)]));
    } else if (SCHEMA_ARRAYS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => acceptIntrinsics(v));
    } else if (SCHEMA_SINGLE.includes(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = key === 'propertyNames' ? value : acceptIntrinsics(value);
    } else {
      out[key] = value;
    }
  }
  // The root is the Properties object itself, never an intrinsic; definitions are wrapped where used.
  if (root) return out;
  const { definitions, $defs, ...rest } = out;
  const wrapped: Json = { if: { $ref: '#/$intrinsic' }, then: true, else: rest };
  if (definitions) wrapped.definitions = definitions;
  if ($defs) wrapped.$defs = $defs;
  return wrapped;
}

export interface SchemaLibrary {
  /** Resource type → validator of its Properties. */
  validators: Map<string, ValidateFunction>;
  /** Resource type → schema file name (the reference a finding names). */
  files: Map<string, string>;
  /** Resource type → property names CloudFormation sets itself (readOnlyProperties). */
  readOnly: Map<string, Set<string>>;
}

export function loadSchemaLibrary(dir = SCHEMA_DIR): SchemaLibrary {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false, code: { regExp: pythonRegExp } });
  const library: SchemaLibrary = { validators: new Map(), files: new Map(), readOnly: new Map() };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Json & { typeName: string; readOnlyProperties?: string[] };
    const prepared = acceptIntrinsics(schema, true) as Json;
    // Wrapped subschemas refer to `#/$intrinsic`; definitions keep their `#/definitions/...` paths.
    prepared.$intrinsic = INTRINSIC;
    delete prepared.$schema;
    delete prepared.$id;
    library.validators.set(schema.typeName, ajv.compile(prepared));
    library.files.set(schema.typeName, `cloudformation/schemas/${file}`);
    library.readOnly.set(schema.typeName, new Set((schema.readOnlyProperties ?? []).map((p) => p.replace(/^\/properties\//, '').split('/')[0]!)));
  }
  return library;
}

/** The schema a resource type is checked against: `Custom::*` is AWS::CloudFormation::CustomResource. */
export function schemaTypeOf(resourceType: string): string {
  return resourceType.startsWith('Custom::') ? 'AWS::CloudFormation::CustomResource' : resourceType;
}

interface TemplateResource {
  Type: string;
  Properties?: Json;
}

/** Findings for every resource of a template; `checked` counts resources per schema file. */
export function checkTemplateResources(
  stackName: string,
  template: { Resources?: Record<string, TemplateResource> },
  library: SchemaLibrary,
  checked: (reference: string, findings: Finding[]) => void = () => {},
): Finding[] {
  const findings: Finding[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const type = schemaTypeOf(resource.Type);
    const validate = library.validators.get(type);
    const artifact = `${stackName}/${logicalId} (${resource.Type})`;
    if (!validate) {
      const finding = { artifact, field: 'Type', reference: 'test/conformance/references/cloudformation/schemas', message: `no provider schema for ${type}: add it (see the README there)` };
      findings.push(finding);
      checked('cloudformation/schemas (missing)', [finding]);
      continue;
    }
    const reference = `test/conformance/references/${library.files.get(type)}`;
    const own: Finding[] = [];
    const properties = resource.Properties ?? {};
    if (!validate(properties)) {
      for (const error of relevantErrors(validate.errors ?? [])) {
        own.push({ artifact, field: `Properties${error.instancePath}`, reference, message: describeError(error) });
      }
    }
    for (const name of Object.keys(properties)) {
      if (library.readOnly.get(type)?.has(name)) own.push({ artifact, field: `Properties/${name}`, reference, message: 'read-only property: CloudFormation sets it and refuses a value' });
    }
    checked(reference, own);
    findings.push(...own);
  }
  return findings;
}

/** Drops the wrappers' own "must match else schema" lines; keeps the original schema's errors. */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((e) => e.keyword !== 'if');
  // One line per (path, message) is enough.
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath} ${describeError(e)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown property "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum') return `${error.message}: ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === 'required') return `missing required property "${String(params.missingProperty)}"`;
  return error.message ?? error.keyword;
}
