import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, TOO_DEEP, depthOver, tooDeep } from '../../src/core/depth.js';
import type { Value } from '../../src/core/event.js';
import { decodeJson } from '../../src/formats/json.js';
import { decodeNdjson } from '../../src/formats/ndjson.js';
import { jsonParser } from '../../src/formats/parse/json.js';
import { jsonMessage } from '../../src/formats/spec.js';
import { decode } from '../formats/helpers.js';

/** The obvious recursive depth, as the reference. */
function depth(v: Value): number {
  if (typeof v !== 'object' || v === null) return 0;
  let d = 0;
  for (const e of Array.isArray(v) ? v : Object.values(v)) d = Math.max(d, depth(e));
  return d + 1;
}

const nested = (n: number, open = '[', close = ']'): string => open.repeat(n) + close.repeat(n);

describe('depthOver', () => {
  it('agrees with a recursive depth on random values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (v, max) => {
      expect(depthOver(v as Value, max)).toBe(depth(v as Value) > max);
    }));
  });

  it('walks values far deeper than the stack allows', () => {
    const v = JSON.parse(nested(200_000)) as Value;
    expect(depthOver(v, MAX_DEPTH)).toBe(true);
    expect(depthOver(v, 200_000)).toBe(false);
  });

  it('tooDeep: exactly MAX_DEPTH is fine, one more is not', () => {
    const ok = `{"a":${nested(MAX_DEPTH - 1)}}`;
    const over = `{"a":${nested(MAX_DEPTH)}}`;
    expect(tooDeep(ok, JSON.parse(ok) as Value)).toBe(false);
    expect(tooDeep(over, JSON.parse(over) as Value)).toBe(true);
  });
});

describe('decoders refuse values nested deeper than MAX_DEPTH, as located bad input', () => {
  const deep = `{"x":${nested(5000)}}`;
  const fine = `{"x":${nested(MAX_DEPTH - 1)}}`;
  const text = `{"i":1}\n${deep}\n${fine}\n{"i":2}\n`;

  it('ndjson', () => {
    const d = decode(decodeNdjson, text);
    expect(d.events.map((e) => e.line)).toEqual([1, 3, 4]);
    expect(d.bad).toEqual([{ raw: deep, reason: TOO_DEEP, line: 2 }]);
  });

  it('json, in any chunking', () => {
    for (const cuts of [[], [3, 700, 5000, 9000]]) {
      const d = decode(decodeJson, `[${text.trim().split('\n').join(',\n')}]`, {}, cuts);
      expect(d.events.map((e) => e.line)).toEqual([1, 3, 4]);
      expect(d.bad.map((b) => [b.reason, b.line])).toEqual([[TOO_DEEP, 2]]);
    }
  });

  it('a Kafka message value and `parse json`', () => {
    const out: never[] = [];
    const bad: { reason: string }[] = [];
    jsonMessage(deep, { name: 't' }, out, bad as never, () => 't/0@1', 0);
    expect(out).toEqual([]);
    expect(bad.map((b) => b.reason)).toEqual([TOO_DEEP]);
    const p = jsonParser.create(undefined, { infer: true });
    expect(p.parse(deep)).toBe(TOO_DEEP);
    expect(typeof p.parse(fine)).toBe('object');
  });
});
