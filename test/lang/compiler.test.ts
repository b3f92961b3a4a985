import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exprCompiler } from '../../src/lang/compiler.js';
import { parseExpression } from '../../src/lang/parser.js';
import { makeEvent, type Value } from '../../src/core/event.js';

function evaluate(text: string, record: Value = {}, counter = { n: 0 }): Value | undefined {
  const c = exprCompiler({ text, typeError: () => counter.n++, aggregateNames: new Set(['avg', 'count']) });
  const fn = c.value(parseExpression(text));
  return fn(record, makeEvent(record, undefined, { name: 'f.ndjson' }, 7, 1714564800000));
}

const rec = { status: 503, s: '500', name: 'Ann', tags: ['a', 'b'], req: { host: 'x.io', 'odd key': 1 }, n: null, zero: 0, t: true };

describe('compiled expressions', () => {
  const table: [string, Value | undefined][] = [
    ['status >= 500', true],
    ['status < 500', false],
    ['s >= 500', true], // numeric string compares as number
    ['s == 500', true],
    ['missing > 1', false],
    ['missing < 1', false],
    ['missing == null', true],
    ['missing != null', false],
    ['status != null', true],
    ['n == null', true],
    ['missing == missing2', false],
    ['missing != 1', false],
    ['n != 1', false],
    ['null == null', true],
    ['null != missing', false],
    ['status != 1', true],
    ['name == "Ann"', true],
    ['name > 5', false],
    ['req.host', 'x.io'],
    ['req.`odd key`', 1],
    ['req["odd key"]', 1],
    ['req.nope.deeper', undefined],
    ['tags[0]', 'a'],
    ['tags[-1]', 'b'],
    ['tags[5]', undefined],
    ['tags.length', undefined], // arrays have no fields
    ['name.length', undefined],
    ['status + 1', 504],
    ['s + 1', 501],
    ['name + "!"', 'Ann!'],
    ['name + 1', null],
    ['missing + 1', null],
    ['10 / 4', 2.5],
    ['1 / 0', null],
    ['7 % 0', null],
    ['7 % 3', 1],
    ['-status', -503],
    ['status > 500 && name == "Ann"', true],
    ['status > 500 and not t', false],
    ['missing || "x"', true],
    ['!missing', true],
    ['not zero', true],
    ['missing ?? "dflt"', 'dflt'],
    ['n ?? 3', 3],
    ['zero ?? 3', 0],
    ['status > 500 ? "bad" : "ok"', 'bad'],
    ['"a" in tags', true],
    ['"z" in tags', false],
    ['"host" in req', true],
    ['"nn" in name', true],
    ['missing in tags', false],
    ['name =~ /^a/i', true],
    ['name =~ "^A"', true],
    ['name !~ /^a/', true],
    ['missing =~ /x/', false],
    ['missing !~ /x/', false],
    ['status =~ /^5/', true],
    ['[1, missing]', [1, null]],
    ['{a: status, b: missing}', { a: 503, b: null }],
    ['1h', 3_600_000],
    ['250ms * 4', 1000],
    ['@file', 'f.ndjson'],
    ['@line', 7],
    ['@offset', null],
    ['@timestamp', 1714564800000],
    ['constructor', undefined],
    ['__proto__', undefined],
    ['toString', undefined],
    ['req.constructor', undefined],
    ['req.__proto__', undefined],
  ];
  it.each(table)('%s', (text, want) => {
    expect(evaluate(text, rec)).toEqual(want);
  });

  it('counts wrong types and gives null, never throws', () => {
    const counter = { n: 0 };
    expect(evaluate('name * 2', rec, counter)).toBe(null);
    expect(evaluate('name > 5', rec, counter)).toBe(false);
    expect(evaluate('tags["x"]', rec, counter)).toBe(undefined);
    expect(counter.n).toBe(3);
    // a null is not a wrong type
    expect(evaluate('missing * 2', rec, counter)).toBe(null);
    expect(counter.n).toBe(3);
  });

  it('non-object records are treated as having no fields', () => {
    expect(evaluate('x', 5)).toBe(undefined);
    expect(evaluate('x == null', [1, 2])).toBe(true);
  });

  it('never throws on random data', () => {
    const exprs = ['a + b', 'a * b - c', 'a > b', 'a[b]', 'a.b.c', 'a =~ /x/', 'a in b', '-a', 'a ?? b', 'a / b', 'a % b', '{x: a}', '[a, b]', 'a == b', 'a != b'];
    fc.assert(fc.property(fc.constantFrom(...exprs), fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue() as fc.Arbitrary<Value>), (text, record) => {
      evaluate(text, record);
    }), { numRuns: 2000 });
  });

  it('hostile programs cannot reach JavaScript', () => {
    // a call on a member is not in the grammar at all
    expect(() => parseExpression("constructor.constructor('return process')()")).toThrow(/unexpected '\('/);
    // names and strings full of quotes and backslashes are data, not code
    const nasty = ['"); process.exit(1); ("', "'; throw 1; '", '\\', '\\"', '${process.exit(1)}', '\u2028', '*/ process.exit(1) /*'];
    for (const s of nasty) {
      const lit = JSON.stringify(s);
      expect(evaluate(lit)).toBe(s);
      expect(evaluate('`' + s.replace(/`/g, '') + '`', { [s.replace(/`/g, '')]: 42 })).toBe(42);
      expect(evaluate(`{${lit}: 1}`)).toEqual({ [s]: 1 });
    }
    // an object literal with a __proto__ key makes an own property, not a prototype
    const o = evaluate('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.hasOwn(o, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
    // records whose own keys shadow prototype names are read as data
    expect(evaluate('constructor', JSON.parse('{"constructor": "own"}') as Value)).toBe('own');
    expect(evaluate('__proto__.x', JSON.parse('{"__proto__": {"x": 1}}') as Value)).toBe(1);
  });

  it('generated code contains no user text outside JSON strings', () => {
    const c = exprCompiler({ text: '', typeError: () => undefined, aggregateNames: new Set() });
    const src = c.source(parseExpression('`a"]; alert(1); //` == "x\\"y"'));
    expect(src).toContain('o["a\\"]; alert(1); //"]');
    expect(src).toContain('"x\\"y"');
  });
});
