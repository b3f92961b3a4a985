// Decoder checkpoints: a decoder saved between two chunks (snapshot, through v8.serialize as the
// state file does) and restored into a fresh decoder must go on exactly as if it had never
// stopped: the same events (value, raw, line) and the same bad-input reports, in the same
// order, as one uninterrupted decode, wherever the input is cut and wherever it is saved.

import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Event } from '../../src/core/event.js';
import type { DecodeOptions, Decoder, DecoderFactory, InputFormat } from '../../src/formats/types.js';
import { decodeNdjson } from '../../src/formats/ndjson.js';
import { decodeJson } from '../../src/formats/json.js';
import { decodeCsv } from '../../src/formats/csv.js';
import { decodeTsv } from '../../src/formats/tsv.js';
import { decodeLogfmt } from '../../src/formats/logfmt.js';
import { decodeLines } from '../../src/formats/lines.js';
import { decode, SOURCE, type Decoded } from './helpers.js';

// imported one by one rather than through the registry, which is being reshaped elsewhere
const DECODERS: Record<InputFormat, DecoderFactory> = {
  ndjson: decodeNdjson,
  json: decodeJson,
  csv: decodeCsv,
  tsv: decodeTsv,
  logfmt: decodeLogfmt,
  lines: decodeLines,
};
const formats = Object.keys(DECODERS) as InputFormat[];

/** Feed `chunks`; after the chunks whose index is in `saves`, save the decoder and go on in a fresh one. */
function decodeWithRestarts(factory: DecoderFactory, chunks: string[], opts: Partial<DecodeOptions>, saves: Set<number>): Decoded {
  const result: Decoded = { events: [], bad: [] };
  const fresh = (): Decoder =>
    factory(SOURCE, { infer: true, ...opts }, (raw, reason, line) => result.bad.push({ raw, reason, line }), () => 1000);
  let dec = fresh();
  const out: Event[] = [];
  const restart = (): void => {
    const state = dec.snapshot();
    const bytes = serialize(state);
    dec = fresh();
    dec.restore(deserialize(bytes));
  };
  if (saves.has(-1)) restart(); // before anything was written
  for (let i = 0; i < chunks.length; i++) {
    dec.write(chunks[i]!, out);
    if (saves.has(i)) restart();
  }
  dec.end(out);
  for (const ev of out) {
    if (ev.source !== SOURCE || ev.timestamp !== 1000) throw new Error('event lost its source or time');
    result.events.push({ value: ev.value, line: ev.line, raw: ev.raw });
  }
  return result;
}

function cut(text: string, points: number[]): string[] {
  const ps = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let prev = 0;
  for (const p of [...ps, text.length]) {
    chunks.push(text.slice(prev, p)); // empty chunks too: a decoder must take them
    prev = p;
  }
  return chunks;
}

// Pieces that mean something to at least one decoder: valid records, truncated ones, CRLF, a
// BOM, quoted csv fields over several lines, invalid JSON, top-level JSON arrays.
const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '=', ' ', '\t', '\n', '\n', '\r', '\r\n', '\uFEFF', '\uFFFD', 'é', '😀', 'a', '1', '-2.5e3', 'true', 'null', '""', '\\t', '\\n') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '{"a":1}\n', '{"a":\n', '{"b":[1,2],"c":{"d":"x]}"}}\r\n', '[1,{"b":"x]"}]', '[\n  {"a": 1},\n  {"a": 2}\n]\n', '[1 2]', '[3,]', '{"a":}', 'nope',
      'a,b,c\n', '1,2,3\r\n', '"x\ny",2,"q""uote"\n', '"open\r\nmore', '"a"b,1\n', 'x,y\n', '__proto__,b\n',
      'k=v m="q r"\n', 'k="unterminated\n', '=bad\n', 'x\ty\tz\n', 'p\\tq\tr\n', '{"s":"\\"}\\\\"}',
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) + '\n') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v, null, 2)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const text = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 9, arbitrary: fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('')) },
);
const options = fc.record({ infer: fc.boolean(), implicitHeader: fc.boolean() });

describe.each(formats)('%s decoder: snapshot and restore', (format) => {
  const factory = DECODERS[format];

  it('a decoder restored at any chunk boundary gives what one uninterrupted decode gives', () => {
    fc.assert(
      fc.property(
        text,
        options,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.integer({ min: -1, max: 13 }), { maxLength: 4 }),
        (input, opts, points, saveAt) => {
          const whole = decode(factory, input, opts);
          const chunks = cut(input, points);
          expect(decodeWithRestarts(factory, chunks, opts, new Set(saveAt))).toEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('restored after every chunk, even with one-character chunks', () => {
    fc.assert(
      fc.property(text, options, (input, opts) => {
        const whole = decode(factory, input, opts);
        const chunks = [...input]; // code points: a surrogate pair is never split, as the UTF-8 decoder never does
        const every = new Set(chunks.map((_, i) => i));
        every.add(-1);
        expect(decodeWithRestarts(factory, chunks, opts, every)).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('a snapshot is a copy: writing on after it does not change what it holds', () => {
    fc.assert(
      fc.property(text, text, options, (a, b, opts) => {
        const dec = factory(SOURCE, { infer: true, ...opts }, () => undefined, () => 1000);
        const out: Event[] = [];
        dec.write(a, out);
        const state = dec.snapshot();
        const before = deserialize(serialize(state)) as unknown;
        dec.write(b, out);
        dec.end(out);
        expect(deserialize(serialize(state))).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses the state of another format', () => {
    const other = formats.find((f) => f !== format)!;
    const state = deserialize(serialize(DECODERS[other](SOURCE, { infer: true }, () => undefined, () => 0).snapshot()));
    const dec = factory(SOURCE, { infer: true }, () => undefined, () => 0);
    expect(() => dec.restore(state)).toThrow(/not a .* decoder's.*delete the state file/);
    expect(() => dec.restore(undefined)).toThrow(/delete the state file/);
  });
});

describe('decoder state, case by case', () => {
  const twoParts = (factory: DecoderFactory, t1: string, t2: string, opts: Partial<DecodeOptions> = {}) =>
    decodeWithRestarts(factory, [t1, t2], opts, new Set([0]));

  it('json: mid-way through a top-level array, inside an element and between elements', () => {
    const input = '[\n  {"a": 1, "s": "x]"},\n  {"a": 2},\n  3\n]\n{"after": true}';
    const whole = decode(decodeJson, input);
    expect(whole.events.map((e) => e.line)).toEqual([2, 3, 4, 6]);
    for (let i = 0; i <= input.length; i++) expect(twoParts(decodeJson, input.slice(0, i), input.slice(i))).toEqual(whole);
  });

  it('json: a truncated array after a restart is still reported at the line it opened', () => {
    const d = twoParts(decodeJson, '\n[{"a":1},', '\n{"a":2}');
    expect(d.bad).toEqual([{ raw: '[', reason: 'truncated JSON at end of input', line: 2 }]);
    expect(d.events.map((e) => e.line)).toEqual([2, 3]);
  });

  it('csv: header and a quoted field open across the restart', () => {
    const input = 'a,b\r\n1,"two\r\nlines, ""quoted"""\r\n3,4\r\n';
    const whole = decode(decodeCsv, input);
    expect(whole.events).toEqual([
      { value: { a: 1, b: 'two\r\nlines, "quoted"' }, line: 2, raw: undefined },
      { value: { a: 3, b: 4 }, line: 4, raw: undefined },
    ]);
    for (let i = 0; i <= input.length; i++) expect(twoParts(decodeCsv, input.slice(0, i), input.slice(i))).toEqual(whole);
  });

  it('csv and tsv: an implicit header is sized by the first row, before or after the restart', () => {
    for (const [factory, input] of [[decodeCsv, 'x,1\ny,2\nz\n'], [decodeTsv, 'x\t1\ny\t2\nz\n']] as const) {
      const whole = decode(factory, input, { implicitHeader: true });
      expect(whole.bad.length).toBe(1);
      for (let i = 0; i <= input.length; i++) expect(twoParts(factory, input.slice(0, i), input.slice(i), { implicitHeader: true })).toEqual(whole);
    }
  });

  it('a BOM is dropped at the start of the input only, not at the start of the text after a restart', () => {
    const d = twoParts(decodeLines, '\uFEFFa\n', '\uFEFFb\n');
    expect(d.events.map((e) => e.value)).toEqual([{ line: 'a' }, { line: '\uFEFFb' }]);
  });
});
