import { describe, expect, it } from 'vitest';
import { decodeNdjson, encodeNdjson } from '../../src/formats/ndjson.js';
import { makeEvent } from '../../src/core/event.js';
import { decode, encode, everyN, SOURCE, values } from './helpers.js';

describe('ndjson decoder', () => {
  it('decodes one JSON value per line with line numbers and raw text', () => {
    const d = decode(decodeNdjson, '{"a":1}\n{"b":[1,2],"c":{"d":null}}\n');
    expect(d.events).toEqual([
      { value: { a: 1 }, line: 1, raw: '{"a":1}' },
      { value: { b: [1, 2], c: { d: null } }, line: 2, raw: '{"b":[1,2],"c":{"d":null}}' },
    ]);
    expect(d.bad).toEqual([]);
  });

  it('emits non-object values as they are', () => {
    expect(values(decode(decodeNdjson, '5\n[1]\n"x"\nnull\ntrue\n'))).toEqual([5, [1], 'x', null, true]);
  });

  it('skips blank and whitespace-only lines, which still count for line numbers', () => {
    const d = decode(decodeNdjson, '\n{"a":1}\n   \n\t\n{"a":2}\n\n');
    expect(d.events.map((e) => e.line)).toEqual([2, 5]);
    expect(d.bad).toEqual([]);
  });

  it('reports bad JSON with the line and the parser message, and goes on', () => {
    const d = decode(decodeNdjson, '{"a":1}\n{"a":\n{"a":3}\n');
    expect(values(d)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(d.bad.length).toBe(1);
    expect(d.bad[0].raw).toBe('{"a":');
    expect(d.bad[0].line).toBe(2);
    expect(d.bad[0].reason).toMatch(/^invalid JSON: .+/);
  });

  it('reports a truncated last line at end of input', () => {
    const d = decode(decodeNdjson, '{"a":1}\n{"a":1');
    expect(values(d)).toEqual([{ a: 1 }]);
    expect(d.bad).toMatchObject([{ raw: '{"a":1', line: 2 }]);
  });

  it('handles CRLF (raw without CR), a BOM, and a last line without newline', () => {
    const d = decode(decodeNdjson, '\uFEFF{"a":1}\r\n{"a":2}');
    expect(d.events).toEqual([
      { value: { a: 1 }, line: 1, raw: '{"a":1}' },
      { value: { a: 2 }, line: 2, raw: '{"a":2}' },
    ]);
  });

  it('gives nothing for empty input', () => {
    expect(decode(decodeNdjson, '')).toEqual({ events: [], bad: [] });
  });

  it('reports binary junk and wrong JSON without throwing', () => {
    const d = decode(decodeNdjson, '\x00\x01\x02\n{a:1}\n\uFFFD\uFFFD\n{"ok":"\uFFFD"}\n');
    expect(d.bad.map((b) => b.line)).toEqual([1, 2, 3]);
    expect(values(d)).toEqual([{ ok: '\uFFFD' }]);
  });

  it('gives the same result for 1-byte chunks', () => {
    const text = '{"a":"x\\ny"}\r\n\n[1,2]\nbad\n{"b":true}';
    expect(decode(decodeNdjson, text, {}, everyN(text, 1))).toEqual(decode(decodeNdjson, text));
  });

  it('decodes a 50 MB line fed in 64 KiB chunks in a few seconds', () => {
    const big = '{"s":"' + 'y'.repeat(50 * 1024 * 1024) + '"}\n{"n":2}\n';
    const t = performance.now();
    const d = decode(decodeNdjson, big, {}, everyN(big, 64 * 1024));
    expect(performance.now() - t).toBeLessThan(5000);
    expect(d.events.length).toBe(2);
    expect((d.events[0].value as { s: string }).s.length).toBe(50 * 1024 * 1024);
    expect(d.events[1]).toMatchObject({ value: { n: 2 }, line: 2 });
  });

  it('reads the clock once per chunk, not per record', () => {
    let calls = 0;
    const dec = decodeNdjson(SOURCE, { infer: true }, () => {}, () => ++calls);
    const out: ReturnType<typeof makeEvent>[] = [];
    dec.write('{"a":1}\n{"a":2}\n{"a":3}\n', out);
    dec.end(out);
    expect(out.length).toBe(3);
    expect(calls).toBe(1);
  });
});

describe('ndjson encoder', () => {
  it('writes one JSON text per line, in key insertion order', () => {
    expect(encode(encodeNdjson({ passRaw: false }), [{ b: 1, a: 'x' }, 5, null, [1, { c: 2 }]])).toBe(
      '{"b":1,"a":"x"}\n5\nnull\n[1,{"c":2}]\n',
    );
  });

  it('passes raw text through when allowed and present', () => {
    const e1 = makeEvent({ a: 1 }, '{ "a" : 1 }', SOURCE, 1, 0);
    const e2 = makeEvent({ a: 2 }, undefined, SOURCE, 2, 0);
    expect(encodeNdjson({ passRaw: true }).write([e1, e2])).toBe('{ "a" : 1 }\n{"a":2}\n');
    expect(encodeNdjson({ passRaw: false }).write([e1, e2])).toBe('{"a":1}\n{"a":2}\n');
  });

  it('writes nothing for an empty batch or at end', () => {
    const enc = encodeNdjson({ passRaw: false });
    expect(enc.write([])).toBe('');
    expect(enc.end()).toBe('');
  });
});
