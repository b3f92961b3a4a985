// Shared helpers for the aggregate tests: run an aggregate over values, merge over splits,
// and a small deterministic random generator so the statistical tests never flake.

import { aggregates } from '../../src/aggregates/index.js';
import type { Accumulator, AggregateSpec } from '../../src/aggregates/types.js';
import type { Value } from '../../src/core/event.js';

export function spec(name: string): AggregateSpec {
  const s = aggregates.get(name);
  if (!s) throw new Error(`no aggregate ${name}`);
  return s;
}

export function argCountOf(name: string): number {
  return spec(name).minArgs === 0 ? 0 : 1;
}

export function accumulate(name: string, values: readonly (Value | undefined)[], params: Value[] = [], argCount = 1): Accumulator {
  const acc = spec(name).fresh(params, argCount);
  for (const v of values) acc.add(v);
  return acc;
}

export function run(name: string, values: readonly (Value | undefined)[], params: Value[] = [], argCount = 1): Value {
  return accumulate(name, values, params, argCount).result();
}

/**
 * Accumulates values[lo, hi) as a merge tree: `cuts` (consumed in order) decide where each
 * segment is split, and a segment of at most `leaf` values is accumulated directly.
 */
export function mergeTree(
  name: string, values: readonly (Value | undefined)[], cuts: number[], params: Value[] = [], argCount = 1, leaf = 1,
): Accumulator {
  let c = 0;
  const build = (lo: number, hi: number): Accumulator => {
    if (hi - lo <= leaf || c >= cuts.length) {
      const acc = spec(name).fresh(params, argCount);
      for (let i = lo; i < hi; i++) acc.add(values[i]);
      return acc;
    }
    const mid = lo + Math.floor(cuts[c++]! * (hi - lo + 1));
    const left = build(lo, mid);
    left.merge(build(mid, hi));
    return left;
  };
  return build(0, values.length);
}

/** mulberry32: a small seeded generator of floats in [0, 1) */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** sorts numerically (a copy) */
export function sortedCopy(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

/** the non-interpolated percentile rule: sorted[min(n−1, ⌊q/100·n⌋)] */
export function referencePercentile(sorted: Float64Array, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return sorted[Math.min(n - 1, Math.floor((q / 100) * n))]!;
}
