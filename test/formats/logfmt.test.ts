import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeLogfmt, encodeLogfmt, logfmtValue, parseLogfmt } from '../../src/formats/logfmt.js';
import { decode, encode, everyN, values } from './helpers.js';

describe('parseLogfmt', () => {
  it('reads bare, quoted and flag pairs', () => {
    expect(parseLogfmt('level=info msg="user logged in" status=200 cached took=1.5ms', true)).toEqual({
      level: 'info',
      msg: 'user logged in',
      status: 200,
      cached: true,
      took: '1.5ms',
    });
  });

  it('keeps strings without inference, and quoted values are never inferred', () => {
    expect(parseLogfmt('a=1 b=true', false)).toEqual({ a: '1', b: 'true' });
    expect(parseLogfmt('a="1" b=1', true)).toEqual({ a: '1', b: 1 });
  });

  it('reads escapes in quoted values and `=` in bare values', () => {
    expect(parseLogfmt('m="say \\"hi\\"\\n\\t\\\\ \\u00e9 \\q" url=/a?b=c', true)).toEqual({ m: 'say "hi"\n\t\\ é \\q', url: '/a?b=c' });
  });

  it('reads `k=` as the empty string and the last duplicate key wins', () => {
    expect(parseLogfmt('a= b=2 a=3', true)).toEqual({ a: 3, b: 2 });
    expect(parseLogfmt('a= b', true)).toEqual({ a: '', b: true });
  });

  it('gives a reason for lines that are not logfmt', () => {
    expect(parseLogfmt('just some words', true)).toBe('no key=value pair');
    expect(parseLogfmt('', true)).toBe('no key=value pair');
    expect(parseLogfmt('a="open', true)).toBe("unterminated quoted value for key 'a'");
    expect(parseLogfmt('=x', true)).toBe("missing key before '=' at column 1");
    expect(parseLogfmt('a="x"y', true)).toBe("expected a space after the quoted value of 'a' at column 6");
    expect(parseLogfmt('"k"=1', true)).toBe(`unexpected '"' in key at column 1`);
  });

  it('keeps __proto__ as a plain field', () => {
    const r = parseLogfmt('__proto__=x', true) as Record<string, unknown>;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toEqual(['__proto__']);
  });
});

describe('logfmt decoder', () => {
  it('decodes lines, skips blank ones, reports bad ones with their line', () => {
    const d = decode(decodeLogfmt, '\uFEFFa=1 b=x\r\n\n  \nhello\nc="open\nd=2');
    expect(d.events).toEqual([
      { value: { a: 1, b: 'x' }, line: 1, raw: undefined },
      { value: { d: 2 }, line: 6, raw: undefined },
    ]);
    expect(d.bad).toEqual([
      { raw: 'hello', reason: 'invalid logfmt: no key=value pair', line: 4 },
      { raw: 'c="open', reason: "invalid logfmt: unterminated quoted value for key 'c'", line: 5 },
    ]);
  });

  it('gives the same result in 1-byte chunks', () => {
    const text = 'a=1 m="x y"\r\nbad\n\nz=\\"';
    expect(decode(decodeLogfmt, text, {}, everyN(text, 1))).toEqual(decode(decodeLogfmt, text));
  });
});

describe('logfmt encoder', () => {
  it('writes pairs, quoting where needed', () => {
    expect(
      encode(encodeLogfmt({ passRaw: false }), [{ a: 1, b: 'x y', c: null, d: true, e: 'q"\\', f: '', g: 'a=b', h: { n: [1] }, i: '200' }]),
    ).toBe('a=1 b="x y" c= d=true e="q\\"\\\\" f="" g="a=b" h="{\\"n\\":[1]}" i="200"\n');
  });

  it('writes non-objects as value=, and odd keys with _', () => {
    expect(encode(encodeLogfmt({ passRaw: false }), [7, { 'a b': 1, '': 2, 'x=y': 3 }])).toBe('value=7\na_b=1 _=2 x_y=3\n');
  });

  it('escapes control characters in quoted values', () => {
    expect(logfmtValue('l1\nl2\t\x01')).toBe('"l1\\nl2\\t\\u0001"');
  });

  it('round trips records of strings and numbers, with inference on', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_', '.', '-', '1'), minLength: 1, maxLength: 4 }).map((k) => 'k' + k);
    const val = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('true', 'false', '12', '0x1f', '-1.5e3', '007', ' ', '"', '\\', '='),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, val, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 5 }), (recs) => {
        const d = decode(decodeLogfmt, encode(encodeLogfmt({ passRaw: false }), recs));
        expect(d.bad).toEqual([]);
        expect(values(d)).toEqual(recs);
      }),
      { numRuns: 400 },
    );
  });
});
