import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';

// Numbers and strings are tracked side by side so that merge is exact: numbers win when a
// group has any, strings (compared by UTF-16 code units, as JavaScript's < does) otherwise.

type MinMaxState = [num: number, hasNum: boolean, str: string, hasStr: boolean];

class MinAcc implements Accumulator {
  num = Infinity;
  hasNum = false;
  str = '';
  hasStr = false;
  add(v: Value | undefined): void {
    if (typeof v === 'number') {
      if (v < this.num || !this.hasNum) {
        if (v !== v) return;
        this.num = v;
        this.hasNum = true;
      }
    } else if (typeof v === 'string') {
      if (v < this.str || !this.hasStr) {
        this.str = v;
        this.hasStr = true;
      }
    }
  }
  result(): Value {
    return this.hasNum ? this.num : this.hasStr ? this.str : null;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof MinAcc)) mismatch('min');
    if (other.hasNum) this.add(other.num);
    if (other.hasStr) this.add(other.str);
  }
  save(): MinMaxState {
    return [this.num, this.hasNum, this.str, this.hasStr];
  }
  load(state: unknown): void {
    [this.num, this.hasNum, this.str, this.hasStr] = state as MinMaxState;
  }
}

class MaxAcc implements Accumulator {
  num = -Infinity;
  hasNum = false;
  str = '';
  hasStr = false;
  add(v: Value | undefined): void {
    if (typeof v === 'number') {
      if (v > this.num || !this.hasNum) {
        if (v !== v) return;
        this.num = v;
        this.hasNum = true;
      }
    } else if (typeof v === 'string') {
      if (v > this.str || !this.hasStr) {
        this.str = v;
        this.hasStr = true;
      }
    }
  }
  result(): Value {
    return this.hasNum ? this.num : this.hasStr ? this.str : null;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof MaxAcc)) mismatch('max');
    if (other.hasNum) this.add(other.num);
    if (other.hasStr) this.add(other.str);
  }
  save(): MinMaxState {
    return [this.num, this.hasNum, this.str, this.hasStr];
  }
  load(state: unknown): void {
    [this.num, this.hasNum, this.str, this.hasStr] = state as MinMaxState;
  }
}

const semantics =
  'Numbers compare numerically. A group with no numbers but some strings compares the ' +
  'strings lexicographically; when a group holds both, the numbers win and the strings are ' +
  'ignored (a numeric string such as "12" is a string here). Nulls, missing fields, booleans, ' +
  'arrays and objects are skipped; with nothing left the result is null.';

export const min: AggregateSpec = {
  name: 'min',
  summary: 'smallest value of x',
  usage: 'min(x)',
  description: 'The smallest value of x. ' + semantics,
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new MinAcc(),
  examples: [
    {
      program: 'min(ms) by svc',
      input: '{"svc":"a","ms":12}\n{"svc":"a","ms":-3.5}\n{"svc":"b","ms":null}\n{"svc":"a","ms":"fast"}\n',
      output: '{"svc":"a","min_ms":-3.5}\n{"svc":"b","min_ms":null}\n',
    },
    {
      program: 'min(day)',
      input: '{"day":"2024-03-02"}\n{"day":"2024-01-15"}\n{"day":"2024-02-29"}\n',
      output: '{"min_day":"2024-01-15"}\n',
    },
  ],
};

export const max: AggregateSpec = {
  name: 'max',
  summary: 'largest value of x',
  usage: 'max(x)',
  description: 'The largest value of x. ' + semantics,
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new MaxAcc(),
  examples: [
    {
      program: 'max(ms) by svc',
      input: '{"svc":"a","ms":12}\n{"svc":"a","ms":40}\n{"svc":"b","ms":7}\n{"svc":"a","ms":"slow"}\n',
      output: '{"svc":"a","max_ms":40}\n{"svc":"b","max_ms":7}\n',
    },
    {
      program: 'max(version)',
      input: '{"version":"1.9"}\n{"version":"1.10"}\n{"version":null}\n',
      output: '{"max_version":"1.9"}\n',
    },
  ],
};
