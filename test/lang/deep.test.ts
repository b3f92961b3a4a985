// Deep programs (issue #16 item 9): nesting beyond MAX_DEPTH is a program error (exit 2) with a
// message, never a stack overflow; long `&&`/`||` chains are not nesting and work.
import { describe, expect, it } from 'vitest';
import { exprCompiler } from '../../src/lang/compiler.js';
import { MAX_DEPTH, parseExpression } from '../../src/lang/parser.js';
import { printExpr } from '../../src/lang/print.js';
import { makeEvent, type Value } from '../../src/core/event.js';
import { UsageError } from '../../src/errors/errors.js';

function evaluate(text: string, record: Value = {}): Value | undefined {
  const c = exprCompiler({ text, typeError: () => {}, aggregateNames: new Set() });
  const fn = c.value(parseExpression(text));
  return fn(record, makeEvent(record, undefined, { name: 'f.ndjson' }, 1, 0));
}

const rep = (s: string, n: number) => s.repeat(n);
const shapes: [string, (n: number) => string][] = [
  ['parentheses', (n) => rep('(', n) + 'a' + rep(')', n)],
  ['!', (n) => rep('!', n) + 'a'],
  ['not', (n) => rep('not ', n) + 'a'],
  ['unary -', (n) => rep('- ', n) + 'a'],
  ['ternaries', (n) => rep('a ? ', n) + '1' + rep(' : 0', n)],
  ['calls', (n) => rep('abs(', n) + 'a' + rep(')', n)],
  ['arrays', (n) => rep('[', n) + 'a' + rep(']', n)],
  ['a + chain', (n) => Array.from({ length: n }, () => 'a').join(' + ')],
  ['fields', (n) => 'a' + rep('.b', n)],
  ['indexes', (n) => 'a' + rep('[0]', n)],
];

describe('deep programs', () => {
  it.each(shapes)('%s nested to MAX_DEPTH compile and run', (_name, make) => {
    const text = make(MAX_DEPTH - 2);
    expect(() => evaluate(text, { a: 1 })).not.toThrow();
  });

  it.each(shapes)('%s nested 50,000 deep: a program error, not a stack overflow', (_name, make) => {
    const err = (() => {
      try {
        parseExpression(make(50_000));
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^expression nested too deeply \(more than 256 levels/);
    // the diagnostic shows an excerpt, not the whole 50,000-level line
    expect((err as UsageError).detail.length).toBeLessThan(200);
  });

  it('a chain of 5,000 || terms compiles flat, runs, and prints back', () => {
    const text = Array.from({ length: 5_000 }, (_, i) => `a == ${i}`).join(' || ');
    expect(evaluate(text, { a: 4_999 })).toBe(true);
    expect(evaluate(text, { a: -1 })).toBe(false);
    expect(printExpr(parseExpression(text))).toBe(text);
    const and = Array.from({ length: 5_000 }, (_, i) => `a != ${i}`).join(' and ');
    expect(evaluate(and, { a: -1 })).toBe(true);
    expect(evaluate(and, { a: 7 })).toBe(false);
  });

  it('a chain nested inside another counts its own depth', () => {
    // (x || y) && z: the || inside parentheses is a new chain, one level deeper
    expect(evaluate('(a == 1 || a == 2) && b == 3', { a: 2, b: 3 })).toBe(true);
    expect(evaluate('a == 1 || a == 2 && b == 3', { a: 1, b: 0 })).toBe(true);
  });
});

describe('values past the engine limits', () => {
  function run(text: string, record: Value) {
    const counter = { n: 0 };
    const c = exprCompiler({ text, typeError: () => counter.n++, aggregateNames: new Set() });
    const v = c.value(parseExpression(text))(record, makeEvent(record, undefined, { name: 'f.ndjson' }, 1, 0));
    return { v, typeErrors: counter.n };
  }
  // built by doubling, a rope of 2^28 characters costs almost no memory
  let big = 'ab';
  while (big.length < 2 ** 28) big += big;

  it('s + s longer than the longest string is a counted null', () => {
    expect(run('s + s', { s: big })).toEqual({ v: null, typeErrors: 1 });
    expect(run('len(s + "x")', { s: 'ab' })).toEqual({ v: 3, typeErrors: 0 });
  });

  it('join past the longest string is a counted null', () => {
    expect(run('join([s, s, s], "")', { s: big })).toEqual({ v: null, typeErrors: 1 });
  });
});
