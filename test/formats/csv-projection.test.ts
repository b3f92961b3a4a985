// The csv decoder given DecodeOptions.fields (the columns the program reads) must give the same
// events as the whole decoder with every other column left out: same lines, same raw text, the
// same bad-input reports in the same order, whatever the chunking, quoting, line ends, raggedness
// or separator; the first `wholeFirst` records whole; and it must go on after a checkpoint.

import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Event, Rec, Value } from '../../src/core/event.js';
import { decodeCsv } from '../../src/formats/csv.js';
import { decodeTsv } from '../../src/formats/tsv.js';
import type { DecodeOptions, Decoder } from '../../src/formats/types.js';
import { decode, everyN, SOURCE, type Decoded, values } from './helpers.js';

/** What the projected decoder should give: the whole decode with only `fields` kept (header order). */
function projected(whole: Decoded, fields: readonly string[], wholeFirst = 0): Decoded {
  const keep = new Set(fields);
  return {
    bad: whole.bad,
    events: whole.events.map((e, i) => {
      if (i < wholeFirst) return e;
      const v: Rec = {};
      for (const [k, x] of Object.entries(e.value as Rec)) if (keep.has(k)) Object.defineProperty(v, k, { value: x as Value, enumerable: true, writable: true, configurable: true });
      return { ...e, value: v };
    }),
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'a_2', '1', '2', '3', 'x y', '__proto__'];

function cellOf(sep: string) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('', '0', '-0', '7', '-12', '6.8', '1.50', '1e3', '1e+21', '0.0000001', '007', '123456789012345678', 'true', 'false', 'web', 'x y', ' pad ', 'a"b', '2024-05-01T12:00:00Z', '\uFFFD', 'é') },
    { weight: 2, arbitrary: fc.constantFrom(`"q${sep}r"`, '"say ""hi"""', '"two\nlines"', '"cr\r\nlf"', '""', '"3"', '"x"y', '"open') },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '1', '.', '-', sep, '"', ' ', '\r'), maxLength: 5 }) },
  );
}

/** Random csv: a header (maybe with duplicates), rows of random width, LF, CRLF or CR line ends, blank lines, a BOM. */
const csvText = fc.constantFrom(',', ';').chain((sep) =>
  fc
    .record({
      header: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'a', 'x y', '__proto__'), { minLength: 1, maxLength: 5 }),
      rows: fc.array(fc.array(cellOf(sep), { minLength: 1, maxLength: 6 }), { maxLength: 12 }),
      nl: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      blank: fc.nat(12),
      lastNewline: fc.boolean(),
    })
    .map(({ header, rows, nl, bom, blank, lastNewline }) => {
      const lines = [header.join(sep), ...rows.map((r) => r.join(sep))];
      if (blank < lines.length) lines.splice(blank, 0, '');
      return { sep, text: (bom ? '\uFEFF' : '') + lines.join(nl) + (lastNewline ? nl : '') };
    }),
);

const fieldsArb = fc.subarray(NAMES, { maxLength: 5 });

describe('csv decoder with fields (the columns the program reads)', () => {
  it('keeps only those columns, in header order, absent ones absent', () => {
    const text = 'ts,status,path,latency\n2024-05-01,500,/a,6.8\n2024-05-02,200,/b,1.50\n';
    expect(values(decode(decodeCsv, text, { fields: ['latency', 'status', 'nope'] }))).toEqual([
      { status: 500, latency: 6.8 },
      { status: 200, latency: '1.50' },
    ]);
    expect(values(decode(decodeCsv, text, { fields: [] }))).toEqual([{}, {}]);
    // a quoted line is projected too
    expect(values(decode(decodeCsv, 'a,b,c\n"x,1",2,"3"\n', { fields: ['c', 'a'] }))).toEqual([{ a: 'x,1', c: 3 }]);
  });

  it('reports ragged rows, bad quotes and blank lines exactly as the whole decoder', () => {
    const text = 'a,b,c\n1,2\n1,2,3,4\n\n"x"y,1,2\n5,6,7\n"open,1,2\n';
    const whole = decode(decodeCsv, text);
    const proj = decode(decodeCsv, text, { fields: ['b'] });
    expect(proj.bad).toEqual(whole.bad);
    expect(proj.bad.map((b) => b.reason)).toEqual(['expected 3 fields, found 2', 'expected 3 fields, found 4', 'unexpected character after closing quote (column 4)', 'unclosed quote at end of input']);
    expect(proj.events).toEqual([{ value: { b: 6 }, line: 6, raw: undefined }]);
  });

  it('builds the first wholeFirst records whole', () => {
    const d = decode(decodeCsv, 'a,b\n1,2\n3,4\n5,6\n', { fields: ['b'], wholeFirst: 2 });
    expect(values(d)).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }, { b: 6 }]);
  });

  it('tsv, which builds its records the same way, keeps only those columns too', () => {
    const text = 'a\tb\tc\n1\t2\t3\n4\t5\n';
    const whole = decode(decodeTsv, text);
    expect(decode(decodeTsv, text, { fields: ['c'] })).toEqual(projected(whole, ['c']));
    expect(values(decode(decodeTsv, text, { fields: ['c'] }))).toEqual([{ c: 3 }]);
  });

  it('names an implicit header 1, 2, 3 and projects on those names', () => {
    expect(values(decode(decodeCsv, 'x,1,y\nz,2,w\n', { implicitHeader: true, fields: ['2'] }))).toEqual([{ 2: 1 }, { 2: 2 }]);
  });

  it('equals the whole decode with the other columns left out, for random csv and any chunking', () => {
    fc.assert(
      fc.property(csvText, fieldsArb, fc.boolean(), fc.boolean(), fc.nat(3), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 9 }), ({ sep, text }, fields, infer, implicitHeader, wholeFirst, cuts, size) => {
          const opts: Partial<DecodeOptions> = { infer, implicitHeader, ifs: sep };
          const want = projected(decode(decodeCsv, text, opts), fields, wholeFirst);
          const popts = { ...opts, fields, wholeFirst };
          expect(decode(decodeCsv, text, popts)).toEqual(want);
          expect(decode(decodeCsv, text, popts, cuts.map((c) => c % (text.length + 1)))).toEqual(want);
          expect(decode(decodeCsv, text, popts, everyN(text, size))).toEqual(want);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('goes on after a checkpoint taken between any two chunks', () => {
    fc.assert(
      fc.property(csvText, fieldsArb, fc.integer({ min: 1, max: 9 }), fc.nat(), ({ sep, text }, fields, size, at) => {
        const opts: DecodeOptions = { infer: true, ifs: sep, fields };
        const want = decode(decodeCsv, text, opts);
        const got: Decoded = { events: [], bad: [] };
        const make = (): Decoder => decodeCsv(SOURCE, opts, (raw, reason, line) => got.bad.push({ raw, reason, line }), () => 1000);
        const chunks = everyN(text, size);
        const save = chunks.length === 0 ? -1 : at % chunks.length;
        let dec = make();
        const out: Event[] = [];
        let prev = 0;
        [...chunks, text.length].forEach((p, i) => {
          dec.write(text.slice(prev, p), out);
          prev = p;
          if (i === save) {
            const state = deserialize(serialize(dec.snapshot()));
            dec = make();
            dec.restore(state);
          }
        });
        dec.end(out);
        got.events = out.map((e) => ({ value: e.value, line: e.line, raw: e.raw }));
        expect(got).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});
