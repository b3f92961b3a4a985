import { describe, expect, it } from 'vitest';
import { decodeLines } from '../../src/formats/lines.js';
import { decode, everyN } from './helpers.js';

describe('lines decoder', () => {
  it('makes each line a {line} record, empty lines included, CRLF and BOM stripped', () => {
    const d = decode(decodeLines, '\uFEFFfirst\r\n\nthird  \nlast');
    expect(d.events).toEqual([
      { value: { line: 'first' }, line: 1, raw: undefined },
      { value: { line: '' }, line: 2, raw: undefined },
      { value: { line: 'third  ' }, line: 3, raw: undefined },
      { value: { line: 'last' }, line: 4, raw: undefined },
    ]);
    expect(d.bad).toEqual([]);
  });

  it('gives nothing for empty input and no phantom line after the last newline', () => {
    expect(decode(decodeLines, '').events).toEqual([]);
    expect(decode(decodeLines, 'a\n').events.length).toBe(1);
  });

  it('gives the same result in 1-byte chunks', () => {
    const text = 'a\r\nb\n\n\uFFFD\x00c';
    expect(decode(decodeLines, text, {}, everyN(text, 1))).toEqual(decode(decodeLines, text));
  });
});
