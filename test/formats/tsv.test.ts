import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTsv, encodeTsv, tsvEscape, tsvUnescape } from '../../src/formats/tsv.js';
import { decode, encode, everyN, flatRecords, values } from './helpers.js';

describe('tsv decoder', () => {
  it('reads a header and tab-separated rows with inference, quotes kept as text', () => {
    const d = decode(decodeTsv, 'a\tb\tc\n1\t"x y"\ttrue\n');
    expect(d.events).toEqual([{ value: { a: 1, b: '"x y"', c: true }, line: 2, raw: undefined }]);
  });

  it('unescapes \\t \\n \\r \\\\ and keeps other backslashes', () => {
    expect(values(decode(decodeTsv, 'a\tb\nx\\ty\\nz\tc:\\\\dir\\q\\\n'))).toEqual([{ a: 'x\ty\nz', b: 'c:\\dir\\q\\' }]);
    expect(tsvUnescape('\\r\\\\n')).toBe('\r\\n');
  });

  it('reports ragged rows, skips empty lines, handles CRLF, BOM, no final newline', () => {
    const d = decode(decodeTsv, '\uFEFFa\tb\r\n\r\n1\t2\r\n3\r\n4\t5');
    expect(d.events.map((e) => [e.value, e.line])).toEqual([
      [{ a: 1, b: 2 }, 3],
      [{ a: 4, b: 5 }, 5],
    ]);
    expect(d.bad).toEqual([{ raw: '3', reason: 'expected 2 fields, found 1', line: 4 }]);
  });

  it('supports implicit headers, duplicate names and infer off', () => {
    expect(values(decode(decodeTsv, 'x\t1\n', { implicitHeader: true, infer: false }))).toEqual([{ 1: 'x', 2: '1' }]);
    expect(values(decode(decodeTsv, 'a\ta\n1\t2\n'))).toEqual([{ a: 1, a_2: 2 }]);
  });

  it('gives the same result in 1-byte chunks', () => {
    const text = 'a\tb\r\n1\\t\t2\n\n3\t4\t5\n6\t7';
    expect(decode(decodeTsv, text, {}, everyN(text, 1))).toEqual(decode(decodeTsv, text));
  });
});

describe('tsv encoder', () => {
  it('escapes tabs, newlines, CRs and backslashes, never quotes', () => {
    expect(tsvEscape('a\tb\nc\rd\\e "f"')).toBe('a\\tb\\nc\\rd\\\\e "f"');
    expect(encode(encodeTsv({ passRaw: false }), [{ 'k\t1': 'x y', n: 2 }, { 'k\t1': 'a,b', n: null }])).toBe('k\\t1\tn\nx y\t2\na,b\t\n');
  });

  it('starts a new header block when the keys change', () => {
    expect(encode(encodeTsv({ passRaw: false }), [{ a: 1 }, { b: 2 }])).toBe('a\n1\n\nb\n2\n');
  });

  it('round trips random strings with inference off', () => {
    fc.assert(
      fc.property(flatRecords(fc.string({ maxLength: 6 })), (recs) => {
        const d = decode(decodeTsv, encode(encodeTsv({ passRaw: false }), recs), { infer: false });
        expect(d.bad).toEqual([]);
        expect(values(d)).toEqual(recs.filter((r) => !(Object.keys(r).length === 1 && Object.values(r)[0] === '')));
      }),
      { numRuns: 300 },
    );
  });
});
