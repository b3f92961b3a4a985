// The printer: AST -> canonical program text. It is the inverse of the parser (a property
// test checks print -> parse -> print is stable), names unnamed output columns
// (`select lower(name)` -> "lower(name)"), and shows the plan in --explain.

import type { Expr, Named } from './ast.js';
import { binaryPrecedence, PRECEDENCE } from './parser.js';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['true', 'false', 'null', 'not', 'and', 'or', 'in', 'as', 'by', 'this']);

/** The parameters of the lambdas being printed: a field of the same name is back-quoted there. */
const lambdaParams: string[] = [];

export function printName(name: string): string {
  return IDENT.test(name) && !RESERVED.has(name) ? name : '`' + name + '`';
}

/** Object keys and field names that are not identifiers are written as strings, which may hold any text. */
function printKey(name: string): string {
  return IDENT.test(name) && !RESERVED.has(name) ? name : printString(name);
}

export function printString(s: string): string {
  return JSON.stringify(s);
}

function precedence(e: Expr): number {
  switch (e.kind) {
    case 'cond': return PRECEDENCE.cond;
    case 'binary': return binaryPrecedence(e.op);
    case 'unary': return e.op === 'not' ? PRECEDENCE.not : PRECEDENCE.unary;
    case 'lit': return typeof e.value === 'number' && e.value < 0 ? PRECEDENCE.unary : PRECEDENCE.postfix;
    default: return PRECEDENCE.postfix;
  }
}

function wrap(e: Expr, min: number): string {
  const s = printExpr(e);
  return precedence(e) < min ? `(${s})` : s;
}

function printNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'lit':
      if (e.text !== undefined) return e.text;
      if (typeof e.value === 'string') return printString(e.value);
      if (typeof e.value === 'number') return printNumber(e.value);
      return JSON.stringify(e.value);
    case 'regex':
      return `/${e.source}/${e.flags}`;
    case 'name':
      return lambdaParams.includes(e.name) ? '`' + e.name + '`' : printName(e.name);
    case 'meta':
      return '@' + e.name;
    case 'member':
      return `${wrap(e.object, PRECEDENCE.postfix)}.${IDENT.test(e.name) ? e.name : '`' + e.name + '`'}`;
    case 'index':
      return `${wrap(e.object, PRECEDENCE.postfix)}[${printExpr(e.index)}]`;
    case 'unary':
      if (e.op === 'not') return `not ${wrap(e.operand, PRECEDENCE.not + 1)}`;
      return e.op + wrap(e.operand, PRECEDENCE.unary);
    case 'binary': {
      // the left operands of a chain (`a || b || c`) are walked in a loop: a chain may be long
      const p = binaryPrecedence(e.op);
      const tail: string[] = [];
      let left: Expr = e;
      while (left.kind === 'binary' && binaryPrecedence(left.op) === p) {
        tail.push(` ${left.op} ${wrap(left.right, p + 1)}`);
        left = left.left;
      }
      return wrap(left, p) + tail.reverse().join('');
    }
    case 'cond':
      return `${wrap(e.test, PRECEDENCE.cond + 1)} ? ${printExpr(e.then)} : ${printExpr(e.else)}`;
    case 'call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'array':
      return `[${e.items.map(printExpr).join(', ')}]`;
    case 'object':
      return `{${e.entries.map((en) => `${printKey(en.key)}: ${printExpr(en.value)}`).join(', ')}}`;
    case 'this':
      return 'this';
    case 'local':
      return e.name;
    case 'lambda':
      lambdaParams.push(e.param);
      try {
        return `${e.param} => ${printExpr(e.body)}`;
      } finally {
        lambdaParams.pop();
      }
  }
}

export function printNamed(n: Named): string {
  return n.alias === null ? printExpr(n.expr) : `${printExpr(n.expr)} as ${printName(n.alias)}`;
}

/** The output name of an unnamed column: a path prints as itself (`req.host`), others as their text. */
export function columnName(n: Named): string {
  if (n.alias !== null) return n.alias;
  return pathText(n.expr) ?? printExpr(n.expr);
}

/** `a.b[0]` -> "a.b[0]" without back-quotes (for output names), or null when not a path. */
export function pathText(e: Expr): string | null {
  switch (e.kind) {
    case 'name': return e.name;
    case 'member': {
      const o = pathText(e.object);
      return o === null ? null : `${o}.${e.name}`;
    }
    case 'index': {
      const o = pathText(e.object);
      return o === null || e.index.kind !== 'lit' ? null : `${o}[${JSON.stringify(e.index.value)}]`;
    }
    default: return null;
  }
}
