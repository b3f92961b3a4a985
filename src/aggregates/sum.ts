import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';
import { NeumaierSum } from './numeric.js';

class SumAcc extends NeumaierSum implements Accumulator {
  result(): Value {
    return this.n === 0 ? null : this.total();
  }
  merge(other: Accumulator): void {
    if (!(other instanceof SumAcc)) mismatch('sum');
    this.mergeSum(other);
  }
}

export const sum: AggregateSpec = {
  name: 'sum',
  summary: 'sum of the numeric values of x',
  usage: 'sum(x)',
  description:
    'Adds the numbers in x with compensated (Neumaier) summation, so long sums do not drift. ' +
    'A string that reads as a decimal number ("12.5") counts as that number; nulls, missing ' +
    'fields, booleans and other values are skipped. With no numeric value the sum is null, as in SQL.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new SumAcc(),
  examples: [
    {
      program: 'sum(bytes) by host',
      input: '{"host":"a","bytes":100}\n{"host":"b","bytes":null}\n{"host":"a","bytes":"250"}\n',
      output: '{"host":"a","sum_bytes":350}\n{"host":"b","sum_bytes":null}\n',
    },
    {
      program: 'sum(price)',
      input: '{"price":0.1}\n{"price":0.2}\n{"price":0.3}\n',
      output: '{"sum_price":0.6}\n',
    },
  ],
};
