// The compiler: AST -> JavaScript source -> closure, once per program. Names, arity and
// constant arguments are resolved here so that nothing is decided per record.
//
// Security boundary: the generated source is assembled only from fixed fragments of this
// file, numbers the lexer produced, and JSON.stringify'd field names and strings; regexes,
// functions and other constants are passed in by reference (C[i]). No user text is ever
// evaluated as JavaScript. Field names that collide with Object.prototype (`constructor`,
// `__proto__`, ...) are read through an own-property check.

import { constants as bufferConstants } from 'node:buffer';
import { UsageError } from '../errors/errors.js';
import { caret, suggestion } from '../errors/diagnostic.js';
import type { Event, Value } from '../core/event.js';
import type { Expr, Span } from './ast.js';
import type { FnContext, TableResolver } from './function-types.js';
import { timestampParser } from '../time/timestamp.js';
import { functions } from './functions.js';
import { tryUserRegex, userRegex } from './regex.js';
import { compareValues, looseEqual, numericString, truthy, type Maybe } from './values.js';

export type Compiled = (r: Value, ev: Event) => Maybe;

export interface CompileEnv {
  /** the program text, for diagnostics */
  text: string;
  /** counts wrong-type values (for --stats) */
  typeError: () => void;
  /** names that are aggregate functions (to explain their misuse) */
  aggregateNames: ReadonlySet<string>;
  /** zone for timestamps without one in time functions (--tz); UTC when absent */
  tz?: string;
  /** --time-format: time functions read text stamps with exactly this strftime format */
  timeFormat?: string;
  /** --arg/--argjson values: `$NAME` is one of these when given, else the field named `$NAME` */
  vars?: ReadonlyMap<string, Value>;
  /** lookup tables by name (`join FILE … as NAME`), for lookup() */
  tables?: TableResolver;
}

export const META_NAMES = ['file', 'line', 'offset', 'partition', 'topic', 'key', 'headers', 'timestamp'] as const;

const META_CODE: { [name: string]: string } = {
  file: 'ev.source.name',
  line: 'ev.line',
  offset: '(ev.offset >= 0 ? ev.offset : null)',
  partition: '(ev.partition >= 0 ? ev.partition : null)',
  topic: '(ev.source.topic ?? null)',
  key: 'ev.key',
  headers: 'ev.headers',
  timestamp: 'ev.timestamp',
};

const EMPTY: Readonly<Record<string, never>> = Object.freeze(Object.create(null) as Record<string, never>);

/** Names that would read through to Object.prototype on a plain object. */
/** The running stage's functions (operators/running.ts): not expression functions, but a user may write them as such. */
const RUNNING_VALUES = new Set(['prev', 'delta', 'running_sum', 'running_count']);

export function isUnsafeKey(k: string): boolean {
  return k === '__proto__' || k in Object.prototype;
}

function own(o: object, k: string): Maybe {
  return Object.hasOwn(o, k) ? (o as { [k: string]: Value })[k] : undefined;
}

/** The runtime helpers referenced by generated code as H.x. */
function helpers(typeError: () => void) {
  const numberOf = (v: Maybe): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return numericString(v);
    return NaN;
  };
  const arith = (a: Maybe, b: Maybe, f: (x: number, y: number) => number): Value => {
    if (a === null || a === undefined || b === null || b === undefined) return null;
    const x = numberOf(a);
    const y = numberOf(b);
    if (Number.isNaN(x) || Number.isNaN(y)) { typeError(); return null; }
    const r = f(x, y);
    return Number.isFinite(r) ? r : null;
  };
  return {
    own,
    truthy,
    get(v: Maybe, k: string): Maybe {
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { [k: string]: Value })[k] : undefined;
    },
    getUnsafe(v: Maybe, k: string): Maybe {
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? own(v, k) : undefined;
    },
    idx(v: Maybe, i: Maybe): Maybe {
      if (Array.isArray(v)) {
        if (typeof i !== 'number' || !Number.isInteger(i)) return i === null || i === undefined ? undefined : (typeError(), undefined);
        return v[i < 0 ? v.length + i : i];
      }
      if (typeof v === 'object' && v !== null && typeof i === 'string') return own(v, i);
      if (v !== null && v !== undefined && i !== null && i !== undefined) typeError();
      return undefined;
    },
    n(v: Maybe): Value {
      return v === undefined ? null : v;
    },
    eq(a: Maybe, b: Maybe): boolean {
      if (a === null || a === undefined || b === null || b === undefined) return false;
      return looseEqual(a, b);
    },
    ne(a: Maybe, b: Maybe): boolean {
      if (a === null || a === undefined || b === null || b === undefined) return false;
      return !looseEqual(a, b);
    },
    cmp(a: Maybe, b: Maybe): number | null {
      return compareValues(a, b, typeError);
    },
    add(a: Maybe, b: Maybe): Value {
      if (typeof a === 'string' && typeof b === 'string') {
        // past the engine's longest string `a + b` would throw: a value it cannot hold, so null
        if (a.length + b.length > bufferConstants.MAX_STRING_LENGTH) { typeError(); return null; }
        return a + b;
      }
      return arith(a, b, (x, y) => x + y);
    },
    sub: (a: Maybe, b: Maybe) => arith(a, b, (x, y) => x - y),
    mul: (a: Maybe, b: Maybe) => arith(a, b, (x, y) => x * y),
    div: (a: Maybe, b: Maybe) => arith(a, b, (x, y) => x / y),
    mod: (a: Maybe, b: Maybe) => arith(a, b, (x, y) => x % y),
    neg(a: Maybe): Value {
      if (a === null || a === undefined) return null;
      const x = numberOf(a);
      if (Number.isNaN(x)) { typeError(); return null; }
      return -x;
    },
    isIn(a: Maybe, b: Maybe): boolean {
      if (a === null || a === undefined || b === null || b === undefined) return false;
      if (Array.isArray(b)) return b.some((x) => looseEqual(a, x));
      if (typeof b === 'string') {
        if (typeof a === 'string') return b.includes(a);
        typeError();
        return false;
      }
      if (typeof b === 'object') {
        if (typeof a === 'string') return Object.hasOwn(b, a);
        typeError();
        return false;
      }
      typeError();
      return false;
    },
    match(a: Maybe, re: RegExp): boolean {
      if (typeof a === 'string') return re.test(a);
      if (typeof a === 'number' || typeof a === 'boolean') return re.test(String(a));
      if (a !== null && a !== undefined) typeError();
      return false;
    },
    matchDyn(a: Maybe, p: Maybe, cache: Map<string, RegExp | null>): boolean {
      if (typeof p !== 'string') { if (p !== null && p !== undefined) typeError(); return false; }
      let re = cache.get(p);
      if (re === undefined) {
        re = tryUserRegex(p);
        if (cache.size > 1000) cache.clear();
        cache.set(p, re);
      }
      if (re === null) { typeError(); return false; }
      return this.match(a, re);
    },
    obj(keys: string[], vals: Maybe[]): Value {
      const o: { [k: string]: Value } = {};
      for (let i = 0; i < keys.length; i++) {
        const v = vals[i];
        Object.defineProperty(o, keys[i]!, { value: v === undefined ? null : v, enumerable: true, writable: true, configurable: true });
      }
      return o;
    },
  };
}

type Helpers = ReturnType<typeof helpers>;

const CMP_OPS = new Set(['<', '<=', '>', '>=']);

class CodeGen {
  readonly consts: unknown[] = [];
  private temps = 0;
  usesRecord = false;
  /** lambda parameters in scope -> their JavaScript names, innermost last */
  private readonly scope: { name: string; js: string }[] = [];
  private lambdas = 0;

  constructor(private readonly env: CompileEnv) {}

  fail(message: string, span: Span): never {
    throw new UsageError(message, caret(this.env.text, span));
  }

  constant(v: unknown): string {
    let i = this.consts.indexOf(v);
    if (i < 0) { i = this.consts.length; this.consts.push(v); }
    return `C${i}`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  tempDecl(): string {
    if (this.temps === 0) return '';
    return 'let ' + Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ') + ';';
  }

  literal(v: Value): string {
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? `(${String(v)})` : this.constant(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (v === null || typeof v === 'boolean') return String(v);
    return this.constant(v);
  }

  /** Does this expression always produce a boolean? (then `where` needs no truthiness test) */
  isBoolean(e: Expr): boolean {
    if (e.kind === 'binary') return ['==', '!=', '<', '<=', '>', '>=', '=~', '!~', 'in', '&&', '||'].includes(e.op);
    if (e.kind === 'unary') return e.op !== '-';
    return e.kind === 'lit' && typeof e.value === 'boolean';
  }

  bool(e: Expr): string {
    return this.isBoolean(e) ? this.gen(e) : `H.truthy(${this.gen(e)})`;
  }

  gen(e: Expr): string {
    switch (e.kind) {
      case 'lit':
        return this.literal(e.value);
      case 'regex':
        return this.constant(this.regex(e.source, e.flags, e.span));
      case 'name':
        if (e.name.startsWith('$') && this.env.vars?.has(e.name.slice(1))) return this.literal(this.env.vars.get(e.name.slice(1))!);
        this.usesRecord = true;
        return isUnsafeKey(e.name) ? `H.own(o, ${JSON.stringify(e.name)})` : `o[${JSON.stringify(e.name)}]`;
      case 'meta': {
        const code = Object.hasOwn(META_CODE, e.name) ? META_CODE[e.name] : undefined;
        if (code === undefined) this.fail(`unknown metadata '@${e.name}'${suggestion(e.name, META_NAMES)} (known: ${META_NAMES.map((m) => '@' + m).join(' ')})`, e.span);
        return code;
      }
      case 'member':
        return `H.${isUnsafeKey(e.name) ? 'getUnsafe' : 'get'}(${this.gen(e.object)}, ${JSON.stringify(e.name)})`;
      case 'index':
        return `H.idx(${this.gen(e.object)}, ${this.gen(e.index)})`;
      case 'unary':
        if (e.op === '-') return `H.neg(${this.gen(e.operand)})`;
        return `(!${this.bool(e.operand)})`;
      case 'cond':
        return `(${this.bool(e.test)} ? ${this.gen(e.then)} : ${this.gen(e.else)})`;
      case 'array':
        return `[${e.items.map((i) => `H.n(${this.gen(i)})`).join(', ')}]`;
      case 'object': {
        const keys = e.entries.map((en) => en.key);
        const seen = new Set<string>();
        for (const en of e.entries) {
          if (seen.has(en.key)) this.fail(`duplicate key '${en.key}' in object`, en.value.span);
          seen.add(en.key);
        }
        if (keys.includes('__proto__')) return `H.obj(${this.constant(keys)}, [${e.entries.map((en) => this.gen(en.value)).join(', ')}])`;
        return `{${e.entries.map((en) => `${JSON.stringify(en.key)}: H.n(${this.gen(en.value)})`).join(', ')}}`;
      }
      case 'call':
        return this.call(e);
      case 'binary':
        return this.binary(e);
      case 'this':
        return 'r';
      case 'local': {
        for (let i = this.scope.length - 1; i >= 0; i--) if (this.scope[i]!.name === e.name) return this.scope[i]!.js;
        return this.fail(`'${e.name}' is not a lambda parameter here`, e.span);
      }
      case 'lambda':
        this.fail('a lambda `x => EXPR` can only be the last argument of map() or filter()', e.span);
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>): string {
    const { op, left, right } = e;
    switch (op) {
      case '&&': case '||': {
        // a chain `a || b || c` is written flat, so that a long one neither recurses here nor
        // nests in the generated code (the parser bounds every other kind of nesting)
        const rights: Expr[] = [];
        let base: Expr = e;
        while (base.kind === 'binary' && base.op === op) { rights.push(base.right); base = base.left; }
        rights.reverse();
        return `(${[base, ...rights].map((x) => this.bool(x)).join(` ${op} `)})`;
      }
      case '??': return `(${this.gen(left)} ?? ${this.gen(right)})`;
      case '==': case '!=': {
        // `x == null` / `x != null` test for a missing or null value; any other comparison
        // involving a null value is false (SQL)
        const isNullLit = (e: Expr) => e.kind === 'lit' && e.value === null;
        if (isNullLit(left) || isNullLit(right)) {
          const other = isNullLit(left) ? right : left;
          const t = this.temp();
          const test = `((${t} = ${this.gen(other)}) === null || ${t} === undefined)`;
          return op === '==' ? test : `(!${test})`;
        }
        return `H.${op === '==' ? 'eq' : 'ne'}(${this.gen(left)}, ${this.gen(right)})`;
      }
      case 'in': return `H.isIn(${this.gen(left)}, ${this.gen(right)})`;
      case '=~': case '!~': {
        const t = this.temp();
        const subject = this.gen(left);
        let m: string;
        if (right.kind === 'regex' || (right.kind === 'lit' && typeof right.value === 'string')) {
          const re = right.kind === 'regex' ? this.regex(right.source, right.flags, right.span) : this.regex(right.value as string, '', right.span);
          m = `H.match(${t}, ${this.constant(re)})`;
        } else {
          m = `H.matchDyn(${t}, ${this.gen(right)}, ${this.constant(new Map())})`;
        }
        // like every comparison with null, both `=~` and `!~` are false for a null subject
        return op === '=~' ? `((${t} = ${subject}), ${m})` : `((${t} = ${subject}) === null || ${t} === undefined ? false : !${m})`;
      }
      case '+': case '-': case '*': case '/': case '%': {
        const a = this.temp();
        const b = this.temp();
        const name = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod' }[op];
        const fast = op === '/' || op === '%' ? `${b} !== 0 && ` : '';
        return `((${a} = ${this.gen(left)}), (${b} = ${this.gen(right)}), typeof ${a} === 'number' && typeof ${b} === 'number' && ${fast}true ? ${a} ${op} ${b} : H.${name}(${a}, ${b}))`;
      }
      default: {
        if (!CMP_OPS.has(op)) throw new Error(`unhandled operator ${op}`);
        // fast path for the common `field OP number` shape
        if (right.kind === 'lit' && typeof right.value === 'number' && Number.isFinite(right.value)) {
          const t = this.temp();
          const c = this.temp();
          const lit = this.literal(right.value);
          return `((${t} = ${this.gen(left)}), typeof ${t} === 'number' ? ${t} ${op} ${lit} : ((${c} = H.cmp(${t}, ${lit})) !== null && ${c} ${op} 0))`;
        }
        const c = this.temp();
        return `((${c} = H.cmp(${this.gen(left)}, ${this.gen(right)})) !== null && ${c} ${op} 0)`;
      }
    }
  }

  /** A pattern from the program, checked to run in linear time (src/lang/regex.ts). */
  regex(source: string, flags: string, span: Span): RegExp {
    try {
      return userRegex(source, flags);
    } catch (err) {
      this.fail((err as Error).message, span);
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>): string {
    const spec = functions.get(e.name);
    if (!spec) {
      if (this.env.aggregateNames.has(e.name)) {
        this.fail(`'${e.name}' is an aggregate function; use it as a stage, e.g. \`${e.name}(x) by key\``, e.nameSpan);
      }
      if (RUNNING_VALUES.has(e.name)) {
        this.fail(`'${e.name}' is a running value; use the running stage, e.g. \`running ${e.name}(${e.name === 'running_count' ? '' : 'x'}) as NAME by key\``, e.nameSpan);
      }
      this.fail(`unknown function '${e.name}'${suggestion(e.name, functions.keys())}`, e.nameSpan);
    }
    const n = e.args.length;
    if (n < spec.minArgs || n > spec.maxArgs) {
      const want = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
      this.fail(`${e.name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${n}: ${spec.usage}`, e.span);
    }
    let impl = spec.impl;
    let callArgs = e.args;
    if (spec.withTable) {
      const a = e.args[0]!;
      const name = a.kind === 'name' ? a.name : a.kind === 'lit' && typeof a.value === 'string' ? a.value : null;
      if (name === null) this.fail(`${e.name}(): the first argument is the name of a table, as in \`join owners.csv on service as owners\``, a.span);
      const table = this.env.tables?.get(name);
      if (table === undefined) {
        const known = [...(this.env.tables?.names() ?? [])];
        const hint = suggestion(name, known);
        this.fail(`${e.name}(): no table named '${name}'${hint || `; a table is named by \`join FILE on KEY as ${name}\` in the program`}`, a.span);
      }
      impl = spec.withTable(table);
      callArgs = e.args.slice(1);
    } else if (spec.specialize) {
      const consts = e.args.map((a) => (a.kind === 'lit' ? a.value : a.kind === 'regex' ? (this.regex(a.source, a.flags, a.span) as unknown as Value) : undefined));
      try {
        impl = spec.specialize(consts) ?? impl;
      } catch (err) {
        this.fail(`${e.name}(): ${(err as Error).message}`, e.span);
      }
    }
    const last = e.args[n - 1];
    if (spec.lambda && last?.kind !== 'lambda') this.fail(`${e.name}() takes a lambda as its last argument: ${spec.usage}`, (last ?? e).span);
    const args = callArgs.map((a, i) => (spec.lambda && i === callArgs.length - 1 ? this.lambda(a as Extract<Expr, { kind: 'lambda' }>) : this.gen(a)));
    return `${this.constant(impl)}(F${args.map((a) => ', ' + a).join('')})`;
  }

  /** `x => EXPR` as a JavaScript arrow function whose parameter has a name no field can take. */
  private lambda(e: Extract<Expr, { kind: 'lambda' }>): string {
    const js = `L${this.lambdas++}`;
    this.scope.push({ name: e.param, js });
    try {
      return `((${js}) => ${this.gen(e.body)})`;
    } finally {
      this.scope.pop();
    }
  }
}

function fnContext(env: CompileEnv): FnContext {
  let readTime: (v: Value | undefined) => number | null;
  try {
    readTime = timestampParser({ tz: env.tz });
  } catch (e) {
    throw new UsageError(`--tz: ${(e as Error).message}`);
  }
  if (env.timeFormat !== undefined) {
    let formatted: (v: Value | undefined) => number | null;
    try {
      formatted = timestampParser({ tz: env.tz, format: env.timeFormat });
    } catch (e) {
      throw new UsageError(`--time-format: ${(e as Error).message}`);
    }
    // text is read with exactly the format; a number the format does not read is an epoch number (@timestamp)
    const epoch = readTime;
    readTime = (v) => {
      const t = formatted(v);
      return t === null && typeof v === 'number' ? epoch(v) : t;
    };
  }
  return { typeError: env.typeError, now: () => Date.now(), readTime, tz: env.tz };
}

function build(gen: CodeGen, body: string, h: Helpers, fnCtx: FnContext): Compiled {
  const constDecl = gen.consts.map((_, i) => `const C${i} = C[${i}];`).join('\n');
  const recordDecl = gen.usesRecord ? "const o = (typeof r === 'object' && r !== null && !Array.isArray(r)) ? r : EMPTY;" : '';
  const source = `"use strict";\n${constDecl}\nreturn function compiled(r, ev) {\n${recordDecl}\n${gen.tempDecl()}\nreturn ${body};\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('H', 'C', 'F', 'EMPTY', source) as (h: Helpers, c: unknown[], f: FnContext, empty: object) => Compiled;
  return factory(h, gen.consts, fnCtx, EMPTY);
}

export interface ExprCompiler {
  /** compile to a closure returning the expression's value (undefined = missing) */
  value(e: Expr): Compiled;
  /** compile to a closure returning the expression's truthiness */
  predicate(e: Expr): (r: Value, ev: Event) => boolean;
  /** the generated JavaScript for an expression (for --explain and tests) */
  source(e: Expr): string;
}

export function exprCompiler(env: CompileEnv): ExprCompiler {
  const h = helpers(env.typeError);
  const fnCtx = fnContext(env);
  return {
    value(e) {
      const g = new CodeGen(env);
      return build(g, g.gen(e), h, fnCtx);
    },
    predicate(e) {
      const g = new CodeGen(env);
      return build(g, g.bool(e), h, fnCtx) as (r: Value, ev: Event) => boolean;
    },
    source(e) {
      return new CodeGen(env).gen(e);
    },
  };
}
