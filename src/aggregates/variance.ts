import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';
import { numericValue } from './numeric.js';

type WelfordState = [n: number, mean: number, m2: number];

// Welford's running mean and sum of squared deviations (m2), merged with Chan et al.'s
// parallel formula; both avoid the cancellation of the textbook sum-of-squares method.
class Welford {
  n = 0;
  mean = 0;
  m2 = 0;
  add(v: Value | undefined): void {
    const x = numericValue(v);
    if (!Number.isFinite(x)) return;
    const n = ++this.n;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
  }
  mergeMoments(o: Welford): void {
    if (o.n === 0) return;
    if (this.n === 0) {
      this.n = o.n;
      this.mean = o.mean;
      this.m2 = o.m2;
      return;
    }
    const n = this.n + o.n;
    const d = o.mean - this.mean;
    this.mean += (d * o.n) / n;
    this.m2 += o.m2 + ((d * d * this.n) / n) * o.n;
    this.n = n;
  }
  save(): WelfordState {
    return [this.n, this.mean, this.m2];
  }
  load(state: unknown): void {
    [this.n, this.mean, this.m2] = state as WelfordState;
  }
  variance(): number | null {
    return this.n < 2 ? null : this.m2 / (this.n - 1);
  }
}

class VarAcc extends Welford implements Accumulator {
  result(): Value {
    return this.variance();
  }
  merge(other: Accumulator): void {
    if (!(other instanceof VarAcc)) mismatch('var');
    this.mergeMoments(other);
  }
}

class StddevAcc extends Welford implements Accumulator {
  result(): Value {
    const v = this.variance();
    return v === null ? null : Math.sqrt(v);
  }
  merge(other: Accumulator): void {
    if (!(other instanceof StddevAcc)) mismatch('stddev');
    this.mergeMoments(other);
  }
}

const semantics =
  'Sample statistics (divisor n−1), as Miller\'s var/stddev and SQL\'s VAR_SAMP/STDDEV_SAMP; ' +
  'null for fewer than two values. Computed with Welford\'s algorithm. A string that reads as ' +
  'a decimal number counts as that number; nulls and other values are skipped.';

export const variance: AggregateSpec = {
  name: 'var',
  summary: 'sample variance of the numeric values of x',
  usage: 'var(x)',
  description: 'The sample variance of the numbers in x. ' + semantics,
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new VarAcc(),
  examples: [
    {
      program: 'var(ms) by svc',
      input:
        '{"svc":"a","ms":1}\n{"svc":"a","ms":2}\n{"svc":"b","ms":7}\n{"svc":"a","ms":3}\n' +
        '{"svc":"a","ms":4}\n{"svc":"a","ms":5}\n',
      output: '{"svc":"a","var_ms":2.5}\n{"svc":"b","var_ms":null}\n',
    },
  ],
};

export const stddev: AggregateSpec = {
  name: 'stddev',
  summary: 'sample standard deviation of the numeric values of x',
  usage: 'stddev(x)',
  description: 'The sample standard deviation (square root of var) of the numbers in x. ' + semantics,
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new StddevAcc(),
  examples: [
    {
      program: 'stddev(ms)',
      input: '{"ms":1}\n{"ms":2}\n{"ms":null}\n{"ms":3}\n{"ms":"4"}\n{"ms":5}\n',
      output: '{"stddev_ms":1.5811388300841898}\n',
    },
  ],
};
