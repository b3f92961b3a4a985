import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEvent, withValue, type Value } from '../../src/core/event.js';
import { inexactNumbers, mayBeInexact, stringifyExact } from '../../src/core/numbers.js';
import { encodeCsv } from '../../src/formats/csv.js';
import { encodeNdjson } from '../../src/formats/ndjson.js';

/** A JSON number's text: sign, integer part, fraction, exponent, of any length. */
const numberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,30}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,30}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,5}$/)), { nil: undefined }),
  )
  .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac !== undefined ? `.${frac}` : ''}${exp !== undefined ? exp.join('') : ''}`);

describe('numbers a double cannot hold', () => {
  it('mayBeInexact is true whenever a number does not round-trip, underflows apart (the cheap filter loses none)', () => {
    fc.assert(
      fc.property(numberText, fc.string(), (t, around) => {
        const v = Number(t);
        const underflow = Math.abs(v) < 2.2250738585072014e-308 && /[1-9]/.test(t.split(/[eE]/)[0]!);
        const text = `{"s":${JSON.stringify(around)},"n":${t}}`;
        if (inexactNumbers(`[${t}]`) !== null && !underflow) expect(mayBeInexact(text, JSON.parse(text) as Value)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('inexactNumbers finds exactly the numbers whose text a double does not hold', () => {
    fc.assert(
      fc.property(fc.array(numberText, { minLength: 1, maxLength: 6 }), (texts) => {
        const found = inexactNumbers(`{"a":[${texts.join(',')}],"b":"1e400 12345678901234567"}`);
        // a short decimal that is not exactly a double (0.1) still writes back the same: not counted
        const expected = texts.filter((t) => {
          const v = Number(t);
          return !Number.isFinite(v) || Number(String(v)) !== Number(t) || !sameDecimal(t, String(v));
        }).length;
        expect(found?.count ?? 0).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the text of infinities and of long doubles, not of values many texts round to', () => {
    const found = inexactNumbers('{"big":9007199254740993,"inf":1e400,"ninf":-1e999,"one":1.0000000000000001,"tiny":1e-400,"ok":0.1,"s":"9007199254740993"}')!;
    expect(found.count).toBe(5);
    expect([...found.texts]).toEqual([[9007199254740992, '9007199254740993'], [Infinity, '1e400'], [-Infinity, '-1e999']]);
  });

  it('leaves out a value that two texts round to', () => {
    const found = inexactNumbers('[1e400,2e400,9007199254740993]')!;
    expect(found.count).toBe(3);
    expect([...found.texts]).toEqual([[9007199254740992, '9007199254740993']]);
  });

  it('skips strings, escaped quotes included', () => {
    expect(inexactNumbers('{"a":"x\\"12345678901234567890\\\\","b":1}')).toBeNull();
    expect(inexactNumbers('{"a":"x\\\\","b":12345678901234567890}')?.count).toBe(1);
  });

  it('stringifyExact is JSON.stringify when there is no text to keep', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyExact(v as Value, new Map())).toBe(JSON.stringify(v));
      }),
      { numRuns: 1000 },
    );
  });

});

describe('encoders write the text of numbers a double cannot hold', () => {
  const line = '{"f":1e400,"n":9007199254740993,"m":1.5}';
  const src = { name: 'in.ndjson' };
  const changed = () => withValue(makeEvent(JSON.parse(line) as Value, line, src, 1, 0, line), { n: 9007199254740992, f: Infinity, m: 1.5 });

  it('ndjson, for a record written anew, counting each such number as a type error', () => {
    let errors = 0;
    const out = encodeNdjson({ passRaw: true, typeError: () => errors++ }).write([changed()]);
    expect(out).toBe('{"n":9007199254740993,"f":1e400,"m":1.5}\n');
    expect(errors).toBe(2);
  });

  it('csv', () => {
    expect(encodeCsv({ passRaw: false }).write([changed()])).toBe('n,f,m\n9007199254740993,1e400,1.5\n');
  });

  it('a change of a record without such numbers drops the text (nothing kept in memory)', () => {
    const plain = '{"a":1}';
    expect(withValue(makeEvent({ a: 1 }, plain, src, 1, 0, plain), { a: 2 }).origin).toBeUndefined();
    expect(changed().origin).toBe(line);
  });
});

/** Both texts denote the same decimal number. */
function sameDecimal(a: string, b: string): boolean {
  const canon = (s: string) => {
    const neg = s.startsWith('-');
    const [m, e = '0'] = s.replace(/^-/, '').toLowerCase().split('e');
    const [int, frac = ''] = m!.split('.');
    let digits = (int! + frac).replace(/^0+/, '');
    let exp = Number(e) - frac.length;
    while (digits.endsWith('0')) {
      digits = digits.slice(0, -1);
      exp++;
    }
    return digits === '' ? '0' : `${neg ? '-' : ''}${digits}e${exp}`;
  };
  return canon(a) === canon(b);
}
