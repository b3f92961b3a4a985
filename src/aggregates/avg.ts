import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';
import { NeumaierSum } from './numeric.js';

class AvgAcc extends NeumaierSum implements Accumulator {
  result(): Value {
    return this.n === 0 ? null : this.total() / this.n;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof AvgAcc)) mismatch('avg');
    this.mergeSum(other);
  }
}

export const avg: AggregateSpec = {
  name: 'avg',
  summary: 'arithmetic mean of the numeric values of x',
  usage: 'avg(x)',
  description:
    'The mean of the numbers in x: their compensated (Neumaier) sum divided by how many there ' +
    'are. A string that reads as a decimal number ("12.5") counts as that number; nulls, missing ' +
    'fields, booleans and other values are skipped and do not count in the divisor. With no ' +
    'numeric value the result is null.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new AvgAcc(),
  examples: [
    {
      program: 'count(), avg(ms) by svc',
      input: '{"svc":"a","ms":1}\n{"svc":"b","ms":3}\n{"svc":"a","ms":2}\n',
      output: '{"svc":"a","count":2,"avg_ms":1.5}\n{"svc":"b","count":1,"avg_ms":3}\n',
    },
    {
      program: 'avg(ms)',
      input: '{"ms":10}\n{"ms":null}\n{"ms":"20"}\n{"ms":"n/a"}\n{}\n',
      output: '{"avg_ms":15}\n',
    },
  ],
};
