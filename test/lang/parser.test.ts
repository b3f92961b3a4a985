import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOp, Expr } from '../../src/lang/ast.js';
import { parseExpression, parseProgram } from '../../src/lang/parser.js';
import { printExpr } from '../../src/lang/print.js';
import { findOperator, grammar } from '../../src/operators/index.js';
import { UsageError } from '../../src/errors/errors.js';

const S = { start: 0, end: 0 };

/** Drop spans so trees can be compared. */
function strip(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(strip);
  if (e && typeof e === 'object' && !(e instanceof RegExp)) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (k !== 'span' && k !== 'nameSpan') o[k] = strip(v);
    return o;
  }
  return e;
}

const RESERVED = new Set(['true', 'false', 'null', 'not', 'and', 'or', 'in', 'as', 'by']);
const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((s) => !RESERVED.has(s));
const oddName = fc.oneof(ident, fc.stringMatching(/^[a-z -]{1,8}$/), fc.constantFrom('user id', 'a.b', '__proto__', 'constructor', 'x"y', "it's"));
const ops: BinaryOp[] = ['==', '!=', '<', '<=', '>', '>=', '=~', '!~', 'in', '+', '-', '*', '/', '%', '??', '&&', '||'];

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e12 }).filter((n) => !Object.is(n, -0)).map((value): Expr => ({ kind: 'lit', value, span: S })),
      fc.integer({ min: -1000, max: -1 }).map((value): Expr => ({ kind: 'lit', value, span: S })),
      fc.string().map((value): Expr => ({ kind: 'lit', value, span: S })),
      fc.constantFrom(true, false, null).map((value): Expr => ({ kind: 'lit', value, span: S })),
      fc.constantFrom(['250ms', 250], ['1h30m', 5_400_000], ['5m', 300_000], ['1.5s', 1500]).map(([text, value]): Expr => ({ kind: 'lit', value: value as number, text: text as string, span: S })),
      fc.record({ source: fc.stringMatching(/^[a-z0-9 ]{1,6}$/), flags: fc.constantFrom('', 'i', 'im') }).map(({ source, flags }): Expr => ({ kind: 'regex', source, flags, span: S })),
      oddName.map((name): Expr => ({ kind: 'name', name, span: S })),
      fc.constantFrom('file', 'line', 'offset', 'timestamp').map((name): Expr => ({ kind: 'meta', name, span: S })),
      fc.constant<Expr>({ kind: 'this', span: S }),
    ),
    fc.record({ object: tie('e'), name: oddName }).map(({ object, name }): Expr => ({ kind: 'member', object, name, span: S })),
    fc.record({ object: tie('e'), index: tie('e') }).map(({ object, index }): Expr => ({ kind: 'index', object, index, span: S })),
    fc.record({ op: fc.constantFrom<'!' | 'not' | '-'>('!', 'not', '-'), operand: tie('e') })
      .filter(({ op, operand }) => !(op === '-' && operand.kind === 'lit' && typeof operand.value === 'number' && operand.text === undefined))
      .map(({ op, operand }): Expr => ({ kind: 'unary', op, operand, span: S })),
    fc.record({ op: fc.constantFrom(...ops), left: tie('e'), right: tie('e') }).map(({ op, left, right }): Expr => ({ kind: 'binary', op, left, right, span: S })),
    fc.record({ test: tie('e'), then: tie('e'), else: tie('e') }).map((r): Expr => ({ kind: 'cond', ...r, span: S })),
    fc.record({ name: fc.constantFrom('lower', 'len', 'coalesce', 'now'), args: fc.array(tie('e'), { maxLength: 3 }) }).map(({ name, args }): Expr => ({ kind: 'call', name, nameSpan: S, args, span: S })),
    fc.array(tie('e'), { maxLength: 3 }).map((items): Expr => ({ kind: 'array', items, span: S })),
    fc.uniqueArray(fc.record({ key: oddName, value: tie('e') }), { maxLength: 3, selector: (en) => en.key }).map((entries): Expr => ({ kind: 'object', entries, span: S })),
  ),
})).e;

describe('parser', () => {
  it('print -> parse gives back the same tree (random expressions)', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const text = printExpr(e);
        const back = parseExpression(text);
        expect(strip(back)).toEqual(strip(e));
        expect(printExpr(back)).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('print -> parse is stable for every operator example', () => {
    const programs = ['where a > 1 and not b == 2', 'select a, b + 1 as c, `user id`', 'set x.y = 1, z = x.y * 2',
      'count(), avg(ms), p95(ms) as p by svc, bucket(ts, 1m) as minute', 'sort a desc, b', 'top 3 by latency',
      'dedupe user within 5m', "parse regex '(?<a>\\\\d+)' from msg", 'assert x >= 0 else "neg"', 'rename a as b, c.d as e',
      'drop a, b.c', 'head 10', 'tail 3', 'sample 10%', 'map {a: x, "b c": y}', 'percentile(x, 99.9) by k'];
    for (const text of programs) {
      const p = parseProgram(text, grammar);
      const printed = p.stages.map((s) => `${s.op === 'aggregate' ? '' : s.op + ' '}${findOperator(s.op)!.print(s.args)}`).join(' | ');
      const again = parseProgram(printed, grammar);
      expect(strip(again.stages)).toEqual(strip(p.stages));
    }
  });

  it('precedence: not is looser than comparison, ?? tighter, && tighter than ||', () => {
    const show = (t: string) => JSON.stringify(strip(parseExpression(t)));
    expect(show('not a == b')).toBe(show('not (a == b)'));
    expect(show('a || b && c')).toBe(show('a || (b && c)'));
    expect(show('a ?? 0 >= 500')).toBe(show('(a ?? 0) >= 500'));
    expect(show('a + b * c')).toBe(show('a + (b * c)'));
    expect(show('a or b and c')).toBe(show('a || (b && c)'));
    expect(show('-2 * x')).toBe(show('(-2) * x'));
  });

  it('durations, regexes and back-quoted names', () => {
    expect(strip(parseExpression('1h30m'))).toEqual({ kind: 'lit', value: 5_400_000, text: '1h30m' });
    expect(strip(parseExpression('250ms'))).toEqual({ kind: 'lit', value: 250, text: '250ms' });
    expect(strip(parseExpression('/ab+c/i'))).toEqual({ kind: 'regex', source: 'ab+c', flags: 'i' });
    expect(strip(parseExpression('a / b / c'))).toMatchObject({ kind: 'binary', op: '/' });
    expect(strip(parseExpression('`user id`'))).toEqual({ kind: 'name', name: 'user id' });
    expect(strip(parseExpression('tags[0]'))).toMatchObject({ kind: 'index', index: { value: 0 } });
  });

  // the message, and the caret line under the program line that the diagnostic (`detail`) shows
  const errorCases: [string, RegExp, string][] = [
    ['where lowr(level) == "error"', /unknown function 'lowr' — did you mean 'lower'\?/, '        ^^^^'],
    ['wher x > 1', /unknown stage 'wher' — did you mean 'where'\?/, '  ^^^^'],
    ['where x >', /expected an expression, found end of program/, '           ^'],
    ['where "abc', /unterminated string/, '        ^^^^'],
    ['where x > 1 head 5', /unexpected 'head' after where; stages are separated by '\|'/, '              ^^^^'],
    ['where 5q', /invalid number or duration '5q'/, '        ^^'],
    ['where x =~ /a(/', /invalid regex/, '             ^^^^'],
    ['head -1', /must be a whole number/, '       ^^'],
    ['select a, a', /two fields are named 'a'/, '            ^'],
    ['where @fiel == 1', /unknown metadata '@fiel' — did you mean 'file'/, '        ^^^^^'],
    ['where avg(x) > 1', /'avg' is an aggregate function/, '        ^^^'],
    ['where lower()', /lower\(\) takes 1 argument, got 0/, '        ^^^^^^^'],
    ['cnt() by x', /unknown stage 'cnt'/, '  ^^^'],
    ['', /empty program/, '  ^'],
  ];
  it.each(errorCases)('program error: %s', async (text, message, caretLine) => {
    const { runText } = await import('../../src/plan/run-text.js');
    const err = await runText(text, '').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).detail).toBe(`  ${text}\n${caretLine}`);
  });
});
