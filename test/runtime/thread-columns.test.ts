// The columns that carry decoded records from a worker thread of --threads ('decode' mode) give
// back the values the worker decoded, and the lines, whatever the records hold.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeEvent, type Event, type Value } from '../../src/core/event.js';
import { fromColumns, toColumns } from '../../src/runtime/thread-columns.js';

const FIELDS = ['a', 'b', 'toString', 'c d'];

const scalar = fc.oneof(fc.double(), fc.integer(), fc.constant(-0), fc.string(), fc.constantFrom('x', 'yy', ''), fc.boolean(), fc.constant(null));
const nested = fc.oneof(fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 3 }));
// a projected record: some of the fields, plain values; or anything a line may hold
const projected = fc.record({ a: scalar, b: scalar, toString: scalar, 'c d': scalar }, { requiredKeys: [] });
const value: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: projected as fc.Arbitrary<Value> },
  { weight: 1, arbitrary: fc.record({ a: nested, b: scalar }) as fc.Arbitrary<Value> },
  { weight: 1, arbitrary: fc.record({ a: scalar, other: scalar }) as fc.Arbitrary<Value> },
  { weight: 1, arbitrary: fc.oneof(scalar, fc.array(scalar)) as fc.Arbitrary<Value> },
);

/** Events as a decoder makes them: the line is the value's JSON text. */
function events(values: Value[]): Event[] {
  return values.map((v, i) => makeEvent(v, JSON.stringify(v), { name: 'w' }, i * 2 + 1, 7));
}

/** Deep equality that tells -0 from 0. */
function same(x: unknown, y: unknown): boolean {
  if (typeof x === 'number' || typeof y === 'number') return Object.is(x, y);
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return x === y;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x as object);
  const ky = Object.keys(y as object);
  if (kx.length !== ky.length) return false;
  return kx.every((k) => Object.hasOwn(y as object, k) && same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

describe('thread columns', () => {
  it('give back every value, number, string and line', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), fc.integer({ min: 1, max: 1e6 }), (values, base) => {
        const evs = events(values);
        const out: Event[] = [];
        const source = { name: 'file.ndjson' };
        fromColumns(toColumns(evs, FIELDS, 0), FIELDS, source, base, 99, out);
        expect(out.length).toBe(evs.length);
        for (let i = 0; i < evs.length; i++) {
          // a record decoded whole comes back through JSON.parse of its line, as one thread parses it
          const want = JSON.parse(evs[i]!.raw!) as Value;
          const direct = evs[i]!.value;
          const got = out[i]!.value;
          expect(same(got, direct) || same(got, want), JSON.stringify([got, direct])).toBe(true);
          expect(out[i]!.line).toBe(base + evs[i]!.line - 1);
          expect(out[i]!.source).toBe(source);
          expect(out[i]!.timestamp).toBe(99);
          expect(out[i]!.raw).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keep -0 and the doubles of projected records exactly, and each distinct string once', () => {
    const evs = events([{ a: -0, b: 'svc' }, { a: 0.1 + 0.2, b: 'svc' }, { a: 1e308, b: 'other' }, { b: 'svc' }]);
    const cols = toColumns(evs, ['a', 'b'], 0);
    expect(cols.strs).toEqual(['svc', 'other']);
    const out: Event[] = [];
    fromColumns(cols, ['a', 'b'], { name: 'f' }, 1, 0, out);
    expect(Object.is(out[0]!.value && (out[0]!.value as { a: number }).a, -0)).toBe(true);
    expect(out.map((e) => e.value)).toEqual([{ a: -0, b: 'svc' }, { a: 0.1 + 0.2, b: 'svc' }, { a: 1e308, b: 'other' }, { b: 'svc' }]);
  });

  it('send a record with other fields, a nested value or a non-object as its line', () => {
    const evs = [makeEvent({ a: 1, z: 2 }, '{"a":1,"z":2}', { name: 'w' }, 1, 0), makeEvent({ a: [-0] }, '{"a":[-0]}', { name: 'w' }, 2, 0), makeEvent('s', '"s"', { name: 'w' }, 3, 0)];
    const cols = toColumns(evs, ['a'], 0);
    expect(cols.strs).toEqual(['{"a":1,"z":2}', '{"a":[-0]}', '"s"']);
    const out: Event[] = [];
    fromColumns(cols, ['a'], { name: 'f' }, 1, 0, out);
    expect(Object.is((out[1]!.value as { a: number[] }).a[0], -0)).toBe(true);
    expect(out.map((e) => e.value)).toEqual([{ a: 1, z: 2 }, { a: [-0] }, 's']);
  });
});
