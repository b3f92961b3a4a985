// Numeric helpers shared by the numeric aggregates (sum, avg, var, stddev, percentiles).
// A value counts as a number when it is a finite number or a string that reads as a decimal
// number ("12.5", "-3", "1e3", "007"): CSV read with --no-infer still sums. Everything else
// (null, booleans, other strings, arrays, objects) is skipped, as SQL skips NULL.
// Sums use Neumaier's compensated summation: the running sum `s` plus a compensation `c`
// that holds the low-order bits lost by each addition, so that a long sum, and the merge of
// two partial sums, is accurate to the last bit in all but pathological cases.

import type { Value } from '../core/event.js';

const DECIMAL = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/** The number `v` stands for, or NaN when it is not numeric (callers test Number.isFinite). */
export function numericValue(v: Value | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return NaN;
}

type NeumaierState = [s: number, c: number, n: number];

/** Running compensated sum of finite numbers, with the count of terms. */
export class NeumaierSum {
  s = 0;
  c = 0;
  n = 0;

  add(v: Value | undefined): void {
    const x = numericValue(v);
    if (!Number.isFinite(x)) return;
    this.n++;
    this.addTerm(x);
  }

  addTerm(x: number): void {
    const s = this.s;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.c += (s - t) + x;
    else this.c += (x - t) + s;
    this.s = t;
  }

  mergeSum(o: NeumaierSum): void {
    this.addTerm(o.s);
    this.addTerm(o.c);
    this.n += o.n;
  }

  save(): NeumaierState {
    return [this.s, this.c, this.n];
  }

  load(state: unknown): void {
    [this.s, this.c, this.n] = state as NeumaierState;
  }

  total(): number {
    // once the sum overflows, the compensation is NaN (inf - inf): report the overflow
    return Number.isFinite(this.s) ? this.s + this.c : this.s;
  }
}
