// inferValue decides plain decimals with one scan; the reference here is the rule as it was
// (regex, Number, String round trip), which every answer must match.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Value } from '../../src/core/event.js';
import { inferValue } from '../../src/formats/infer.js';

const NUMBER = /^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

function reference(s: string): Value {
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 116 || c === 102)) return s;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (NUMBER.test(s)) {
    const n = Number(s);
    return String(n) === s ? n : s;
  }
  return s;
}

const same = (s: string): void => {
  const got = inferValue(s);
  const want = reference(s);
  if (!Object.is(got, want)) expect({ s, got }).toEqual({ s, got: want });
};

const digits = (max: number) => fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9'), maxLength: max });

describe('inferValue', () => {
  it('agrees with the round-trip rule on number-like text of every shape', () => {
    const numberish = fc.string({ unit: fc.constantFrom('0', '1', '7', '9', '.', '-', '+', 'e', 'E', 'x', 't', ' '), maxLength: 24 });
    fc.assert(fc.property(numberish, (s) => same(s)), { numRuns: 20000 });
  });

  it('agrees on plain decimals around 15 digits, 1e-6 and -0', () => {
    const decimal = fc.tuple(fc.constantFrom('', '-'), digits(18), fc.boolean(), digits(18)).map(([sign, i, dot, f]) => sign + i + (dot ? '.' + f : ''));
    fc.assert(fc.property(decimal, (s) => same(s)), { numRuns: 20000 });
  });

  it('agrees on the text of random doubles and their neighbours', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.integer({ min: 1, max: 17 }), (x, p) => {
        same(String(x));
        same(x.toPrecision(p));
        same(x.toFixed(Math.min(p, 20)));
      }),
      { numRuns: 20000 },
    );
  });

  it('keeps the edge cases as before', () => {
    for (const s of ['0', '-0', '0.0', '1.', '1.50', '007', '0.000001', '0.0000001', '-0.000001', '123456789012345', '1234567890123456', '12345678901234.5', '0.123456789012345', '9007199254740993', '6.8', '1e3', '1e+21', '2024-05-01T12:00:00Z', '-', '--1', '1-2', 'true', 'false', 'tru', '']) same(s);
    expect(inferValue('6.8')).toBe(6.8);
    expect(inferValue('-0')).toBe('-0');
    expect(inferValue('0.0000001')).toBe('0.0000001');
    expect(inferValue('0.000001')).toBe(0.000001);
  });
});
