// The parser: tokens -> AST. Expressions are parsed by precedence climbing; each stage's
// argument grammar belongs to its operator (src/operators/*), which gets this parser's
// small API (StageParser). The whole program is parsed before any input is read.

import { UsageError } from '../errors/errors.js';
import { caret, suggestion } from '../errors/diagnostic.js';
import type { BinaryOp, Expr, Named, Program, Span, StageNode } from './ast.js';
import { tokenize, type Token } from './lexer.js';

export interface StageParser {
  readonly text: string;
  peek(offset?: number): Token;
  next(): Token;
  /** at `|` or end of program: the stage's argument is complete */
  atStageEnd(): boolean;
  isKeyword(word: string): boolean;
  acceptKeyword(word: string): boolean;
  expectKeyword(word: string, what?: string): Token;
  accept(punct: string): boolean;
  expect(punct: string, what?: string): Token;
  expr(): Expr;
  /** EXPR [as NAME] */
  named(): Named;
  /** one or more `EXPR [as NAME]` separated by commas */
  namedList(): Named[];
  /** a field name: identifier, back-quoted name or string */
  name(what?: string): { name: string; span: Span };
  /** a field path such as a.b[0] or `odd name` */
  path(what?: string): Expr;
  number(what?: string): { value: number; span: Span };
  duration(what?: string): { ms: number; text: string; span: Span };
  string(what?: string): { value: string; span: Span };
  fail(message: string, span: Span): never;
  spanFrom(start: number): Span;
}

/** What the parser needs to know about operators; supplied by the registry. */
export interface StageGrammar {
  /** operator names and aliases -> canonical name and argument parser */
  lookup(word: string): { name: string; parse(p: StageParser): unknown } | undefined;
  /** an aggregate function name starting a stage with no keyword: `count() by x` */
  implicitStage(word: string): { name: string; parse(p: StageParser): unknown } | undefined;
  names(): Iterable<string>;
}

const BINARY: { [op: string]: { prec: number; op: BinaryOp } } = {
  '||': { prec: 2, op: '||' }, or: { prec: 2, op: '||' },
  '&&': { prec: 3, op: '&&' }, and: { prec: 3, op: '&&' },
  '==': { prec: 5, op: '==' }, '!=': { prec: 5, op: '!=' },
  '<': { prec: 5, op: '<' }, '<=': { prec: 5, op: '<=' }, '>': { prec: 5, op: '>' }, '>=': { prec: 5, op: '>=' },
  '=~': { prec: 5, op: '=~' }, '!~': { prec: 5, op: '!~' }, in: { prec: 5, op: 'in' },
  '??': { prec: 6, op: '??' },
  '+': { prec: 7, op: '+' }, '-': { prec: 7, op: '-' },
  '*': { prec: 8, op: '*' }, '/': { prec: 8, op: '/' }, '%': { prec: 8, op: '%' },
};

export const PRECEDENCE = { cond: 1, not: 4, unary: 9, postfix: 10 } as const;

/**
 * How deeply expressions may nest: parentheses, calls, `!`/`-`/`not`, `?:`, `.`/`[]` and chains
 * of the same operator all count, except chains of `&&` or of `||` (compiled flat, so a long
 * `a == 1 || a == 2 || …` is fine). Far beyond any hand-written program, and well inside what
 * the parser, the compiler and V8's own parser of the generated code can take.
 */
export const MAX_DEPTH = 256;

/** Is `child`, the left operand of `parent`, part of a flat `&&`/`||` chain? */
export function sameLogicalChain(parent: Expr, child: Expr): boolean {
  return parent.kind === 'binary' && (parent.op === '&&' || parent.op === '||') && child.kind === 'binary' && child.op === parent.op;
}

/** The nesting depth of an expression (a flat `&&`/`||` chain counts once); iterative, so any tree can be measured. */
export function exprDepth(root: Expr): { depth: number; deepest: Expr } {
  let best = { depth: 0, deepest: root };
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop()!;
    if (d > best.depth) best = { depth: d, deepest: e };
    switch (e.kind) {
      case 'member': stack.push([e.object, d + 1]); break;
      case 'index': stack.push([e.object, d + 1], [e.index, d + 1]); break;
      case 'unary': stack.push([e.operand, d + 1]); break;
      case 'binary': stack.push([e.left, sameLogicalChain(e, e.left) ? d : d + 1], [e.right, d + 1]); break;
      case 'cond': stack.push([e.test, d + 1], [e.then, d + 1], [e.else, d + 1]); break;
      case 'call': for (const a of e.args) stack.push([a, d + 1]); break;
      case 'array': for (const a of e.items) stack.push([a, d + 1]); break;
      case 'object': for (const en of e.entries) stack.push([en.value, d + 1]); break;
      case 'lambda': stack.push([e.body, d + 1]); break;
      default: break;
    }
  }
  return best;
}
export function binaryPrecedence(op: BinaryOp): number {
  return BINARY[op]!.prec;
}

class Parser implements StageParser {
  private pos = 0;
  /** how many nested expressions the parser is inside (guards its own recursion) */
  private nesting = 0;
  /** the parameters of the lambdas being parsed, innermost last */
  private readonly locals: string[] = [];
  constructor(readonly text: string, private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  atStageEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || (t.kind === 'punct' && t.text === '|');
  }
  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word;
  }
  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.next();
    return true;
  }
  expectKeyword(word: string, what?: string): Token {
    if (!this.isKeyword(word)) this.unexpected(what ?? `'${word}'`);
    return this.next();
  }
  accept(punct: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === punct) { this.next(); return true; }
    return false;
  }
  expect(punct: string, what?: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== punct) this.unexpected(what ?? `'${punct}'`);
    return this.next();
  }
  fail(message: string, span: Span): never {
    throw new UsageError(message, caret(this.text, span));
  }
  /** A program too deeply nested: the diagnostic shows the start of the place, not a line of 10,000 parentheses. */
  private tooDeep(at: number): never {
    const from = Math.max(0, at - 40);
    const excerpt = this.text.slice(from, at + 40).replace(/\s/g, ' ');
    throw new UsageError(
      `expression nested too deeply (more than ${MAX_DEPTH} levels of parentheses, calls, operators or fields)`,
      caret(excerpt, { start: at - from, end: at - from + 1 }),
    );
  }
  /** Parse a nested part, counting the nesting so that the parser's own recursion stays bounded. */
  private nested<T>(at: number, f: () => T): T {
    if (++this.nesting > MAX_DEPTH) this.tooDeep(at);
    try {
      return f();
    } finally {
      this.nesting--;
    }
  }
  spanFrom(start: number): Span {
    const prev = this.tokens[Math.max(0, this.pos - 1)]!;
    return { start, end: Math.max(start, prev.span.end) };
  }
  unexpected(expected: string): never {
    const t = this.peek();
    const found = t.kind === 'eof' ? 'end of program' : t.kind === 'string' ? `string "${t.text}"` : `'${this.text.slice(t.span.start, t.span.end)}'`;
    const span = t.kind === 'eof' ? { start: this.text.length, end: this.text.length + 1 } : t.span;
    this.fail(`expected ${expected}, found ${found}`, span);
  }

  name(what = 'a field name'): { name: string; span: Span } {
    const t = this.peek();
    if (t.kind === 'ident' || t.kind === 'qident' || t.kind === 'string') {
      this.next();
      return { name: t.text, span: t.span };
    }
    this.unexpected(what);
  }
  path(what = 'a field name'): Expr {
    const start = this.peek().span.start;
    const t = this.peek();
    if (t.kind !== 'ident' && t.kind !== 'qident' && t.kind !== 'string') this.unexpected(what);
    const e = this.postfix(this.primary());
    if (!isPath(e)) this.fail(`expected ${what}`, this.spanFrom(start));
    return e;
  }
  number(what = 'a number'): { value: number; span: Span } {
    const neg = this.peek().kind === 'punct' && this.peek().text === '-';
    const start = this.peek().span.start;
    if (neg) this.next();
    const t = this.peek();
    if (t.kind !== 'number') this.unexpected(what);
    this.next();
    return { value: neg ? -t.num : t.num, span: this.spanFrom(start) };
  }
  duration(what = 'a duration such as 10s, 5m or 1h'): { ms: number; text: string; span: Span } {
    const t = this.peek();
    if (t.kind !== 'duration') this.unexpected(what);
    this.next();
    return { ms: t.num, text: t.text, span: t.span };
  }
  string(what = 'a quoted string'): { value: string; span: Span } {
    const t = this.peek();
    if (t.kind !== 'string') this.unexpected(what);
    this.next();
    return { value: t.text, span: t.span };
  }

  named(): Named {
    const expr = this.expr();
    let alias: string | null = null;
    if (this.acceptKeyword('as')) alias = this.name('a name after `as`').name;
    return { expr, alias };
  }
  namedList(): Named[] {
    const items = [this.named()];
    while (this.accept(',')) items.push(this.named());
    return items;
  }

  expr(): Expr {
    const outermost = this.nesting === 0;
    const e = this.nested(this.peek().span.start, () => this.ternary());
    if (outermost) {
      const { depth, deepest } = exprDepth(e);
      if (depth > MAX_DEPTH) this.tooDeep(deepest.span.start);
    }
    return e;
  }

  private ternary(): Expr {
    const test = this.binary(2);
    if (!this.accept('?')) return test;
    const then = this.nested(this.peek().span.start, () => this.ternary());
    this.expect(':', "':' of the conditional `a ? b : c`");
    const other = this.nested(this.peek().span.start, () => this.ternary());
    return { kind: 'cond', test, then, else: other, span: { start: test.span.start, end: other.span.end } };
  }

  private binaryOp(): { prec: number; op: BinaryOp } | undefined {
    const t = this.peek();
    if (t.kind === 'punct' || t.kind === 'ident') return Object.hasOwn(BINARY, t.text) ? BINARY[t.text] : undefined;
    return undefined;
  }

  private binary(minPrec: number): Expr {
    let left = minPrec <= PRECEDENCE.not ? this.notExpr(minPrec) : this.unary();
    for (;;) {
      const info = this.binaryOp();
      if (!info || info.prec < minPrec) return left;
      this.next();
      const right = this.binary(info.prec + 1);
      left = { kind: 'binary', op: info.op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  /** `not` binds looser than comparisons, as in SQL: `not a == b` is `not (a == b)`. */
  private notExpr(minPrec: number): Expr {
    if (!this.isKeyword('not')) return this.unary();
    const start = this.next().span.start;
    const operand = this.nested(start, () => this.binary(Math.max(minPrec, PRECEDENCE.not + 1)));
    return { kind: 'unary', op: 'not', operand, span: { start, end: operand.span.end } };
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '!' || t.text === '-')) {
      this.next();
      const operand = this.nested(t.span.start, () => this.unary());
      if (t.text === '-' && operand.kind === 'lit' && typeof operand.value === 'number' && operand.text === undefined) {
        return { kind: 'lit', value: -operand.value, span: { start: t.span.start, end: operand.span.end } };
      }
      return { kind: 'unary', op: t.text, operand, span: { start: t.span.start, end: operand.span.end } };
    }
    if (t.kind === 'ident' && t.text === 'not') {
      this.next();
      const operand = this.nested(t.span.start, () => this.binary(PRECEDENCE.not + 1));
      return { kind: 'unary', op: 'not', operand, span: { start: t.span.start, end: operand.span.end } };
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.accept('.')) {
        const n = this.peek();
        if (n.kind !== 'ident' && n.kind !== 'qident' && n.kind !== 'number') this.unexpected('a field name after `.`');
        this.next();
        e = { kind: 'member', object: e, name: n.text, span: { start: e.span.start, end: n.span.end } };
      } else if (this.peek().kind === 'punct' && this.peek().text === '[') {
        this.next();
        const index = this.expr();
        const close = this.expect(']');
        e = { kind: 'index', object: e, index, span: { start: e.span.start, end: close.span.end } };
      } else {
        return e;
      }
    }
  }

  /** A call's argument: an expression, or a lambda `x => EXPR` (the compiler checks where one may stand). */
  private argument(): Expr {
    const t = this.peek();
    const arrow = this.peek(1);
    if (t.kind !== 'ident' || arrow.kind !== 'punct' || arrow.text !== '=>') return this.expr();
    if (['this', 'true', 'false', 'null', 'not', 'and', 'or', 'in'].includes(t.text)) this.fail(`'${t.text}' cannot name a lambda's parameter`, t.span);
    this.next();
    this.next();
    this.locals.push(t.text);
    try {
      const body = this.expr();
      return { kind: 'lambda', param: t.text, body, span: { start: t.span.start, end: body.span.end } };
    } finally {
      this.locals.pop();
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'lit', value: t.num, span: t.span };
      case 'duration':
        this.next();
        return { kind: 'lit', value: t.num, text: t.text, span: t.span };
      case 'string':
        this.next();
        return { kind: 'lit', value: t.text, span: t.span };
      case 'regex':
        this.next();
        return { kind: 'regex', source: t.text, flags: t.flags, span: t.span };
      case 'meta':
        this.next();
        return { kind: 'meta', name: t.text, span: t.span };
      case 'qident':
        this.next();
        return { kind: 'name', name: t.text, span: t.span };
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'lit', value: t.text === 'true', span: t.span };
        if (t.text === 'null') return { kind: 'lit', value: null, span: t.span };
        if (this.peek().kind === 'punct' && this.peek().text === '(') {
          this.next();
          const args: Expr[] = [];
          if (!this.accept(')')) {
            do args.push(this.argument()); while (this.accept(','));
            this.expect(')', "')' or ',' in the argument list");
          }
          return { kind: 'call', name: t.text, nameSpan: t.span, args, span: this.spanFrom(t.span.start) };
        }
        if (t.text === 'this') return { kind: 'this', span: t.span };
        if (this.locals.includes(t.text)) return { kind: 'local', name: t.text, span: t.span };
        return { kind: 'name', name: t.text, span: t.span };
      }
      case 'punct':
        if (t.text === '(') {
          this.next();
          const e = this.expr();
          this.expect(')');
          return e;
        }
        if (t.text === '[') {
          this.next();
          const items: Expr[] = [];
          if (!this.accept(']')) {
            do items.push(this.expr()); while (this.accept(','));
            this.expect(']', "']' or ',' in the array");
          }
          return { kind: 'array', items, span: this.spanFrom(t.span.start) };
        }
        if (t.text === '{') {
          this.next();
          const entries: { key: string; value: Expr }[] = [];
          if (!this.accept('}')) {
            do {
              const k = this.name('a key in the object');
              let value: Expr;
              if (this.accept(':')) value = this.expr();
              else value = { kind: 'name', name: k.name, span: k.span };
              entries.push({ key: k.name, value });
            } while (this.accept(','));
            this.expect('}', "'}' or ',' in the object");
          }
          return { kind: 'object', entries, span: this.spanFrom(t.span.start) };
        }
        break;
      default:
        break;
    }
    this.unexpected('an expression');
  }

  stage(grammar: StageGrammar): StageNode {
    const t = this.peek();
    const start = t.span.start;
    if (t.kind !== 'ident') this.unexpected('a stage such as where, select or count()');
    const isCall = this.peek(1).kind === 'punct' && this.peek(1).text === '(';
    const implicit = isCall ? grammar.implicitStage(t.text) : undefined;
    const spec = implicit ?? grammar.lookup(t.text);
    if (!spec) {
      if (grammar.implicitStage(t.text)) this.fail(`'${t.text}' is an aggregate: call it, as in ${t.text}() or ${t.text}() by FIELD`, t.span);
      const hint = suggestion(t.text, grammar.names());
      this.fail(`unknown stage '${t.text}'${hint}`, t.span);
    }
    if (!implicit) this.next();
    const args = spec.parse(this);
    if (!this.atStageEnd()) {
      const extra = this.peek();
      this.fail(`unexpected '${this.text.slice(extra.span.start, extra.span.end)}' after ${spec.name}; stages are separated by '|'`, extra.span);
    }
    return { op: spec.name, args, span: this.spanFrom(start) };
  }

  program(grammar: StageGrammar): StageNode[] {
    const stages: StageNode[] = [];
    if (this.peek().kind === 'eof') this.fail('empty program', { start: 0, end: 1 });
    for (;;) {
      stages.push(this.stage(grammar));
      if (this.peek().kind === 'eof') return stages;
      this.expect('|');
    }
  }
}

export function isPath(e: Expr): boolean {
  if (e.kind === 'name') return true;
  if (e.kind === 'member') return isPath(e.object);
  if (e.kind === 'index') return isPath(e.object) && e.index.kind === 'lit';
  return false;
}

export function parseProgram(text: string, grammar: StageGrammar): Program {
  const p = new Parser(text, tokenize(text));
  return { text, stages: p.program(grammar) };
}

/** Parse a standalone expression (function examples, tests, --key EXPR). */
export function parseExpression(text: string): Expr {
  const p = new Parser(text, tokenize(text));
  const e = p.expr();
  if (p.peek().kind !== 'eof') p.fail(`unexpected '${text.slice(p.peek().span.start, p.peek().span.end)}' after the expression`, p.peek().span);
  return e;
}
