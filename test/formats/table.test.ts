import { describe, expect, it } from 'vitest';
import { displayWidth, encodeTable, renderTable } from '../../src/formats/table.js';
import { encode } from './helpers.js';

describe('table encoder', () => {
  it('aligns columns: strings left, numbers on the decimal point, two spaces apart', () => {
    const text = encode(encodeTable({ passRaw: false }), [
      { service: 'api', count: 12, avg_ms: 35.5 },
      { service: 'web', count: 3, avg_ms: 4 },
    ]);
    expect(text).toBe('service  count  avg_ms\napi         12    35.5\nweb          3     4\n');
  });

  it('buffers until end', () => {
    const enc = encodeTable({ passRaw: false });
    expect(encode({ write: (b) => enc.write(b), end: () => '' }, [{ a: 1 }])).toBe('');
    expect(enc.end()).toBe('a\n1\n');
  });

  it('uses the union of keys in order of first appearance; missing cells are empty', () => {
    expect(renderTable([{ a: 'x', b: 1 }, { c: true }, { b: 22, a: 'longer' }])).toBe(
      ['a        b  c', 'x        1', '            true', 'longer  22'].join('\n') + '\n',
    );
  });

  it('right-aligns numbers and left-aligns other cells in a mixed column', () => {
    expect(renderTable([{ v: 'abcdef' }, { v: 7 }, { v: null }, { v: [1] }])).toBe('v\nabcdef\n     7\n\n[1]\n');
  });

  it('never leaves trailing spaces', () => {
    const text = renderTable([{ a: 'x', b: 'long value' }, { a: 'long value', b: '' }, { a: 'y ', b: 'z  ' }]);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('gives nothing for no records', () => {
    expect(encode(encodeTable({ passRaw: false }), [])).toBe('');
  });

  it('shows non-object values in a value column and escapes control characters', () => {
    expect(renderTable([1, 'two\nlines', { value: 'tab\there' }])).toBe('value\n         1\ntwo\\nlines\ntab\\there\n');
  });

  it('measures wide characters as two columns', () => {
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(renderTable([{ n: '日本', x: 1 }, { n: 'abc', x: 2 }])).toBe('n     x\n日本  1\nabc   2\n');
  });

  it('aligns negative numbers and exponents', () => {
    // the header of an all-number column is right-aligned; cells align on '.' or 'e'
    expect(renderTable([{ x: -1.25 }, { x: 100 }, { x: 1e21 }])).toBe('      x\n -1.25\n100\n  1e+21\n');
  });
});
