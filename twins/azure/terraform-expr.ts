/**
 * Terraform's template strings and the expressions cdktf writes into a stack's
 * JSON (`${...}`): references (`var.x`, `<type>.<name>.<attr>`, `[0]`),
 * string templates, object and tuple literals, and the functions the Curtain
 * stacks use (jsonencode, substr, sha256, join, filemd5, lower). The twin
 * evaluates them as `terraform apply` would once the referenced attributes are
 * known (Terraform language: "Strings and Templates", "Expressions",
 * developer.hashicorp.com/terraform/language/expressions, read 2026-12-06).
 * Anything else (an operator, a conditional, an unknown function) is refused
 * with the expression quoted, never guessed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type ReferencePath = readonly (string | number)[];

export interface ExpressionScope {
  /** The value of a reference such as `azurerm_linux_function_app.x.default_hostname` or `var.azure_subscription_id`. */
  reference(path: ReferencePath): unknown;
  /** Directory relative file paths (filemd5) are resolved against. */
  readonly dir: string;
}

export class TerraformExpressionError extends Error {}

/** Evaluates a JSON value of the stack: every string in it is a template. */
export function evaluateValue(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return evaluateTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, scope));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, scope)]));
  return value;
}

/** A template string: a lone `${expr}` keeps the expression's type; anything else is string interpolation. */
export function evaluateTemplate(text: string, scope: ExpressionScope): unknown {
  const parser = new Parser(text, scope);
  return parser.template(null);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly scope: ExpressionScope,
  ) {}

  private fail(what: string): never {
    throw new TerraformExpressionError(`${what} at offset ${this.pos} of "${this.text.length > 160 ? `${this.text.slice(0, 160)}...` : this.text}"`);
  }

  /** Template text up to `end` (a closing quote) or the end of input. */
  template(end: '"' | null): unknown {
    const parts: unknown[] = [];
    let literal = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (end !== null && c === end) break;
      if (c === '$' && this.text[this.pos + 1] === '{') {
        if (literal) parts.push(literal);
        literal = '';
        this.pos += 2;
        parts.push(this.expression());
        this.skipSpace();
        if (this.text[this.pos] !== '}') this.fail('expected "}"');
        this.pos += 1;
      } else if (end !== null && c === '\\') {
        const next = this.text[this.pos + 1];
        literal += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
        this.pos += 2;
      } else {
        literal += c;
        this.pos += 1;
      }
    }
    if (literal) parts.push(literal);
    if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0];
    return parts.map((p) => (typeof p === 'string' ? p : stringOf(p))).join('');
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos += 1;
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  expression(): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '"') {
      this.pos += 1;
      const value = this.template('"');
      this.pos += 1;
      return value;
    }
    if (c === '{') return this.object();
    if (c === '[') return this.tuple();
    if (c !== undefined && /[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(this.text.slice(this.pos))!;
      this.pos += match[0].length;
      return Number(match[0]);
    }
    const name = this.identifier();
    this.skipSpace();
    if (this.text[this.pos] === '(') return this.call(name);
    if (name === 'true' || name === 'false') return name === 'true';
    if (name === 'null') return null;
    const path: (string | number)[] = [name];
    for (;;) {
      if (this.text[this.pos] === '.') {
        this.pos += 1;
        path.push(this.identifier());
      } else if (this.text[this.pos] === '[') {
        this.pos += 1;
        const index = this.expression();
        this.skipSpace();
        if (this.text[this.pos] !== ']') this.fail('expected "]"');
        this.pos += 1;
        path.push(typeof index === 'number' ? index : String(index));
      } else break;
    }
    return this.scope.reference(path);
  }

  private list(close: string): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) break;
      items.push(this.expression());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== close) this.fail(`expected "," or "${close}"`);
    }
    this.pos += 1;
    return items;
  }

  private tuple(): unknown[] {
    this.pos += 1;
    return this.list(']');
  }

  private object(): Record<string, unknown> {
    this.pos += 1;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') break;
      const key = this.text[this.pos] === '"' ? this.expression() : this.identifier();
      this.skipSpace();
      if (this.text[this.pos] !== '=' && this.text[this.pos] !== ':') this.fail('expected "="');
      this.pos += 1;
      out[String(key)] = this.expression();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
    }
    this.pos += 1;
    return out;
  }

  private call(name: string): unknown {
    this.pos += 1;
    const args = this.list(')');
    const fn = FUNCTIONS[name];
    if (!fn) this.fail(`function ${name}() is not modelled by the twin`);
    return fn(args, this.scope);
  }
}

function stringOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TerraformExpressionError(`cannot interpolate a ${Array.isArray(value) ? 'tuple' : typeof value} into a string`);
}

const FUNCTIONS: Record<string, (args: unknown[], scope: ExpressionScope) => unknown> = {
  jsonencode: ([v]) => JSON.stringify(v),
  sha256: ([s]) => createHash('sha256').update(stringOf(s)).digest('hex'),
  substr: ([s, offset, length]) => stringOf(s).substr(Number(offset), Number(length) < 0 ? undefined : Number(length)),
  join: ([sep, list]) => (list as unknown[]).map(stringOf).join(stringOf(sep)),
  lower: ([s]) => stringOf(s).toLowerCase(),
  filemd5: ([file], scope) => createHash('md5').update(readFileSync(`${scope.dir}/${stringOf(file)}`)).digest('hex'),
};
