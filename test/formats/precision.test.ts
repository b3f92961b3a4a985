import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTable } from '../../src/formats/table.js';
import { roundForReading } from '../../src/formats/types.js';
import { encode } from './helpers.js';

describe('roundForReading (--precision)', () => {
  it('keeps 4 significant digits, never fewer than 2 decimals, never rounds the integer part', () => {
    expect(roundForReading(61.041666666666664, 4)).toBe('61.04');
    expect(roundForReading(43.33529411764706, 4)).toBe('43.34');
    expect(roundForReading(246.03, 4)).toBe('246.03');
    expect(roundForReading(12345.678, 4)).toBe('12345.68');
    expect(roundForReading(0.000123456, 4)).toBe('0.0001235');
    expect(roundForReading(-2.5, 4)).toBe('-2.5');
    expect(roundForReading(-0.0000001, 2)).toBe('-1e-7');
    expect(roundForReading(-0.001, 1)).toBe('-0.001');
    expect(roundForReading(-0.0004, 1)).toBe('-0.0004');
    expect(roundForReading(61.041666666666664, 1)).toBe('61');
    expect(roundForReading(61.041666666666664, 6)).toBe('61.0417');
  });

  it('writes integers and full precision unchanged', () => {
    expect(roundForReading(9007199254740992, 4)).toBe('9007199254740992');
    expect(roundForReading(61.041666666666664, 'full')).toBe('61.041666666666664');
  });

  it('stays within half a unit of the last digit kept', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), fc.integer({ min: 1, max: 10 }), (v, d) => {
      const r = Number(roundForReading(v, d));
      if (v === 0) return r === 0;
      const decimals = Math.max(d - 1 - Math.floor(Math.log10(Math.abs(v))), Math.min(2, d - 1), 0);
      expect(Math.abs(r - v)).toBeLessThanOrEqual(0.5 * 10 ** -decimals * (1 + 1e-9) + Math.abs(v) * 1e-15);
      return true;
    }));
  });
});

describe('table precision', () => {
  it('rounds fractional numbers and aligns them on the decimal point by default', () => {
    const text = encode(encodeTable({ passRaw: false }), [{ k: 'a', avg: 61.041666666666664 }, { k: 'b', avg: 1043.3352941 }, { k: 'c', avg: 7 }]);
    expect(text).toBe('k      avg\na    61.04\nb  1043.34\nc     7\n');
  });

  it('keeps every digit with precision full', () => {
    const text = encode(encodeTable({ passRaw: false, precision: 'full' }), [{ avg: 61.041666666666664 }]);
    expect(text).toBe('               avg\n61.041666666666664\n');
  });
});
