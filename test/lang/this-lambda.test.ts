// `this` (the whole record, whatever its type) and lambdas `x => EXPR` as the last argument of
// map() and filter(): parsing, printing, compiling, and the errors where they do not fit.

import { describe, expect, it } from 'vitest';
import { exprCompiler } from '../../src/lang/compiler.js';
import { parseExpression } from '../../src/lang/parser.js';
import { printExpr } from '../../src/lang/print.js';
import { makeEvent, type Value } from '../../src/core/event.js';

function evaluate(text: string, record: Value, counter = { n: 0 }): Value | undefined {
  const c = exprCompiler({ text, typeError: () => counter.n++, aggregateNames: new Set(['sum']) });
  return c.value(parseExpression(text))(record, makeEvent(record, undefined, { name: '-' }, 1, 0));
}

describe('this', () => {
  it.each<[string, Value, Value | undefined]>([
    ['this', 7, 7],
    ['this > 5', 7, true],
    ['this > 5', 3, false],
    ['this * 2', 21, 42],
    ['this[0]', ['a', 1], 'a'],
    ['this[-1]', ['a', 1], 1],
    ['this.a', { a: 2 }, 2],
    ['type(this)', 'x', 'string'],
    ['len(this)', [1, 2, 3], 3],
    ['this', null, null],
  ])('%s of %j', (text, record, want) => {
    expect(evaluate(text, record)).toEqual(want);
  });

  it('a field named this is reached with back-quotes', () => {
    expect(evaluate('`this`', { this: 1 })).toBe(1);
    expect(printExpr(parseExpression('`this`'))).toBe('`this`');
    expect(printExpr(parseExpression('this'))).toBe('this');
  });

  it('fields of a record that is not an object are null, not an error', () => {
    const counter = { n: 0 };
    expect(evaluate('a', [1, 2], counter)).toBeUndefined();
    expect(counter.n).toBe(0);
  });
});

describe('lambdas', () => {
  it('bind their parameter in the body, and the record stays reachable', () => {
    expect(evaluate('map(items, x => x.price * 2)', { items: [{ price: 1 }, { price: 2.5 }] })).toEqual([2, 5]);
    expect(evaluate('filter(items, x => x > limit)', { items: [1, 5, 9], limit: 4 })).toEqual([5, 9]);
    expect(evaluate('map(this, x => x + 1)', [1, 2])).toEqual([2, 3]);
  });

  it('nest, an inner parameter shadowing an outer one', () => {
    expect(evaluate('map(rows, r => map(r, x => x * 10))', { rows: [[1], [2, 3]] })).toEqual([[10], [20, 30]]);
    expect(evaluate('map(rows, x => map(x, x => x + 1))', { rows: [[1], [2]] })).toEqual([[2], [3]]);
  });

  it('print back as they were written', () => {
    const text = 'map(items, x => x.price * 2)';
    expect(printExpr(parseExpression(text))).toBe(text);
  });

  it('leave a field named like the parameter reachable with back-quotes, and print it so', () => {
    const text = 'map(items, x => x * `x`)';
    expect(evaluate(text, { items: [2, 3], x: 10 })).toEqual([20, 30]);
    expect(printExpr(parseExpression(text))).toBe(text);
    expect(printExpr(parseExpression('x + map(xs, x => x)'))).toBe('x + map(xs, x => x)');
  });

  it('are a program error anywhere but the last argument of map or filter', () => {
    expect(() => evaluate('lower(x => x)', {})).toThrow(/lambda .* only be the last argument/);
    expect(() => evaluate('map(items, 2)', {})).toThrow(/map\(\) takes a lambda as its last argument/);
    expect(() => evaluate('map(true => 1, items)', {})).toThrow(/cannot name a lambda's parameter/);
  });
});
