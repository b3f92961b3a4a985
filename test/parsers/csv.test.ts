import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

describe('parse csv', () => {
  const p = parser('csv');

  it('names fields 1, 2, 3 and infers unquoted values', () => {
    expect(p.parse('2024-05-01T12:00:03Z,api,200,12.5,true,0x1F,007')).toEqual({
      1: '2024-05-01T12:00:03Z', 2: 'api', 3: 200, 4: 12.5, 5: true, 6: '0x1F', 7: '007',
    });
  });

  it('follows RFC 4180 quoting', () => {
    expect(p.parse('"a,b","say ""hi""","",x')).toEqual({ 1: 'a,b', 2: 'say "hi"', 3: '', 4: 'x' });
    expect(p.parse('"multi\nline",2')).toEqual({ 1: 'multi\nline', 2: 2 });
    expect(p.parse('"42",42')).toEqual({ 1: '42', 2: 42 });
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(p.parse('a,,b,')).toEqual({ 1: 'a', 2: '', 3: 'b', 4: '' });
    expect(p.parse('')).toEqual({ 1: '' });
    expect(p.parse(',')).toEqual({ 1: '', 2: '' });
  });

  it('keeps a quote inside an unquoted field as written', () => {
    expect(p.parse('5" screen, 3')).toEqual({ 1: '5" screen', 2: ' 3' });
  });

  it('keeps strings with --no-infer', () => {
    expect(parser('csv', undefined, false).parse('1,true,x')).toEqual({ 1: '1', 2: 'true', 3: 'x' });
  });

  it('gives reasons for broken quoting', () => {
    expect(p.parse('a,"unterminated')).toBe('unterminated quoted field 2');
    expect(p.parse('"a"b,c')).toBe('unexpected character after the closing quote of field 1 (column 4)');
  });

  it('reads back any row an RFC 4180 writer produces (property)', () => {
    const q = parser('csv', undefined, false);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 8 }), (cells) => {
        const line = cells.map((c) => (/[",\n\r]/.test(c) || c === '' ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
        expect(q.parse(line)).toEqual(Object.fromEntries(cells.map((c, i) => [String(i + 1), c])));
      }),
    );
  });
});
