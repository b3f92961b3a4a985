// HyperLogLog accuracy and the quality of the 64-bit hash under it. Inputs are fixed
// (seeded), so these statistical checks are deterministic; their bounds are several
// standard deviations wide, so they hold for any reasonable seed.

import { describe, expect, it } from 'vitest';
import { hashNumber, hashOut, hashString, hashValue } from '../../src/aggregates/hash.js';
import { HyperLogLog, M, P } from '../../src/aggregates/hyperloglog.js';
import { accumulate, rng } from './helpers.js';

const SE = 1.04 / Math.sqrt(M); // 0.8125%

function estimateOf(n: number, key: (i: number) => string | number): number {
  const acc = accumulate('approx_distinct', []);
  for (let i = 0; i < n; i++) acc.add(key(i));
  return acc.result() as number;
}

describe('approx_distinct accuracy', () => {
  it('states the standard error it achieves', () => {
    expect(SE).toBeCloseTo(0.0081, 4);
  });

  for (const n of [1_000, 100_000, 1_000_000]) {
    it(`is within 3 standard errors for ${n.toLocaleString('en')} distinct strings`, () => {
      const est = estimateOf(n, (i) => `user-${i}@example.com`);
      expect(Math.abs(est / n - 1)).toBeLessThan(3 * SE);
    });
  }

  it('is within 3 standard errors for sequential integers and repeated values', () => {
    for (const n of [1_000, 100_000, 1_000_000]) {
      expect(Math.abs(estimateOf(n, (i) => i) / n - 1), `ints ${n}`).toBeLessThan(3 * SE);
    }
    const acc = accumulate('approx_distinct', []);
    for (let i = 0; i < 400_000; i++) acc.add(`k${i % 80_000}`);
    expect(Math.abs((acc.result() as number) / 80_000 - 1)).toBeLessThan(3 * SE);
  });

  it('has no bias across the range, including where classic HLL switches estimators (≈40k)', () => {
    // the mean relative error of many sketches (fed random 64-bit hashes) must be near 0;
    // its standard error is SE/√trials, and classic HLL is ~2.5% off at 41k
    const r = rng(5);
    for (const n of [10_000, 41_000, 60_000]) {
      const trials = 30;
      let sum = 0;
      for (let t = 0; t < trials; t++) {
        const h = new HyperLogLog();
        for (let i = 0; i < n; i++) h.addHash((r() * 2 ** 32) | 0, (r() * 2 ** 32) | 0);
        sum += h.estimate() / n - 1;
      }
      expect(Math.abs(sum / trials), `n = ${n}`).toBeLessThan((4 * SE) / Math.sqrt(trials));
    }
  });

  it('counts small sets exactly (sparse mode)', () => {
    for (const n of [1, 2, 10, 100, 1000, 3000]) expect(estimateOf(n, (i) => `s${n}-${i}`)).toBe(n);
  });
});

describe('64-bit value hash', () => {
  it('separates types and normalises -0', () => {
    const h = (v: Parameters<typeof hashValue>[0]) => (hashValue(v), `${hashOut[0]}:${hashOut[1]}`);
    const all = [h(1), h('1'), h(true), h('true'), h([1]), h('[1]'), h(0), h(''), h(false), h({}), h([])];
    expect(new Set(all).size).toBe(all.length);
    expect(h(-0)).toBe(h(0));
    expect(h(1.0)).toBe(h(1));
  });

  it('has no collisions among 1M sequential keys', () => {
    // 53 of the 64 bits as one exact double; expected collisions n²/2^54 ≈ 0.00006
    const n = 1_000_000;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      hashString(`id${i}`);
      keys[i] = hashOut[0]! * 2 ** 21 + (hashOut[1]! >>> 11);
    }
    keys.sort();
    let dups = 0;
    for (let i = 1; i < n; i++) if (keys[i] === keys[i - 1]) dups++;
    expect(dups).toBe(0);
  });

  it('avalanches: each input bit flips each output bit with probability ≈ 1/2', () => {
    const r = rng(99);
    const trials = 1500;
    // strings of 6 code units: flip each of the 16 bits of units 0, 3 and 5
    const positions = [0, 3, 5];
    const flips = new Float64Array(positions.length * 16 * 64);
    for (let t = 0; t < trials; t++) {
      const units = Array.from({ length: 6 }, () => Math.floor(r() * 0x10000) & 0xd7ff);
      const base = String.fromCharCode(...units);
      hashString(base);
      const b0 = hashOut[0]!;
      const b1 = hashOut[1]!;
      positions.forEach((pos, pi) => {
        for (let bit = 0; bit < 16; bit++) {
          const u = units.slice();
          u[pos] = u[pos]! ^ (1 << bit);
          hashString(String.fromCharCode(...u));
          const d0 = b0 ^ hashOut[0]!;
          const d1 = b1 ^ hashOut[1]!;
          const row = (pi * 16 + bit) * 64;
          for (let o = 0; o < 32; o++) {
            flips[row + o]! += (d0 >>> o) & 1;
            flips[row + 32 + o]! += (d1 >>> o) & 1;
          }
        }
      });
    }
    // binomial(1500, 1/2): sd 1.3%; 6 sd either side
    for (const f of flips) expect(Math.abs(f / trials - 0.5)).toBeLessThan(0.078);

    // numbers: flip each mantissa bit of random doubles
    const nflips = new Float64Array(52 * 64);
    const buf = new DataView(new ArrayBuffer(8));
    for (let t = 0; t < trials; t++) {
      const x = t % 2 === 0 ? Math.floor(r() * 1e6) : (r() - 0.5) * 1e3;
      hashNumber(x);
      const b0 = hashOut[0]!;
      const b1 = hashOut[1]!;
      for (let bit = 0; bit < 52; bit++) {
        buf.setFloat64(0, x);
        const word = bit < 32 ? 4 : 0;
        buf.setUint32(word, buf.getUint32(word) ^ (1 << (bit % 32)));
        hashNumber(buf.getFloat64(0));
        const d0 = b0 ^ hashOut[0]!;
        const d1 = b1 ^ hashOut[1]!;
        for (let o = 0; o < 32; o++) {
          nflips[bit * 64 + o]! += (d0 >>> o) & 1;
          nflips[bit * 64 + 32 + o]! += (d1 >>> o) & 1;
        }
      }
    }
    for (const f of nflips) expect(Math.abs(f / trials - 0.5)).toBeLessThan(0.078);
  });

  it('spreads sequential keys evenly over the registers and ranks', () => {
    const n = 16 * M;
    for (const key of [(i: number) => hashString(`user${i}`), (i: number) => hashNumber(i)]) {
      const buckets = new Float64Array(M);
      const lowBuckets = new Float64Array(M);
      const ranks = new Float64Array(64);
      for (let i = 0; i < n; i++) {
        key(i);
        buckets[hashOut[0]! >>> (32 - P)]++;
        lowBuckets[hashOut[1]! & (M - 1)]++;
        ranks[Math.clz32(hashOut[0]! << P)]++;
      }
      // chi-square with M − 1 degrees of freedom: mean M − 1, sd √(2(M − 1)) ≈ 181
      for (const b of [buckets, lowBuckets]) {
        let chi = 0;
        for (const c of b) chi += (c - 16) ** 2 / 16;
        expect(Math.abs(chi - (M - 1))).toBeLessThan(6 * Math.sqrt(2 * (M - 1)));
      }
      // leading zeros of the bits after the index: geometric, P(k) = 2^-(k+1)
      for (let k = 0; k < 12; k++) {
        const p = 2 ** -(k + 1);
        const sd = Math.sqrt(n * p * (1 - p));
        expect(Math.abs(ranks[k]! - n * p), `rank ${k}`).toBeLessThan(6 * sd);
      }
    }
  });
});

describe('HyperLogLog merge', () => {
  it('merging sparse and dense sketches in any combination equals the union', () => {
    const keys = (from: number, to: number) => {
      const h = new HyperLogLog();
      for (let i = from; i < to; i++) {
        hashString(`m${i}`);
        h.addHash(hashOut[0]!, hashOut[1]!);
      }
      return h;
    };
    for (const [a, b] of [[100, 200], [100, 50_000], [50_000, 100], [40_000, 60_000], [2_000, 2_000]] as const) {
      const left = keys(0, a);
      left.merge(keys(a - 50, a + b));
      const whole = keys(0, a + b);
      expect(left.isSparse).toBe(whole.isSparse);
      expect(left.estimate()).toBe(whole.estimate());
      expect(Array.from(left.histogram())).toEqual(Array.from(whole.histogram()));
    }
  });
});
