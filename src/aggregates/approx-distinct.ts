import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';
import { hashOut, hashValue } from './hash.js';
import { HyperLogLog, type HllState } from './hyperloglog.js';

class ApproxDistinctAcc implements Accumulator {
  hll = new HyperLogLog();
  add(v: Value | undefined): void {
    if (v === null || v === undefined) return;
    hashValue(v);
    this.hll.addHash(hashOut[0]!, hashOut[1]!);
  }
  result(): Value {
    return Math.round(this.hll.estimate());
  }
  merge(other: Accumulator): void {
    if (!(other instanceof ApproxDistinctAcc)) mismatch('approx_distinct');
    this.hll.merge(other.hll);
  }
  save(): HllState {
    return this.hll.save();
  }
  load(state: unknown): void {
    this.hll.load(state as HllState);
  }
}

export const approxDistinct: AggregateSpec = {
  name: 'approx_distinct',
  summary: 'estimated number of distinct non-null values of x (HyperLogLog, ±0.81%)',
  usage: 'approx_distinct(x)',
  description:
    'Estimates how many different values x takes, skipping nulls and missing fields, in at most ' +
    '16 KiB per group whatever the input size. Values are compared by type and value as in ' +
    'distinct. Up to about 3,000 distinct values the count is exact in practice (a sparse ' +
    'sketch with 2^25 buckets); beyond, a HyperLogLog with 16384 registers over a 64-bit hash ' +
    'has a standard error of 0.81% (1.04/√16384): about 2 estimates in 3 are within 0.81% of ' +
    'the true count and nearly all within 2.5%. Merging partial results loses nothing. ' +
    '0 for an empty group.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new ApproxDistinctAcc(),
  examples: [
    {
      program: 'approx_distinct(user) by page',
      input:
        '{"page":"/","user":"ann"}\n{"page":"/","user":"bob"}\n{"page":"/about","user":"ann"}\n' +
        '{"page":"/","user":"ann"}\n{"page":"/","user":"cy"}\n{"page":"/about","user":null}\n',
      output: '{"page":"/","approx_distinct_user":3}\n{"page":"/about","approx_distinct_user":1}\n',
    },
  ],
};
