import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../src/formats/json.js';
import { decode, encode, everyN, values } from './helpers.js';

describe('json decoder', () => {
  it('reads a top-level array: each element is a record, at the line where it starts', () => {
    const d = decode(decodeJson, '[\n  {"a": 1},\n  {"a": 2,\n   "b": [1, 2]}\n]\n');
    expect(d.events).toEqual([
      { value: { a: 1 }, line: 2, raw: undefined },
      { value: { a: 2, b: [1, 2] }, line: 3, raw: undefined },
    ]);
    expect(d.bad).toEqual([]);
  });

  it('reads concatenated and pretty-printed values, as jq does', () => {
    const d = decode(decodeJson, '{"a":1}{"a":2}\n{\n  "a": 3\n}\n 4 "x" null true');
    expect(values(d)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, 4, 'x', null, true]);
    expect(d.events.map((e) => e.line)).toEqual([1, 1, 2, 5, 5, 5, 5]);
  });

  it('keeps nested arrays and strings with brackets, quotes and escapes intact', () => {
    const d = decode(decodeJson, '[[1,[2]], {"s":"a]}\\"[{\\\\"}, "\\u005d"]');
    expect(values(d)).toEqual([[1, [2]], { s: 'a]}"[{\\' }, ']']);
  });

  it('gives nothing for empty input or an empty array', () => {
    expect(decode(decodeJson, '')).toEqual({ events: [], bad: [] });
    expect(decode(decodeJson, ' [ ] \n')).toEqual({ events: [], bad: [] });
  });

  it('unwraps several top-level arrays', () => {
    expect(values(decode(decodeJson, '[1,2]\n[3]'))).toEqual([1, 2, 3]);
  });

  it('reports a truncated value at end of input', () => {
    const d = decode(decodeJson, '{"a":1}\n{"a":\n  [1, 2');
    expect(values(d)).toEqual([{ a: 1 }]);
    expect(d.bad).toEqual([{ raw: '{"a":\n  [1, 2', reason: 'truncated JSON at end of input', line: 2 }]);
  });

  it('reports an unclosed top-level array at end of input, after its complete elements', () => {
    const d = decode(decodeJson, '[\n{"a":1},\n{"a":2}');
    expect(values(d)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(d.bad).toEqual([{ raw: '[', reason: 'truncated JSON at end of input', line: 1 }]);
  });

  it('reports a bad element and goes on with the next one', () => {
    const d = decode(decodeJson, '[{"a":1}, {"a":}, {"a":3}]');
    expect(values(d)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(d.bad.length).toBe(1);
    expect(d.bad[0]).toMatchObject({ raw: '{"a":}', line: 1 });
    expect(d.bad[0].reason).toMatch(/^invalid JSON: /);
  });

  it('reports a missing comma, a trailing comma and stray closers', () => {
    const d = decode(decodeJson, '[1 2]\n[3,]\n}\n{"a":[1}');
    expect(values(d)).toEqual([1, 3]);
    expect(d.bad.map((b) => [b.raw, b.line])).toEqual([
      ['2', 1],
      [']', 2],
      ['}', 3],
      ['{"a":[1}', 4],
    ]);
  });

  it('reports junk words without losing the values around them', () => {
    const d = decode(decodeJson, '{"a":1} nope {"a":2}');
    expect(values(d)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(d.bad).toMatchObject([{ raw: 'nope', line: 1 }]);
  });

  it('handles a BOM, CRLF and a number at the very end', () => {
    const d = decode(decodeJson, '\uFEFF{"a":1}\r\n{"a":2}\r\n42');
    expect(values(d)).toEqual([{ a: 1 }, { a: 2 }, 42]);
    expect(d.events.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it('gives the same result in 1-byte chunks', () => {
    const text = '[{"a":"x]\\"y"},\n 12,\n true, [1,[2]]]\n{"b":\n2} nope 7';
    expect(decode(decodeJson, text, {}, everyN(text, 1))).toEqual(decode(decodeJson, text));
  });

  it('does not throw on binary junk', () => {
    const d = decode(decodeJson, '\x00\x01{\uFFFD]"\\');
    expect(d.events).toEqual([]);
    expect(d.bad.length).toBeGreaterThan(0);
  });
});

describe('json encoder', () => {
  it('writes a JSON array with one record per line, across batches', () => {
    const text = encode(encodeJson({ passRaw: false }), [{ a: 1 }, { b: 'x' }, 3, null, [1]], 2);
    expect(text).toBe('[\n{"a":1},\n{"b":"x"},\n3,\nnull,\n[1]\n]\n');
    expect(JSON.parse(text)).toEqual([{ a: 1 }, { b: 'x' }, 3, null, [1]]);
  });

  it('writes [] for an empty stream', () => {
    const enc = encodeJson({ passRaw: false });
    expect(enc.write([])).toBe('');
    expect(enc.end()).toBe('[]\n');
  });

  it('streams: the first write already starts the array', () => {
    const enc = encodeJson({ passRaw: false });
    expect(encode(enc, [{ a: 1 }]).startsWith('[\n{"a":1}')).toBe(true);
  });
});
