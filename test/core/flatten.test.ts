// flattenRecord: Miller's flatten (a.b for objects, a.1 for arrays, "{}"/"[]" for empty ones).
// The properties: no leaf is lost, and unflattening the keys gives the record back.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenRecord, hasNested } from '../../src/core/flatten.js';
import type { Rec, Value } from '../../src/core/event.js';

/** Keys without the separator, and that are not all digits (so a path segment says which container it came from). */
const key = fc.stringMatching(/^[a-z][a-z0-9_ ]{0,5}$/);
/** Leaves that are not the texts an empty container becomes. */
const leaf = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string().filter((s) => s !== '{}' && s !== '[]'));
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;
const record = fc.dictionary(key, value, { maxKeys: 5 }) as fc.Arbitrary<Rec>;

/** The leaves of a value with their paths (what flatten must keep). */
function leaves(v: Value, path: string[], out: [string[], Value][]): [string[], Value][] {
  if (Array.isArray(v)) {
    if (v.length === 0) out.push([path, '[]']);
    v.forEach((x, i) => leaves(x, [...path, String(i + 1)], out));
  } else if (typeof v === 'object' && v !== null) {
    const ks = Object.keys(v);
    if (ks.length === 0) out.push([path, '{}']);
    for (const k of ks) leaves(v[k]!, [...path, k], out);
  } else {
    out.push([path, v]);
  }
  return out;
}

/** The reference inverse: split keys on the separator; an all-digit segment is an array position from 1. */
function unflatten(flat: Rec, sep: string): Rec {
  const root: Rec = {};
  for (const [k, v] of Object.entries(flat)) {
    const segs = k.split(sep);
    let cur: Value = root;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      const last = i === segs.length - 1;
      const next = segs[i + 1];
      const fresh = (): Value => (last ? (v === '{}' ? {} : v === '[]' ? [] : v) : /^[0-9]+$/.test(next!) ? [] : {});
      if (Array.isArray(cur)) {
        const idx = Number(s) - 1;
        if (cur[idx] === undefined) cur[idx] = fresh();
        cur = cur[idx]!;
      } else {
        const o = cur as Rec;
        if (!Object.hasOwn(o, s)) o[s] = fresh();
        cur = o[s]!;
      }
    }
  }
  return root;
}

describe('flattenRecord', () => {
  it('follows Miller: a.b, a.1, and {} / [] for empty containers', () => {
    expect(flattenRecord({ a: { b: 1, c: [true, { d: null }] }, e: {}, f: [], g: 'x' }, '.'))
      .toEqual({ 'a.b': 1, 'a.c.1': true, 'a.c.2.d': null, e: '{}', f: '[]', g: 'x' });
    expect(flattenRecord({ a: { b: 1 } }, ':')).toEqual({ 'a:b': 1 });
    expect(Object.keys(flattenRecord({ z: 1, a: { y: 2, b: 3 }, c: 4 }, '.'))).toEqual(['z', 'a.y', 'a.b', 'c']);
  });

  it('keeps __proto__ as an ordinary key', () => {
    const r = JSON.parse('{"__proto__":{"x":1},"a":{"__proto__":2}}') as Rec;
    const f = flattenRecord(r, '.');
    expect(Object.keys(f)).toEqual(['__proto__.x', 'a.__proto__']);
    expect(({} as Rec).x).toBeUndefined();
  });

  it('loses no leaf: every leaf is one key holding its value, and nothing is left nested', () => {
    fc.assert(fc.property(record, (r) => {
      const f = flattenRecord(r, '.');
      const want: [string[], Value][] = [];
      for (const k of Object.keys(r)) leaves(r[k]!, [k], want);
      expect(Object.keys(f).length).toBe(want.length);
      for (const [path, v] of want) expect(f[path.join('.')]).toEqual(v);
      expect(hasNested(f)).toBe(false);
    }), { numRuns: 500 });
  });

  it('round-trips: unflattening the keys gives the record back', () => {
    fc.assert(fc.property(record, fc.constantFrom('.', ':', '/'), (r, sep) => {
      expect(unflatten(flattenRecord(r, sep), sep)).toEqual(r);
    }), { numRuns: 500 });
  });

  it('leaves a flat record as it is', () => {
    fc.assert(fc.property(fc.dictionary(key, leaf), (r) => {
      expect(hasNested(r as Rec)).toBe(false);
      expect(flattenRecord(r as Rec, '.')).toEqual(r);
    }));
  });
});
