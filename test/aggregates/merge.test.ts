// merge() over any split of the input, in any merge-tree shape, must give what one
// accumulator over the whole input gives: exactly for the exact aggregates and for both
// sketches (whose merge is lossless), within rounding for the floating-point sums/moments.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/core/event.js';
import { EXACT_LIMIT } from '../../src/aggregates/percentile.js';
import { accumulate, mergeTree, normal, rng, run } from './helpers.js';

const scalar: fc.Arbitrary<Value | undefined> = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.constantFrom<Value | undefined>(null, undefined, true, false, '', '7', '-2.5', '1e3', 'abc', 'b', 'a'),
  fc.string({ maxLength: 3 }),
);
const value: fc.Arbitrary<Value | undefined> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 2 }), { maxKeys: 2 }) },
);
const values = fc.array(value, { maxLength: 60 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 20 });

const EXACT: [string, Value[], number][] = [
  ['count', [], 0], ['count', [], 1], ['min', [], 1], ['max', [], 1], ['first', [], 1], ['last', [], 1],
  ['distinct', [], 1], ['approx_distinct', [], 1], ['collect', [], 1], ['top', [3], 1], ['top', [], 1],
  ['p50', [], 1], ['p99', [], 1], ['percentile', [0], 1], ['percentile', [37.5], 1], ['percentile', [100], 1],
];

describe('merge equals one accumulator over the whole input', () => {
  for (const [name, params, argCount] of EXACT) {
    it(`${name}(${argCount ? 'x' : ''}${params.map((p) => `, ${p}`).join('')}) exactly`, () => {
      fc.assert(
        fc.property(values, cuts, (vs, cs) => {
          const whole = run(name, vs, params, argCount);
          expect(mergeTree(name, vs, cs, params, argCount).result()).toEqual(whole);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('sum and avg exactly on integers', () => {
    const ints = fc.array(fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.constant(null)), { maxLength: 60 });
    fc.assert(
      fc.property(ints, cuts, (vs, cs) => {
        expect(mergeTree('sum', vs, cs).result()).toBe(run('sum', vs));
        expect(mergeTree('avg', vs, cs).result()).toBe(run('avg', vs));
      }),
      { numRuns: 300 },
    );
  });

  it('sum, avg, var and stddev within rounding on doubles', () => {
    const doubles = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { maxLength: 60 });
    fc.assert(
      fc.property(doubles, cuts, (vs, cs) => {
        const scale = vs.reduce((s, x) => s + Math.abs(x), 0);
        for (const name of ['sum', 'avg']) {
          const a = run(name, vs) as number | null;
          const b = mergeTree(name, vs, cs).result() as number | null;
          if (a === null) expect(b).toBeNull();
          else expect(Math.abs(a - b!)).toBeLessThanOrEqual(1e-15 * scale);
        }
        for (const name of ['var', 'stddev']) {
          const a = run(name, vs) as number | null;
          const b = mergeTree(name, vs, cs).result() as number | null;
          if (a === null) expect(b).toBeNull();
          else expect(Math.abs(a - b!)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), 1e-300) + 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('percentiles across the exact limit: exact+exact, exact+sketch, sketch+exact, sketch+sketch', () => {
    const sizes = [EXACT_LIMIT, EXACT_LIMIT + 1, 2 * EXACT_LIMIT + 7, 35_000];
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...sizes), cuts, fc.constantFrom(50, 90, 99, 0, 100, 12.5), (seed, n, cs, q) => {
        const r = rng(seed);
        const vs = Array.from({ length: n }, () => (r() < 0.1 ? -1 : 1) * Math.exp(normal(r) * 2));
        const whole = run('percentile', vs, [q]);
        expect(mergeTree('percentile', vs, cs, [q], 1, 1000).result()).toBe(whole);
      }),
      { numRuns: 12 },
    );
    // lopsided splits that exercise each mixed case deterministically
    const r = rng(7);
    const vs = Array.from({ length: 3 * EXACT_LIMIT }, () => normal(r) * 100);
    for (const at of [10, EXACT_LIMIT - 1, EXACT_LIMIT, EXACT_LIMIT + 1, 2 * EXACT_LIMIT, 3 * EXACT_LIMIT - 10]) {
      const a = accumulate('p90', vs.slice(0, at));
      a.merge(accumulate('p90', vs.slice(at)));
      expect(a.result(), `split at ${at}`).toBe(run('p90', vs));
    }
  });

  it('approx_distinct across the sparse/dense switch', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(1000, 3000, 3100, 5000, 40_000), cuts, (seed, n, cs) => {
        const vs = Array.from({ length: n }, (_, i) => `${seed}:${i % Math.ceil(n * 0.8)}`);
        expect(mergeTree('approx_distinct', vs, cs, [], 1, 200).result()).toBe(run('approx_distinct', vs));
      }),
      { numRuns: 25 },
    );
  });

  it('first/last/collect/top treat the merged-in accumulator as later input', () => {
    const a = accumulate('top', ['x', 'y']);
    a.merge(accumulate('top', ['z', 'z', 'y', 'w']));
    expect(a.result()).toEqual([{ value: 'y', count: 2 }, { value: 'z', count: 2 }, { value: 'x', count: 1 }, { value: 'w', count: 1 }]);
    const f = accumulate('first', [null]);
    f.merge(accumulate('first', [2, 3]));
    expect(f.result()).toBe(2);
    const l = accumulate('last', [1, 2]);
    l.merge(accumulate('last', [null]));
    expect(l.result()).toBe(2);
  });
});
