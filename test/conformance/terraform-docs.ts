/**
 * Every argument of the synthesized Terraform JSON (Google, Azure) against the
 * pinned providers' own documentation (test/conformance/references/terraform,
 * google 6.50.0 and azurerm 4.55.0; see the README there): an argument the
 * documentation of its resource (or data source, or provider) type does not
 * list is a finding, as is a value outside a documented closed list and a pair
 * of arguments the documentation says conflict.
 *
 * What is parsed from the markdown (the phrases the providers' docs use):
 *   - `## Argument(s) Reference` up to `## Attributes Reference`/`## Timeouts`/`## Import`:
 *     bullets "* `name` - ..." (or "- `name` - ...") are the arguments of the current block; a line
 *     "A `x` block supports" / "The `x` block supports" opens block `x`
 *     (blocks of the same name are merged: azurerm does not name the parent).
 *   - Google's generated docs mark attributes inside blocks "(Output)": those are not arguments.
 *   - "Possible values are|include", "Valid options are", "Acceptable values are",
 *     "Must be one of" followed by back-quoted or double-quoted values: a closed list.
 *     "The supported values are" (azurerm's Flex `runtime_version`) is not: the
 *     provider does not enforce it.
 *   - "Conflicts with `y`" / "Cannot be used with `y`": the two may not both be set.
 *   - Which types a page documents: its `# <type>` / `# Data Source: <type>` title,
 *     `## <type>` headings and the "* `<type>`:" list of IAM pages (one page documents
 *     `_iam_member`, `_iam_binding`, `_iam_policy`).
 *
 * Terraform's meta-arguments (`depends_on`, `provider`, `lifecycle`, `count`,
 * `for_each`; cdktf's `//` metadata) are valid on every resource
 * (https://developer.hashicorp.com/terraform/language/meta-arguments, read 2026-12-06).
 * A value holding an interpolation (`${...}`) is known only at apply time and is not
 * compared with a closed list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './support/findings';

export const TERRAFORM_DOCS = path.join(__dirname, 'references', 'terraform');

const META_ARGUMENTS = new Set(['//', 'depends_on', 'provider', 'lifecycle', 'count', 'for_each']);

interface ArgumentDoc {
  /** Closed list of documented values, when the page gives one. */
  values?: string[];
  /** Arguments of the same block this one may not be set together with. */
  conflicts: string[];
}

/** One block of a page: its arguments by name. */
type BlockDoc = Map<string, ArgumentDoc>;

export interface TypeDoc {
  /** Page the arguments come from (relative to TERRAFORM_DOCS), named in findings. */
  page: string;
  /** '' is the resource's top level; other keys are block names. */
  blocks: Map<string, BlockDoc>;
  /** A `timeouts` block is documented (`## Timeouts`). */
  timeouts: boolean;
}

export interface ProviderDocs {
  /** Provider version the pages document (the README's table), e.g. "6.50.0". */
  version: string;
  resources: Map<string, TypeDoc>;
  dataSources: Map<string, TypeDoc>;
  provider: TypeDoc;
}

const CLOSED_LIST = /(?:Possible values (?:are|include)|Valid options are|Acceptable values are|Must be one of)[:\s]+((?:[`"][^`"]+[`"](?:[\s,]*(?:and|or)?\s*)?)+)/i;
const CONFLICT = /(?:Conflicts with|Cannot be used with)\s+((?:`[a-z0-9_]+`(?:[\s,]*(?:and|or)?\s*)?)+)/gi;

function quoted(list: string): string[] {
  return [...list.matchAll(/[`"]([^`"]+)[`"]/g)].map((m) => m[1]!);
}

function argumentDoc(text: string): ArgumentDoc {
  const closed = CLOSED_LIST.exec(text);
  const conflicts = [...text.matchAll(CONFLICT)].flatMap((m) => quoted(m[1]!));
  return { values: closed ? quoted(closed[1]!) : undefined, conflicts };
}

/**
 * Parses one page: bullets with their continuation lines (indented or not,
 * up to the next bullet, block header or heading) in the argument section.
 */
export function parseArguments(markdown: string, page: string, wholePage = false): TypeDoc {
  const blocks = new Map<string, BlockDoc>([['', new Map()]]);
  let inArguments = wholePage;
  let block = '';
  let current: { block: string; names: string[]; text: string } | null = null;
  const flush = () => {
    if (!current) return;
    // Google's generated pages list a block's attributes among its arguments, marked (Output).
    if (!/^\s*[-:]?\s*\(Output\)/.test(current.text)) {
      for (const name of current.names) blocks.get(current.block)!.set(name, argumentDoc(current.text));
    }
    current = null;
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{2,3})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      if (!wholePage) {
        if (/^Arguments? Reference/i.test(heading[2]!)) {
          inArguments = true;
          block = '';
        } else if (/^(Attributes Reference|Timeouts|Import|API Providers)/i.test(heading[2]!)) inArguments = false;
      }
      continue;
    }
    if (!inArguments) continue;
    const opens = /(?:^|>)(?:An?|The)\s+`([a-z0-9_]+)`\s+block\s+(?:supports|contains)/i.exec(line);
    if (opens) {
      flush();
      block = opens[1]!;
      if (!blocks.has(block)) blocks.set(block, new Map());
      continue;
    }
    const bullet = /^[*-]\s+`([a-z0-9_/{}]+)`\s*(.*)$/.exec(line);
    if (bullet) {
      flush();
      current = { block, names: bullet[1]!.split('/'), text: bullet[2]! };
      continue;
    }
    if (current && line.trim() !== '' && !/^(-\s*-\s*-|---|~>|->)/.test(line.trim())) current.text += ` ${line.trim()}`;
    else if (current && /^(~>|->)/.test(line.trim())) flush();
  }
  flush();
  return { page, blocks, timeouts: /^## Timeouts/m.test(markdown) };
}

/** The resource/data source types a page documents. */
function typesOf(markdown: string): string[] {
  const types = new Set<string>();
  const title = /^#\s+(?:Data Source:\s+)?([a-z0-9_]+)\s*$/m.exec(markdown);
  if (title) types.add(title[1]!);
  for (const m of markdown.matchAll(/^##\s+([a-z]+_[a-z0-9_]+)\s*$/gm)) types.add(m[1]!);
  const intro = markdown.split(/^## /m)[0]!;
  for (const m of intro.matchAll(/^\*\s+`([a-z]+_[a-z0-9_]+)`:/gm)) types.add(m[1]!);
  return [...types];
}

function loadPages(dir: string): Map<string, TypeDoc> {
  const out = new Map<string, TypeDoc>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.markdown'));
  } catch {
    return out;
  }
  for (const file of files) {
    const markdown = readFileSync(path.join(dir, file), 'utf8');
    const page = path.relative(TERRAFORM_DOCS, path.join(dir, file));
    const parsed = parseArguments(markdown, page);
    for (const type of typesOf(markdown)) out.set(type, parsed);
  }
  return out;
}

/** The provider versions the pages under references/terraform document (README table). */
export const DOCUMENTED_VERSIONS = { google: '6.50.0', azurerm: '4.55.0' } as const;

export function loadProviderDocs(provider: keyof typeof DOCUMENTED_VERSIONS): ProviderDocs {
  const root = path.join(TERRAFORM_DOCS, provider);
  const providerPage = provider === 'google' ? path.join(root, 'guides', 'provider_reference.html.markdown') : path.join(root, 'index.html.markdown');
  // Google's provider reference spreads the arguments over several sections: every bullet counts.
  const providerDoc = parseArguments(readFileSync(providerPage, 'utf8'), path.relative(TERRAFORM_DOCS, providerPage), provider === 'google');
  return { version: DOCUMENTED_VERSIONS[provider], resources: loadPages(path.join(root, 'r')), dataSources: loadPages(path.join(root, 'd')), provider: providerDoc };
}

function isInterpolated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** The bodies of a block value: cdktf writes a block as an object or a list of objects. */
function blockBodies(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** Checks one block body against its documentation, recursing into documented blocks. */
function checkBlock(doc: TypeDoc, blockName: string, body: Record<string, unknown>, artifact: string, at: string, findings: Finding[]): void {
  const args = doc.blocks.get(blockName)!;
  const pairs = new Set<string>(); // a conflict documented on both arguments is one finding
  for (const [key, value] of Object.entries(body)) {
    const field = at ? `${at}.${key}` : key;
    if (blockName === '' && (META_ARGUMENTS.has(key) || (key === 'timeouts' && doc.timeouts))) continue;
    const arg = args.get(key);
    if (!arg) {
      findings.push({ artifact, field, reference: doc.page, message: `not an argument of ${blockName ? `the \`${blockName}\` block` : 'this type'} in the pinned provider's documentation` });
      continue;
    }
    if (arg.values && (typeof value === 'string' || typeof value === 'number') && !isInterpolated(value) && !arg.values.includes(String(value))) {
      findings.push({ artifact, field, reference: doc.page, message: `"${value}" is not one of the documented values ${arg.values.map((v) => `"${v}"`).join(', ')}` });
    }
    for (const other of arg.conflicts) {
      const pair = [key, other].sort().join(' ');
      if (!(other in body) || pairs.has(pair)) continue;
      pairs.add(pair);
      findings.push({ artifact, field, reference: doc.page, message: `set together with \`${other}\`, which the documentation says it conflicts with` });
    }
    // A documented block of that name: recurse. Otherwise a map (labels, app_settings): its keys are free.
    if (doc.blocks.has(key) && value !== null && typeof value === 'object') {
      for (const [i, nested] of blockBodies(value).entries()) checkBlock(doc, key, nested, artifact, Array.isArray(value) ? `${field}[${i}]` : field, findings);
    }
  }
}

type TerraformJson = Record<string, unknown> & {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, unknown>;
  terraform?: { required_providers?: Record<string, { version?: string }> };
};

/** What was checked, for the suite's counts: one entry per resource, data source and provider block. */
export interface ArgumentCheck {
  artifact: string;
  findings: Finding[];
}

/**
 * Every resource, data source and provider block of one stack of `provider`
 * (the stack's own types only: a type of another provider is not this one's
 * to judge), and the pinned version against the documented one.
 */
export function checkTerraformArguments(stackName: string, json: TerraformJson, docs: ProviderDocs, provider: keyof typeof DOCUMENTED_VERSIONS): ArgumentCheck[] {
  const checks: ArgumentCheck[] = [];
  const pinned = json.terraform?.required_providers?.[provider]?.version;
  checks.push({
    artifact: `${stackName} terraform.required_providers.${provider}`,
    findings: pinned === docs.version ? [] : [{ artifact: stackName, field: `terraform.required_providers.${provider}.version`, reference: `references/terraform/${provider} (documents ${docs.version})`, message: `pins ${pinned ?? 'no version'}` }],
  });
  for (const [section, table] of [['resource', docs.resources], ['data', docs.dataSources]] as const) {
    for (const [type, byName] of Object.entries(json[section] ?? {})) {
      if (!type.startsWith(`${provider}_`)) continue;
      const doc = table.get(type);
      for (const [name, body] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
        const artifact = `${stackName}/${section === 'data' ? 'data.' : ''}${type}.${name}`;
        const findings: Finding[] = [];
        if (!doc) findings.push({ artifact, field: type, reference: `references/terraform/${provider}`, message: 'no documentation page for this type is kept: add it (see the README)' });
        else checkBlock(doc, '', body, artifact, '', findings);
        checks.push({ artifact, findings });
      }
    }
  }
  const providerBlocks = blockBodies((json.provider as Record<string, unknown> | undefined)?.[provider]);
  for (const [i, body] of providerBlocks.entries()) {
    const findings: Finding[] = [];
    const { alias: _alias, ...rest } = body; // `alias` is Terraform's, valid on every provider block
    checkBlock(docs.provider, '', rest, `${stackName} provider.${provider}[${i}]`, '', findings);
    checks.push({ artifact: `${stackName} provider.${provider}[${i}]`, findings });
  }
  return checks;
}
