import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';

class CountRecords implements Accumulator {
  n = 0;
  add(_v: Value | undefined): void {
    this.n++;
  }
  result(): Value {
    return this.n;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof CountRecords)) mismatch('count()');
    this.n += other.n;
  }
  save(): number {
    return this.n;
  }
  load(state: unknown): void {
    this.n = state as number;
  }
}

class CountValues implements Accumulator {
  n = 0;
  add(v: Value | undefined): void {
    if (v !== null && v !== undefined) this.n++;
  }
  result(): Value {
    return this.n;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof CountValues)) mismatch('count(x)');
    this.n += other.n;
  }
  save(): number {
    return this.n;
  }
  load(state: unknown): void {
    this.n = state as number;
  }
}

export const count: AggregateSpec = {
  name: 'count',
  summary: 'number of records, or of non-null values of x',
  usage: 'count([x])',
  description:
    'count() counts the records of the group. count(x) counts the records where x is present ' +
    'and not null (false, 0, "" and empty arrays count). The count of an empty group is 0.',
  minArgs: 0,
  maxArgs: 1,
  checkParams: noParams,
  fresh: (_params, argCount) => (argCount === 0 ? new CountRecords() : new CountValues()),
  examples: [
    {
      program: 'count() by level',
      input: '{"level":"info"}\n{"level":"error"}\n{"level":"info"}\n',
      output: '{"level":"info","count":2}\n{"level":"error","count":1}\n',
    },
    {
      program: 'count(), count(user)',
      input: '{"user":"ann"}\n{"user":null}\n{"path":"/"}\n{"user":"bob"}\n',
      output: '{"count":4,"count_user":2}\n',
    },
  ],
};
