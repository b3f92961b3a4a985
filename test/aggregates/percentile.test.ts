// Percentiles: the exact phase against a reference sort, and the DDSketch phase (past
// EXACT_LIMIT values per group) against the exact value at the same rank, within 1%.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALPHA, DDSketch } from '../../src/aggregates/ddsketch.js';
import { EXACT_LIMIT } from '../../src/aggregates/percentile.js';
import { accumulate, normal, referencePercentile, rng, run, sortedCopy } from './helpers.js';

const TOLERANCE = ALPHA * (1 + 1e-9); // 1%, allowing for the rounding of log/exp at bucket edges

function relErr(got: number, exact: number): number {
  return exact === 0 ? Math.abs(got) : Math.abs(got - exact) / Math.abs(exact);
}

describe('exact phase', () => {
  it('agrees with a reference sort for any q', () => {
    const num = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MAX_VALUE),
    );
    fc.assert(
      fc.property(fc.array(num, { maxLength: 300 }), fc.double({ min: 0, max: 100, noNaN: true }), (xs, q) => {
        const exact = referencePercentile(sortedCopy(xs), q);
        expect(run('percentile', xs, [q])).toBe(exact);
      }),
      { numRuns: 500 },
    );
  });

  it('ignores non-numeric values and reads numeric strings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constantFrom(null, undefined, 'x', true, { a: 1 }))), (mixed) => {
        const nums = mixed.filter((v): v is number => typeof v === 'number');
        const asStrings = mixed.map((v) => (typeof v === 'number' ? String(v) : v));
        for (const name of ['p50', 'p90', 'p95', 'p99']) {
          const q = Number(name.slice(1));
          expect(run(name, mixed)).toBe(referencePercentile(sortedCopy(nums), q));
          expect(run(name, asStrings)).toBe(referencePercentile(sortedCopy(nums), q));
        }
      }),
      { numRuns: 200 },
    );
  });

  it(`stays exact up to ${EXACT_LIMIT} values`, () => {
    const r = rng(3);
    const xs = Array.from({ length: EXACT_LIMIT }, () => Math.round(r() * 1e6) / 1000);
    const sorted = sortedCopy(xs);
    for (const q of [0, 1, 50, 90, 95, 99, 99.99, 100]) expect(run('percentile', xs, [q])).toBe(referencePercentile(sorted, q));
  });
});

describe('sketch phase (DDSketch, α = 1%)', () => {
  const r = rng(2024);
  const distributions: [string, () => number][] = [
    ['uniform', () => r() * 1000],
    ['lognormal', () => Math.exp(3 + 2 * normal(r))],
    ['normal with negatives', () => 50 * normal(r) - 10],
    ['heavy tail, zeros and negatives', () => (r() < 0.2 ? 0 : r() < 0.3 ? -Math.exp(normal(r)) : 1 / (1 - r()) ** 2)],
    ['tiny magnitudes', () => r() * 1e-200],
    ['integers with repeats', () => Math.floor(r() * 50)],
  ];
  for (const [name, gen] of distributions) {
    for (const n of [50_000, 200_000]) {
      it(`${name}, n = ${n}: p50/p90/p99 within 1% of the exact rank value`, () => {
        const xs = Array.from({ length: n }, gen);
        const sorted = sortedCopy(xs);
        for (const [fn, q] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
          const got = run(fn, xs) as number;
          expect(relErr(got, referencePercentile(sorted, q)!), `${fn}`).toBeLessThanOrEqual(TOLERANCE);
        }
        for (const q of [0.1, 25, 99.9]) {
          const got = run('percentile', xs, [q]) as number;
          expect(relErr(got, referencePercentile(sorted, q)!), `q=${q}`).toBeLessThanOrEqual(TOLERANCE);
        }
        expect(run('percentile', xs, [0])).toBe(sorted[0]);
        expect(run('percentile', xs, [100])).toBe(sorted[n - 1]);
      });
    }
  }

  it('switches at the limit and keeps answering within 1% as values arrive', () => {
    const acc = accumulate('p50', []);
    const seen: number[] = [];
    const g = rng(11);
    for (let i = 0; i < 3 * EXACT_LIMIT; i++) {
      const x = Math.exp(normal(g));
      acc.add(x);
      seen.push(x);
      if (i % 2500 === 2499 || i === EXACT_LIMIT - 1 || i === EXACT_LIMIT) {
        const exact = referencePercentile(sortedCopy(seen), 50)!;
        const got = acc.result() as number;
        if (seen.length <= EXACT_LIMIT) expect(got).toBe(exact);
        else expect(relErr(got, exact)).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('every rank of a sketch is within α of the exact value, over the whole double range', () => {
    const g = rng(77);
    const xs = Array.from({ length: 20_000 }, () => (g() < 0.5 ? -1 : 1) * 10 ** (g() * 600 - 300));
    xs.push(0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE);
    const s = new DDSketch();
    for (const x of xs) s.add(x);
    const sorted = sortedCopy(xs);
    for (let rank = 0; rank < sorted.length; rank += 7) {
      expect(relErr(s.valueAtRank(rank), sorted[rank]!), `rank ${rank}`).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(s.valueAtRank(sorted.length - 1)).toBe(Number.MAX_VALUE);
  });
});
