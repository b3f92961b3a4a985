// The projecting NDJSON reader against JSON.parse: on every line it either gives up (the decoder
// then takes the full path) or gives exactly the wanted fields of JSON.parse's record, and it never
// accepts a line JSON.parse refuses. The decoder with `fields` reports the same bad lines, in the same
// words, as without. Property tests on generated and mutated lines, and JSONTestSuite's files.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rec, Value } from '../../src/core/event.js';
import { MAX_DEPTH, tooDeep } from '../../src/core/depth.js';
import { LineProjector } from '../../src/formats/ndjson-project.js';
import { decodeNdjson } from '../../src/formats/ndjson.js';
import { messageDecoder } from '../../src/formats/index.js';
import type { BadValue } from '../../src/formats/spec.js';
import type { Event } from '../../src/core/event.js';
import { decode, SOURCE } from './helpers.js';

const SUITE = resolve(__dirname, '..', 'corpora/JSONTestSuite/test_parsing');

/** What the full path makes of a line: JSON.parse's value, or 'bad' (refused or too deep). */
function full(line: string): Value | 'bad' {
  let v: Value;
  try {
    v = JSON.parse(line) as Value;
  } catch {
    return 'bad';
  }
  return tooDeep(line, v) ? 'bad' : v;
}

function pick(v: Rec, fields: readonly string[]): Rec {
  const out: Rec = {};
  for (const f of fields) if (Object.hasOwn(v, f)) out[f] = v[f]!;
  return out;
}

/** The projector agrees with JSON.parse on `line`; returns whether it projected (did not give up). */
function agrees(line: string, fields: readonly string[]): boolean {
  const got = new LineProjector(fields).project(line);
  if (got === undefined) return false;
  const want = full(line);
  expect(want, `accepted a line the full path refuses: ${JSON.stringify(line)}`).not.toBe('bad');
  expect(typeof want === 'object' && want !== null && !Array.isArray(want)).toBe(true);
  // toStrictEqual tells -0 from 0 and an absent field from an undefined one
  expect(got, JSON.stringify(line)).toStrictEqual(pick(want as Rec, fields));
  return true;
}

const PLAIN_KEYS = ['a', 'b', 'status', 'st', 'x', '', ' ', 'é', ',', ':', 'a,b', '__proto__'];
/** keys JSON.stringify writes with an escape */
const ODD_KEYS = ['"', '\\', 'a\u0001', '"a":'];
const KEYS = [...PLAIN_KEYS, ...PLAIN_KEYS, ...PLAIN_KEYS, ...PLAIN_KEYS, ...ODD_KEYS];
const FIELDS = ['a', 'b', 'status', '', 'é', '"', ',', ':', 'a,b', '"a":'];

/** Number texts JSON.parse reads, odd ones included: -0, exponents, more digits than a double holds. */
const numberText = fc.oneof(
  { weight: 10, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => JSON.stringify(d)) },
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.integer().map(String),
  fc.constantFrom('-0', '0.0', '-0.0', '1e5', '1E+2', '1.5e-07', '2e-2', '1e22', '1e308', '1e400', '-1e400', '1e-400', '1E00', '0e0',
    '9007199254740993', '12345678901234567890', '0.1', '0.30000000000000004', '79.8', '123456789012345', '1234567890123456', '0.000001', '100000000000000000000000'),
);

/** A key as JSON text: plain, or with some characters written as escapes. */
const keyText = (k: string) => fc.oneof(
  { weight: 20, arbitrary: fc.constant(JSON.stringify(k)) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(k).replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)) },
);

/** whitespace inside a line: spaces (a line with a tab, CR or LF anywhere is left to the full path) */
const ws = fc.constantFrom('', '', '', ' ', '  ');
/** whitespace around a line: tab, CR and LF too */
const edge = fc.constantFrom('', '', '', ' ', '\t', '\r', ' \n');

/** A JSON value as text; objects may hold look-alikes of the wanted keys and repeat keys. */
const valueText: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText,
    fc.constantFrom('true', 'false', 'null', '"status"', '"a"', '"\\"status\\":1"', '"{\\"a\\":2}"', '"x\\u0000y"', '"\\/"', '"\\ud800"'),
    fc.string().map((s) => JSON.stringify(s)),
    fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s)),
    fc.array(tie('v'), { maxLength: 4 }).chain((vs) => ws.map((w) => `[${w}${vs.join(`${w},`)}]`)),
    fc.array(fc.tuple(fc.constantFrom(...KEYS).chain(keyText), tie('v'), ws), { maxLength: 4 })
      .map((ms) => `{${ms.map(([k, v, w]) => `${w}${k}${w}:${w}${v}${w}`).join(',')}}`),
  ),
})).v;

/** A line holding one object (repeated keys, whitespace, escapes in keys). */
const objectLine = fc.array(fc.tuple(fc.constantFrom(...KEYS).chain(keyText), valueText, ws, ws), { maxLength: 8 })
  .chain((ms) => edge.map((w) => `${w}{${ms.map(([k, v, w1, w2]) => `${w1}${k}${w2}:${w1}${v}${w2}`).join(',')}}${w}`));

/** A line with a few characters changed: most are invalid, some only look so. */
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\t', '0', '1', '9', '-', '+', '.', 'e', 'E', 't', 'f', 'n', 'u', 'a', '\u0000', '\u001f', '\u007f', 'é', '\ud800', '\r'];
const mutated = fc.tuple(objectLine, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...TOKENS), fc.constantFrom('insert', 'replace', 'delete')), { minLength: 1, maxLength: 3 }))
  .map(([line, edits]) => {
    let s = line;
    for (const [at, t, how] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      s = how === 'insert' ? s.slice(0, i) + t + s.slice(i) : how === 'replace' ? s.slice(0, i) + t + s.slice(i + 1) : s.slice(0, i) + s.slice(i + 1);
    }
    return s;
  });

/** A line with one structural character (bracket, quote, colon, comma, backslash) changed: the edits that break nesting. */
const structural = fc.tuple(objectLine, fc.nat(), fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', '', '  ', '0', 'é'))
  .map(([line, at, t]) => {
    const spots = [...line].flatMap((ch, i) => ('{}[]":,\\'.includes(ch) ? [i] : []));
    if (spots.length === 0) return line;
    const i = spots[at % spots.length]!;
    return line.slice(0, i) + t + line.slice(i + 1);
  });

const fields = fc.subarray(FIELDS, { minLength: 0, maxLength: 4 });

describe('the projecting reader agrees with JSON.parse', () => {
  it('on generated object lines (escapes, repeated keys, nested look-alikes, odd numbers, whitespace)', () => {
    let projected = 0;
    fc.assert(fc.property(objectLine, fields, (line, f) => {
      if (agrees(line, f)) projected++;
    }), { numRuns: 3000 });
    // a good share of lines take the projecting path (escaped keys, control characters and
    // three-digit exponents are left to the full path): the property says something about it
    expect(projected).toBeGreaterThan(500);
  });

  it('on mutated lines: never accepts what JSON.parse refuses', () => {
    fc.assert(fc.property(mutated, fields, (line, f) => {
      agrees(line, f);
    }), { numRuns: 5000 });
  });

  it('on lines with a bracket, quote, colon, comma or backslash changed', () => {
    fc.assert(fc.property(structural, fields, (line, f) => {
      agrees(line, f);
    }), { numRuns: 5000 });
  });

  it('on any text made of JSON tokens', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS, '"a"', '"status"', 'true', 'null', '12', '1.5'), { maxLength: 30 }).map((t) => t.join('')), fields, (line, f) => {
      agrees(`{${line}`, f);
      agrees(line, f);
    }), { numRuns: 3000 });
  });

  it('projects the common lines (flat and nested), and gives up on what the full path must say', () => {
    const p = new LineProjector(['status', 'a']);
    expect(p.project('{"ts":"2024-05-01","status":503,"latency_ms":79.8}')).toStrictEqual({ status: 503 });
    expect(p.project('{"msg":"\\"status\\":1","status":2,"req":{"status":3,"a":[{"a":4}]}}')).toStrictEqual({ status: 2 });
    expect(p.project('{"status":1,"status":-0}')).toStrictEqual({ status: -0 });
    expect(p.project('{"a":"status","b":{"status":1}}')).toStrictEqual({ a: 'status' });
    expect(p.project('{"a":{"x":[1,{"y":"\\u00e9"}]}}')).toStrictEqual({ a: { x: [1, { y: 'é' }] } });
    expect(p.project('{}')).toStrictEqual({});
    // not an object, an escaped key, a three-digit exponent (may overflow), invalid
    for (const line of ['[1]', '5', '"x"', '{"st\\u0061tus":1}', '{"b":1e400}', '{"b":1e-400}', '{"a":1,}', '{"a":01}', '{"a":"\t"}', '{"a":1} x', '{"a":[1}']) {
      expect(p.project(line), line).toBeUndefined();
    }
  });

  it('the depth limit: as deep as allowed is projected, one level more is left to the full path', () => {
    const nest = (levels: number) => `{"b":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},"a":1}`;
    const p = new LineProjector(['a']);
    expect(p.project(nest(MAX_DEPTH))).toStrictEqual({ a: 1 });
    expect(full(nest(MAX_DEPTH))).not.toBe('bad');
    expect(p.project(nest(MAX_DEPTH + 1))).toBeUndefined();
    expect(full(nest(MAX_DEPTH + 1))).toBe('bad');
  });

  it('a long flat line and a long broken one stay linear', () => {
    const members = Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`);
    const p = new LineProjector(['k49999']);
    const t = Date.now();
    expect(p.project(`{${members.join(',')}}`)).toStrictEqual({ k49999: 49999 });
    expect(p.project(`{${members.join(',')},}`)).toBeUndefined();
    expect(p.project(`{${members.slice(0, 2000).join(',')},}`)).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

/** The shape a projector has learned (white box: null while it has none). */
const shapeOf = (p: LineProjector): RegExp | null => (p as unknown as { shape: { re: RegExp } | null }).shape?.re ?? null;

/** keys for shapes: plain ones, and ones whose characters mean something in a regex */
const SHAPE_KEYS = ['a', 'b', 'status', 'ts', '', ' ', 'é', 'a.b', '(x)', '[', ']', '{', '}', '$', '^', '|', '/', '*', '+?', '-', '\u2028', ',', ':', 'a,b'];
const SHAPE_FIELDS = ['a', 'b', 'status', '', 'é', 'a.b', '(x)', '$', '\u2028', ',', ':'];
/** the text between tokens of one producer's lines: compact, Python's `, ` and `: `, or odd but valid */
const SEPARATORS = [[',', ':'], [', ', ': '], [' , ', ' :\t'], ['\t,\r', '\r:\n']] as const;

/** A flat value as text, of any kind FLAT allows, or now and then one it does not (nested, escaped, long exponent). */
const flatValue = fc.oneof(
  { weight: 12, arbitrary: fc.oneof(numberText, fc.constantFrom('true', 'false', 'null', '"status"', '"a"', '":"', '","', '"}"', '""'), fc.string().map((s) => JSON.stringify(s)), fc.string({ minLength: 13, maxLength: 40 }).map((s) => JSON.stringify(s))) },
  { weight: 1, arbitrary: valueText },
);

/**
 * Lines of one producer: a shape (keys, maybe repeated, and separators) and many lines filling it
 * with values; some lines have other keys, another order, other separators, or are mutated.
 */
const producerLines = fc.tuple(
  fc.array(fc.constantFrom(...SHAPE_KEYS), { maxLength: 9 }),
  fc.constantFrom(...SEPARATORS),
  fc.constantFrom('', ' ', '\t'),
).chain(([keys, [comma, colon], edge]) => {
  const line = (ks: readonly string[], vs: readonly string[]) => `${edge}{${edge}${ks.map((k, i) => `${JSON.stringify(k)}${colon}${vs[i]}`).join(comma)}${edge}}${edge}`;
  const same = fc.array(flatValue, { minLength: keys.length, maxLength: keys.length }).map((vs) => line(keys, vs));
  const other = fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...SHAPE_KEYS), flatValue), { maxLength: 9 }).map((ms) => line(ms.map((m) => m[0]), ms.map((m) => m[1]))),
    objectLine,
    mutated,
  );
  return fc.array(fc.oneof({ weight: 6, arbitrary: same }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 80 });
});

describe('the projecting reader learns the shape of flat lines', () => {
  it('agrees with JSON.parse and with a reader that has no shape (values and field order) on every line of a producer', () => {
    let shaped = 0;
    fc.assert(fc.property(producerLines, fc.subarray(SHAPE_FIELDS, { maxLength: 4 }), (lines, f) => {
      const p = new LineProjector(f);
      for (const line of lines) {
        const got = p.project(line);
        if (got === undefined) continue;
        agrees(line, f);
        // a reader that has no shape yet takes the flat path or the walk
        const fresh = new LineProjector(f).project(line);
        expect(got).toStrictEqual(fresh);
        expect(Object.keys(got), JSON.stringify(line)).toEqual(Object.keys(fresh!));
      }
      if (shapeOf(p) !== null) shaped++;
    }), { numRuns: 1500 });
    expect(shaped).toBeGreaterThan(500);
  });

  it('matches the lines of the shape it learned, with their separators, and only them', () => {
    const p = new LineProjector(['status', 'a']);
    expect(shapeOf(p)).toBeNull();
    expect(p.project('{"ts": "2024-05-01T12:00:00Z", "status": 200, "a.b": 1}')).toStrictEqual({ status: 200 });
    const re = shapeOf(p)!;
    expect(re).not.toBeNull();
    expect(re.test('{"ts": "x", "status": -1.5e-7, "a.b": null}')).toBe(true);
    // other separators, keys, order, nesting, escapes, exponents: not this shape
    for (const line of ['{"ts":"x","status":1,"a.b":1}', '{"ts": "x", "status": 1, "aXb": 1}', '{"status": 1, "ts": "x", "a.b": 1}',
      '{"ts": "x", "status": [1], "a.b": 1}', '{"ts": "\\u0078", "status": 1, "a.b": 1}', '{"ts": "x", "status": 1e400, "a.b": 1}', '{"ts": "x", "status": 1, "a.b": 1} ']) {
      expect(re.test(line), line).toBe(false);
    }
    expect(p.project('{"ts": "y", "status": 503, "a.b": true}')).toStrictEqual({ status: 503 });
  });

  it('takes the last of a repeated key, and gives the fields in the order of the reader without a shape', () => {
    const two = new LineProjector(['b', 'a']);
    const three = new LineProjector(['b', 'a', 'c']);
    for (let i = 0; i < 3; i++) {
      const line = `{"a":${i},"c":"x","b":true,"a":${i + 10}}`;
      expect(Object.entries(two.project(line)!)).toEqual([['b', true], ['a', i + 10]]);
      expect(Object.entries(three.project(line)!)).toEqual([['a', i + 10], ['c', 'x'], ['b', true]]);
    }
    expect(shapeOf(two)).not.toBeNull();
    expect(shapeOf(three)).not.toBeNull();
  });

  it('a learned shape of many members stays linear on a long line that breaks at its end', () => {
    const p = new LineProjector(['k0']);
    const line = (v: string) => `{${Array.from({ length: 200 }, (_, i) => `"k${i}":${v}`).join(',')}}`;
    expect(p.project(line('1'))).toStrictEqual({ k0: 1 });
    expect(shapeOf(p)).not.toBeNull();
    const long = '9'.repeat(300);
    const t = Date.now();
    expect(p.project(line(`"${'x'.repeat(300)}"`))).toStrictEqual({ k0: 'x'.repeat(300) });
    for (const broken of [`${line(long).slice(0, -1)},}`, `${line(`${long}.5`).slice(0, -1)} x`, line(`${long}e`)]) {
      for (let i = 0; i < 20; i++) expect(p.project(broken)).toBeUndefined();
    }
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('learns a new shape when the lines change, and stops learning when they never settle', () => {
    const p = new LineProjector(['a']);
    for (let i = 0; i < 100; i++) p.project(`{"a":${i},"b":1}`);
    const first = shapeOf(p);
    for (let i = 0; i < 100; i++) expect(p.project(`{"b":1,"a":${i}}`)).toStrictEqual({ a: i });
    expect(shapeOf(p)).not.toBe(first);
    expect(shapeOf(p)!.test('{"b":1,"a":7}')).toBe(true);
    // every line a new shape: at most 64 are learned, and every line is still right
    const q = new LineProjector(['a']);
    const seen = new Set<RegExp>();
    for (let i = 0; i < 5000; i++) {
      expect(q.project(`{"k${i}":1,"a":${i}}`)).toStrictEqual({ a: i });
      const re = shapeOf(q);
      if (re !== null) seen.add(re);
    }
    expect(seen.size).toBeLessThanOrEqual(64);
  });
});

describe('the ndjson decoder with fields', () => {
  const both = (text: string, f: readonly string[], wholeFirst = 0) => {
    const whole = decode(decodeNdjson, text);
    const part = decode(decodeNdjson, text, { fields: f, wholeFirst });
    // bad lines: the same raw text, reason and line
    expect(part.bad).toEqual(whole.bad);
    expect(part.events.map((e) => [e.line, e.raw])).toEqual(whole.events.map((e) => [e.line, e.raw]));
    part.events.forEach((e, i) => {
      const w = whole.events[i]!.value;
      if (i < wholeFirst) expect(e.value).toStrictEqual(w);
      else if (typeof w === 'object' && w !== null && !Array.isArray(w)) {
        // either projected or whole (the full path); the wanted fields are the same
        expect(pick(e.value as Rec, f)).toStrictEqual(pick(w, f));
      } else expect(e.value).toStrictEqual(w);
    });
    return part;
  };

  it('reports the same bad lines in the same words, on generated and mutated lines', () => {
    fc.assert(fc.property(fc.array(fc.oneof(objectLine, mutated, fc.constantFrom('', '  ', '[1,2]', '7', '{"a":1e999}')), { maxLength: 12 }), fields, fc.nat(3), (lines, f, n) => {
      both(lines.join('\n'), f, n);
    }), { numRuns: 500 });
  });

  it('reads whole records when asked for a field named __proto__', () => {
    const d = decode(decodeNdjson, '{"__proto__":{"a":1},"b":2}\n', { fields: ['__proto__'] });
    expect(d.events[0]!.value).toStrictEqual(JSON.parse('{"__proto__":{"a":1},"b":2}'));
  });

  it('decodes the first wholeFirst good records whole, then projects', () => {
    const text = '{"a":1,"b":2}\nbad\n{"a":3,"b":4}\n{"a":5,"b":6}\n';
    expect(both(text, ['a'], 2).events.map((e) => e.value)).toStrictEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }, { a: 5 }]);
  });

  it('on every file of JSONTestSuite: same accept or reject, same message, same values of the fields', () => {
    const names = readdirSync(SUITE).sort();
    expect(names.length).toBeGreaterThan(300);
    let projected = 0;
    for (const name of names) {
      const text = readFileSync(join(SUITE, name), 'utf8');
      const v = full(text);
      const keys = v !== 'bad' && typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
      const f = [...new Set([...keys, 'a', 'foo', ''])].filter((k) => k !== '__proto__');
      both(text, f);
      if (!/[\n\r]/.test(text) && agrees(text, f)) projected++;
    }
    expect(projected).toBeGreaterThanOrEqual(8);
  });
});

describe('Kafka message values with fields (messageDecoder)', () => {
  type Format = Parameters<typeof messageDecoder>[0];
  const run = (format: Format, texts: string[], f: readonly string[] | null, wholeFirst = 0) => {
    const events: Event[] = [];
    const bad: BadValue[] = [];
    const d = messageDecoder(format, true, f, wholeFirst);
    texts.forEach((t, i) => d(t, SOURCE, events, bad, () => `t/0@${i}`, 1000 + i));
    return { events, bad };
  };
  /** with fields, against whole records: the same bad values and words, raw and origin texts; the fields' values */
  const both = (format: Format, texts: string[], f: readonly string[], wholeFirst = 0) => {
    const whole = run(format, texts, null);
    const part = run(format, texts, f, wholeFirst);
    expect(part.bad).toEqual(whole.bad);
    expect(part.events.map((e) => [e.raw, e.origin, e.timestamp])).toEqual(whole.events.map((e) => [e.raw, e.origin, e.timestamp]));
    part.events.forEach((e, i) => {
      const w = whole.events[i]!.value;
      if (i < wholeFirst || e.raw === undefined) expect(e.value).toStrictEqual(w);
      else if (typeof w === 'object' && w !== null && !Array.isArray(w)) expect(pick(e.value as Rec, f)).toStrictEqual(pick(w, f));
      else expect(e.value).toStrictEqual(w);
    });
    return part;
  };

  it('builds only the fields a program reads from a one-line JSON value, and keeps its text', () => {
    for (const format of ['auto', 'ndjson', 'json'] as const) {
      const { events } = run(format, ['{"id":7,"service":"svc1","status":200,"latency_ms":12.5}'], ['service']);
      expect(events.map((e) => [e.value, e.raw]), format).toStrictEqual([[{ service: 'svc1' }, '{"id":7,"service":"svc1","status":200,"latency_ms":12.5}']]);
    }
  });

  it('decodes whole a value of several lines (no raw text to write it from), logfmt and text values, and other formats', () => {
    expect(run('auto', ['{"a":1,\n"b":2}'], ['a']).events.map((e) => [e.value, e.raw])).toStrictEqual([[{ a: 1, b: 2 }, undefined]]);
    expect(run('auto', ['a=1 b=2', 'plain'], ['a']).events.map((e) => e.value)).toStrictEqual([{ a: 1, b: 2 }, { line: 'plain' }]);
    expect(run('logfmt', ['a=1 b=2'], ['a']).events.map((e) => e.value)).toStrictEqual([{ a: 1, b: 2 }]);
    expect(run('csv', ['a,b\n1,2'], ['a']).events.map((e) => e.value)).toStrictEqual([{ a: 1, b: 2 }]);
  });

  it('decodes the first wholeFirst good values whole, then projects', () => {
    const part = both('auto', ['{"a":1,"b":2}', '{"a":', '{"a":3,"b":4}', '{"a":5,"b":6}'], ['a'], 2);
    expect(part.events.map((e) => e.value)).toStrictEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }, { a: 5 }]);
  });

  it('reports the same bad values in the same words, on generated and mutated values', () => {
    const value = fc.oneof(objectLine, mutated, structural, objectLine.map((l) => l.replace(',', ',\n')), fc.constantFrom('', ' ', '[1,2]', '7', '{"a":1e999}', 'a=1', 'x'));
    for (const format of ['auto', 'ndjson', 'json'] as const) {
      fc.assert(fc.property(fc.array(value, { maxLength: 8 }), fields, fc.nat(2), (texts, f, n) => {
        both(format, texts, f, n);
      }), { numRuns: 300 });
    }
  });
});
