/**
 * An evaluator for the subset of Google Cloud Workflows syntax that
 * stacks/gcp/workflow/compile-workflow.ts generates. There is no Workflows
 * emulator to install, so the Google twin (twins/gcp/) runs a stack's
 * synthesized workflow source here, and the conformance tests run the
 * generated YAML here. Anything outside the subset throws a
 * WorkflowDefinitionError naming the step and the construct instead of being
 * guessed at, so a generator change that relies on more syntax fails loudly;
 * that error is not a Workflows runtime error, so no `try`/`except` of the
 * workflow can catch it (Google refuses such a source at deployment, or the
 * twin cannot vouch for its meaning).
 *
 * Supported: `main` with `params`; steps `assign`, `call` (with `args`,
 * `result`), `switch` (conditions with `steps`/`assign`/`next`), `for` (`in`,
 * `range`), `parallel` (`for` with `shared`, `concurrency_limit`), `try`/`except`
 * (`as`, `steps`), `steps`, `next`, `return`, `raise`; full-string `${...}`
 * expressions with literals, variables, `.`/`[]` access, arithmetic,
 * comparisons, `and`/`or`/`not`, and the standard-library functions listed in
 * FUNCTIONS. Scoping follows Workflows: loop variables and variables first
 * assigned inside a loop or parallel branch are local to it, and a parallel
 * branch may assign an outer variable only when it is declared `shared`.
 * Assignment copies values (no aliasing between variables).
 */
import { parse } from 'yaml';

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** A Workflows runtime error: a map with at least `message` and `tags`, as `except: as: e` sees it. */
export class WorkflowRaise extends Error {
  constructor(readonly value: Value) {
    super(typeof value === 'object' && value !== null && !Array.isArray(value) ? String(value.message) : String(value));
  }
}

export interface EvaluatorHost {
  /** Calls such as http.post, sys.sleep or a connector; throw WorkflowRaise to simulate a failure. */
  call(name: string, args: Record<string, Value>): Promise<Value>;
  env: Record<string, string>;
  /** Current time in seconds since the epoch (sys.now). */
  now(): number;
  /** Called as each named step is entered (nested ones included): what Workflows counts against its steps limit. */
  onStep?(name: string): void;
}

/**
 * The source uses a construct outside the evaluated subset, or one Google refuses
 * at deployment (an unshared outer variable assigned in a parallel branch).
 */
export class WorkflowDefinitionError extends Error {
  override name = 'WorkflowDefinitionError';
}

class Jump {
  constructor(readonly target: string) {}
}
class Return {
  constructor(readonly value: Value) {}
}

interface Scope {
  vars: Map<string, Value>;
  parent: Scope | null;
  /** A parallel branch boundary: outer variables are writable only when shared. */
  parallelShared: Set<string> | null;
}

export async function runWorkflow(source: string, args: Value, host: EvaluatorHost): Promise<Value> {
  const program = parse(source) as Record<string, unknown>;
  const unknownWorkflows = Object.keys(program).filter((k) => k !== 'main');
  if (unknownWorkflows.length > 0) throw new WorkflowDefinitionError(`subworkflows are outside the evaluated subset: ${unknownWorkflows.join(', ')}`);
  const main = program.main as { params?: string[]; steps: unknown[] };
  const root: Scope = { vars: new Map(), parent: null, parallelShared: null };
  if (main.params) {
    if (main.params.length !== 1) throw new WorkflowDefinitionError('main takes exactly one parameter');
    root.vars.set(main.params[0]!, clone(args));
  }
  const interpreter = new Interpreter(host);
  try {
    await interpreter.steps(main.steps, root);
  } catch (signal) {
    if (signal instanceof Return) return signal.value;
    if (signal instanceof Jump && signal.target === 'end') return null;
    throw signal;
  }
  return null;
}

class Interpreter {
  constructor(private readonly host: EvaluatorHost) {}

  async steps(list: unknown[], scope: Scope): Promise<void> {
    let i = 0;
    while (i < list.length) {
      const [name, body] = single(list[i], 'step');
      this.host.onStep?.(name);
      try {
        await this.step(body as Record<string, unknown>, scope, name);
        i += 1;
      } catch (signal) {
        if (signal instanceof WorkflowDefinitionError && !signal.message.startsWith('step ')) throw new WorkflowDefinitionError(`step ${name}: ${signal.message}`);
        if (signal instanceof Jump && signal.target !== 'end') {
          const at = list.findIndex((s) => single(s, 'step')[0] === signal.target);
          if (at >= 0) {
            i = at;
            continue;
          }
        }
        throw signal;
      }
    }
  }

  private async step(body: Record<string, unknown>, scope: Scope, name: string): Promise<void> {
    const keys = Object.keys(body);
    const known = ['assign', 'call', 'args', 'result', 'switch', 'for', 'parallel', 'try', 'except', 'steps', 'next', 'return', 'raise'];
    const unknown = keys.filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new WorkflowDefinitionError(`step ${name}: unsupported keys ${unknown.join(', ')}`);
    if ('try' in body) return this.tryStep(body, scope);
    if ('assign' in body) this.assign(body.assign as unknown[], scope);
    if ('call' in body) {
      const result = await this.host.call(String(body.call), (this.value(body.args ?? {}, scope) ?? {}) as Record<string, Value>);
      if (typeof body.result === 'string') this.set(body.result, result, scope);
    }
    if ('switch' in body) await this.switchStep(body.switch as unknown[], scope);
    if ('for' in body) await this.forStep(body.for as Record<string, unknown>, scope, null);
    if ('parallel' in body) await this.parallelStep(body.parallel as Record<string, unknown>, scope);
    if ('steps' in body) await this.steps(body.steps as unknown[], scope);
    if ('return' in body) throw new Return(this.value(body.return, scope));
    if ('raise' in body) throw new WorkflowRaise(this.value(body.raise, scope));
    if ('next' in body) throw new Jump(String(body.next));
  }

  private async tryStep(body: Record<string, unknown>, scope: Scope): Promise<void> {
    const attempt = body.try as Record<string, unknown>;
    try {
      await this.step(attempt, scope, 'try');
    } catch (error) {
      if (error instanceof Jump || error instanceof Return || error instanceof WorkflowDefinitionError) throw error;
      if (!body.except) throw error;
      const handler = body.except as { as?: string; steps: unknown[] };
      const value: Value =
        error instanceof WorkflowRaise ? error.value : { message: error instanceof Error ? error.message : String(error), tags: ['RuntimeError'] };
      if (handler.as) this.set(handler.as, value, scope);
      await this.steps(handler.steps, scope);
    }
  }

  private async switchStep(conditions: unknown[], scope: Scope): Promise<void> {
    for (const c of conditions) {
      const condition = c as Record<string, unknown>;
      const matched = this.value(condition.condition, scope);
      if (typeof matched !== 'boolean') throw new WorkflowRaise({ message: 'switch condition is not a boolean', tags: ['TypeError'] });
      if (!matched) continue;
      const { condition: _condition, ...rest } = condition;
      await this.step(rest, scope, 'switch');
      return;
    }
  }

  private async forStep(spec: Record<string, unknown>, scope: Scope, shared: Set<string> | null, limit = 1): Promise<void> {
    const items = this.iterationValues(spec, scope);
    const run = async (item: Value) => {
      const inner: Scope = { vars: new Map([[String(spec.value), clone(item)]]), parent: scope, parallelShared: shared };
      await this.steps(spec.steps as unknown[], inner);
    };
    if (!shared) {
      for (const item of items) await run(item);
      return;
    }
    // Parallel iterations: at most `limit` in flight, in an order that differs from the list's.
    const queue = [...items].reverse();
    await Promise.all(
      Array.from({ length: Math.min(limit, queue.length) }, async () => {
        while (queue.length > 0) await run(queue.shift()!);
      }),
    );
  }

  private iterationValues(spec: Record<string, unknown>, scope: Scope): Value[] {
    if ('in' in spec) {
      const list = this.value(spec.in, scope);
      if (!Array.isArray(list)) throw new WorkflowRaise({ message: 'for: `in` is not a list', tags: ['TypeError'] });
      return list;
    }
    if ('range' in spec) {
      const [from, to] = this.value(spec.range, scope) as number[];
      return Array.from({ length: Math.max(0, to! - from! + 1) }, (_, k) => from! + k);
    }
    throw new WorkflowDefinitionError('for needs `in` or `range`');
  }

  private async parallelStep(spec: Record<string, unknown>, scope: Scope): Promise<void> {
    if (!spec.for) throw new WorkflowDefinitionError('only `parallel: for` is in the evaluated subset');
    const shared = new Set((spec.shared as string[] | undefined) ?? []);
    for (const name of shared) if (this.lookup(name, scope) === undefined) throw new WorkflowDefinitionError(`shared variable ${name} is not defined before the parallel step`);
    // Google checks this at deployment, on every path of the branch, not only the ones an execution takes.
    const loop = spec.for as Record<string, unknown>;
    const assigned = new Set<string>();
    assignedIn(loop.steps, assigned);
    for (const name of [...assigned].sort()) {
      if (name === loop.value || name === loop.index || shared.has(name) || this.lookup(name, scope) === undefined) continue;
      throw new WorkflowDefinitionError(`parallel branch assigns ${name}, a variable of the parent scope, which is not declared shared (Google refuses this source at deployment)`);
    }
    await this.forStep(spec.for as Record<string, unknown>, scope, shared, Number(spec.concurrency_limit ?? 20));
  }

  private assign(list: unknown[], scope: Scope): void {
    if (list.length > 50) throw new WorkflowDefinitionError('more than 50 assignments in one step');
    for (const item of list) {
      const [target, raw] = single(item, 'assignment');
      this.set(target, this.value(raw, scope), scope);
    }
  }

  /** Assigns `name`, `name.key` or `name["key"]`. */
  private set(target: string, value: Value, scope: Scope): void {
    const path = parseTarget(target, (e) => this.expression(e, scope));
    const [head, ...rest] = path;
    const owner = this.owner(String(head), scope);
    if (rest.length === 0) {
      owner.vars.set(String(head), clone(value));
      return;
    }
    let node = owner.vars.get(String(head));
    for (let k = 0; k < rest.length - 1; k++) node = access(node, rest[k]!);
    if (node === null || typeof node !== 'object') throw new WorkflowRaise({ message: `cannot assign ${target}`, tags: ['TypeError'] });
    const key = rest[rest.length - 1]!;
    if (Array.isArray(node)) node[Number(key)] = clone(value);
    else node[String(key)] = clone(value);
  }

  /** The scope that holds (or will hold) a variable, enforcing parallel `shared`. */
  private owner(name: string, scope: Scope): Scope {
    let s: Scope | null = scope;
    let crossed: Set<string> | null = null;
    while (s) {
      if (s.vars.has(name)) {
        if (crossed && !crossed.has(name)) throw new WorkflowDefinitionError(`parallel branch assigns ${name}, which is not declared shared`);
        return s;
      }
      if (s.parallelShared) crossed = s.parallelShared;
      s = s.parent;
    }
    return scope;
  }

  private lookup(name: string, scope: Scope): Value | undefined {
    for (let s: Scope | null = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    return undefined;
  }

  /** Resolves `${...}` strings anywhere inside a value. */
  value(raw: unknown, scope: Scope): Value {
    if (typeof raw === 'string') {
      const m = /^\$\{([\s\S]*)\}$/.exec(raw);
      if (m) {
        if (m[1]!.length > 400) throw new WorkflowDefinitionError(`expression longer than 400 characters: ${raw.slice(0, 60)}…`);
        return this.expression(m[1]!, scope);
      }
      if (raw.includes('${')) throw new WorkflowDefinitionError(`a string mixing text and an expression is outside the subset: ${raw}`);
      return raw;
    }
    if (Array.isArray(raw)) return raw.map((r) => this.value(r, scope));
    if (raw !== null && typeof raw === 'object') {
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, this.value(v, scope)]));
    }
    return raw as Value;
  }

  expression(text: string, scope: Scope): Value {
    const parser = new ExpressionParser(tokenize(text));
    const ast = parser.parseAll();
    return evaluate(ast, {
      variable: (name) => {
        const v = this.lookup(name, scope);
        if (v === undefined) throw new WorkflowRaise({ message: `undefined variable ${name}`, tags: ['KeyError'] });
        return v;
      },
      call: (name, values) => this.builtin(name, values),
    });
  }

  private builtin(name: string, a: Value[]): Value {
    switch (name) {
      case 'len':
        if (typeof a[0] === 'string' || Array.isArray(a[0])) return a[0].length;
        if (a[0] && typeof a[0] === 'object') return Object.keys(a[0]).length;
        throw new WorkflowRaise({ message: 'len of a non-collection', tags: ['TypeError'] });
      case 'default':
        return a[0] === null ? a[1]! : a[0]!;
      case 'map.get': {
        const m = a[0];
        if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new WorkflowRaise({ message: 'map.get of a non-map', tags: ['TypeError'] });
        return m[String(a[1])] ?? null;
      }
      case 'list.concat':
        if (!Array.isArray(a[0])) throw new WorkflowRaise({ message: 'list.concat of a non-list', tags: ['TypeError'] });
        return [...clone(a[0]) as Value[], clone(a[1]!)];
      case 'sys.get_env':
        return this.host.env[String(a[0])] ?? null;
      case 'sys.now':
        return this.host.now();
      case 'time.format':
        return new Date(Number(a[0]) * 1000).toISOString();
      case 'time.parse': {
        // An ISO 8601 timestamp → seconds since the epoch (a ValueError when it is not one).
        const ms = typeof a[0] === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(a[0]) ? Date.parse(a[0]) : Number.NaN;
        if (Number.isNaN(ms)) throw new WorkflowRaise({ message: `time.parse: ${JSON.stringify(a[0])} is not an ISO 8601 timestamp`, tags: ['ValueError'] });
        return ms / 1000;
      }
      case 'string':
        return String(a[0]);
      case 'json.encode_to_string':
        return JSON.stringify(a[0]);
      default:
        throw new WorkflowDefinitionError(`function ${name} is outside the evaluated subset`);
    }
  }
}

/** Names a parallel branch's steps assign (assignments, call results, `except: as`), nested parallel steps aside. */
function assignedIn(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) assignedIn(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'parallel') continue;
    if (key === 'assign' && Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') for (const target of Object.keys(item)) into.add(target.split(/[.[]/)[0]!);
    } else if (key === 'result' && typeof value === 'string') into.add(value);
    else if (key === 'as' && typeof value === 'string') into.add(value);
    else assignedIn(value, into);
  }
}

// ---- expressions ------------------------------------------------------------

type Token = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') {
          const next = text[j + 1];
          s += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          j += 2;
        } else s += text[j++];
      }
      if (j >= text.length) throw new WorkflowDefinitionError(`unterminated string in ${text}`);
      tokens.push({ kind: 'str', value: s });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'id', value: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (['==', '!=', '<=', '>='].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('+-*/%<>()[],.'.includes(c)) {
        tokens.push({ kind: 'op', value: c });
        i += 1;
      } else throw new WorkflowDefinitionError(`unexpected character ${c} in expression ${text}`);
    }
  }
  return tokens;
}

type Ast =
  | { t: 'lit'; v: Value }
  | { t: 'var'; name: string }
  | { t: 'member'; obj: Ast; key: string }
  | { t: 'index'; obj: Ast; key: Ast }
  | { t: 'call'; name: string; args: Ast[] }
  | { t: 'unary'; op: string; a: Ast }
  | { t: 'bin'; op: string; a: Ast; b: Ast };

class ExpressionParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): Ast {
    const ast = this.or();
    if (this.i !== this.tokens.length) throw new WorkflowDefinitionError(`unexpected token ${JSON.stringify(this.tokens[this.i])}`);
    return ast;
  }
  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return !!t && (t.kind === 'op' || t.kind === 'id') && t.value === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new WorkflowDefinitionError(`expected ${v}`);
    this.i += 1;
  }
  private or(): Ast {
    let a = this.and();
    while (this.isOp('or')) {
      this.i += 1;
      a = { t: 'bin', op: 'or', a, b: this.and() };
    }
    return a;
  }
  private and(): Ast {
    let a = this.not();
    while (this.isOp('and')) {
      this.i += 1;
      a = { t: 'bin', op: 'and', a, b: this.not() };
    }
    return a;
  }
  private not(): Ast {
    if (this.isOp('not')) {
      this.i += 1;
      return { t: 'unary', op: 'not', a: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Ast {
    let a = this.additive();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (this.isOp(op)) {
        this.i += 1;
        a = { t: 'bin', op, a, b: this.additive() };
        break;
      }
    }
    return a;
  }
  private additive(): Ast {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.tokens[this.i++]!.value as string;
      a = { t: 'bin', op, a, b: this.multiplicative() };
    }
    return a;
  }
  private multiplicative(): Ast {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.tokens[this.i++]!.value as string;
      a = { t: 'bin', op, a, b: this.unary() };
    }
    return a;
  }
  private unary(): Ast {
    if (this.isOp('-')) {
      this.i += 1;
      return { t: 'unary', op: '-', a: this.unary() };
    }
    return this.postfix();
  }
  private postfix(): Ast {
    let a = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i += 1;
        const t = this.tokens[this.i++];
        if (!t || t.kind !== 'id') throw new WorkflowDefinitionError('expected a name after .');
        a = { t: 'member', obj: a, key: t.value };
      } else if (this.isOp('[')) {
        this.i += 1;
        const key = this.or();
        this.expect(']');
        a = { t: 'index', obj: a, key };
      } else if (this.isOp('(')) {
        this.i += 1;
        const args: Ast[] = [];
        while (!this.isOp(')')) {
          args.push(this.or());
          if (!this.isOp(')')) this.expect(',');
        }
        this.expect(')');
        a = { t: 'call', name: dottedName(a), args };
      } else return a;
    }
  }
  private primary(): Ast {
    const t = this.tokens[this.i++];
    if (!t) throw new WorkflowDefinitionError('unexpected end of expression');
    if (t.kind === 'num' || t.kind === 'str') return { t: 'lit', v: t.value };
    if (t.kind === 'id') {
      const lower = t.value.toLowerCase();
      if (lower === 'true' || lower === 'false') return { t: 'lit', v: lower === 'true' };
      if (lower === 'null') return { t: 'lit', v: null };
      return { t: 'var', name: t.value };
    }
    if (t.value === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    throw new WorkflowDefinitionError(`unexpected token ${t.value}`);
  }
}

function dottedName(a: Ast): string {
  if (a.t === 'var') return a.name;
  if (a.t === 'member') return `${dottedName(a.obj)}.${a.key}`;
  throw new WorkflowDefinitionError('only named functions can be called');
}

interface EvalContext {
  variable(name: string): Value;
  call(name: string, args: Value[]): Value;
}

function evaluate(ast: Ast, ctx: EvalContext): Value {
  switch (ast.t) {
    case 'lit':
      return ast.v;
    case 'var':
      return ctx.variable(ast.name);
    case 'member':
      return access(evaluate(ast.obj, ctx), ast.key);
    case 'index':
      return access(evaluate(ast.obj, ctx), evaluate(ast.key, ctx) as string | number);
    case 'call':
      return ctx.call(ast.name, ast.args.map((a) => evaluate(a, ctx)));
    case 'unary': {
      const v = evaluate(ast.a, ctx);
      if (ast.op === 'not') return !truthy(v);
      if (typeof v !== 'number') throw new WorkflowRaise({ message: 'unary - on a non-number', tags: ['TypeError'] });
      return -v;
    }
    case 'bin': {
      if (ast.op === 'and') return truthy(evaluate(ast.a, ctx)) && truthy(evaluate(ast.b, ctx));
      if (ast.op === 'or') return truthy(evaluate(ast.a, ctx)) || truthy(evaluate(ast.b, ctx));
      const a = evaluate(ast.a, ctx);
      const b = evaluate(ast.b, ctx);
      switch (ast.op) {
        case '==':
          return JSON.stringify(a) === JSON.stringify(b);
        case '!=':
          return JSON.stringify(a) !== JSON.stringify(b);
        case '+':
          if (typeof a === 'string' && typeof b === 'string') return a + b;
          if (typeof a === 'number' && typeof b === 'number') return a + b;
          throw new WorkflowRaise({ message: `cannot add ${typeof a} and ${typeof b}`, tags: ['TypeError'] });
        default: {
          if (typeof a !== 'number' || typeof b !== 'number') throw new WorkflowRaise({ message: `${ast.op} needs numbers`, tags: ['TypeError'] });
          const ops: Record<string, (x: number, y: number) => Value> = {
            '-': (x, y) => x - y,
            '*': (x, y) => x * y,
            '/': (x, y) => x / y,
            '%': (x, y) => x % y,
            '<': (x, y) => x < y,
            '<=': (x, y) => x <= y,
            '>': (x, y) => x > y,
            '>=': (x, y) => x >= y,
          };
          return ops[ast.op]!(a, b);
        }
      }
    }
  }
}

function truthy(v: Value): boolean {
  if (typeof v !== 'boolean') throw new WorkflowRaise({ message: 'expected a boolean', tags: ['TypeError'] });
  return v;
}

function access(obj: Value | undefined, key: string | number): Value {
  if (Array.isArray(obj)) {
    if (typeof key !== 'number' || key < 0 || key >= obj.length) throw new WorkflowRaise({ message: `index ${key} out of range`, tags: ['IndexError'] });
    return obj[key]!;
  }
  if (obj !== null && typeof obj === 'object') {
    if (!(String(key) in obj)) throw new WorkflowRaise({ message: `key ${key} not found`, tags: ['KeyError'] });
    return obj[String(key)]!;
  }
  throw new WorkflowRaise({ message: `cannot read ${key} of ${JSON.stringify(obj)}`, tags: ['TypeError'] });
}

/** `a`, `a.b`, `a["b"]`, `a[0]` → ['a', 'b', ...]. */
function parseTarget(target: string, evaluateIndex: (e: string) => Value): (string | number)[] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(target);
  if (!m) throw new WorkflowDefinitionError(`bad assignment target ${target}`);
  const parts: (string | number)[] = [m[1]!];
  let rest = m[2]!;
  while (rest.length > 0) {
    const dot = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (dot) {
      parts.push(dot[1]!);
      rest = rest.slice(dot[0].length);
      continue;
    }
    const idx = /^\[([^\]]+)\]/.exec(rest);
    if (idx) {
      parts.push(evaluateIndex(idx[1]!) as string | number);
      rest = rest.slice(idx[0].length);
      continue;
    }
    throw new WorkflowDefinitionError(`bad assignment target ${target}`);
  }
  return parts;
}

function single(item: unknown, what: string): [string, unknown] {
  if (item === null || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length !== 1) {
    throw new WorkflowDefinitionError(`each ${what} must be a map with exactly one key: ${JSON.stringify(item)}`);
  }
  const [key, value] = Object.entries(item)[0]!;
  return [key, value];
}

function clone<T extends Value>(v: T): T {
  return v === null || typeof v !== 'object' ? v : (structuredClone(v) as T);
}
