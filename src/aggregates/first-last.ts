import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';

// `seq` is the record's arrival number when the caller knows it (windows merging sessions
// whose records interleaved in time); merges then keep arrival order exactly. Without it,
// merge(b) means b's records came after this one's.

type PickState = [value: Value, seq: number];

class FirstAcc implements Accumulator {
  value: Value = null;
  seq = 0;
  add(v: Value | undefined, seq?: number): void {
    if (this.value === null && v !== undefined && v !== null) {
      this.value = v;
      this.seq = seq ?? 0;
    }
  }
  result(): Value {
    return this.value;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof FirstAcc)) mismatch('first');
    if (other.value !== null && (this.value === null || other.seq < this.seq)) {
      this.value = other.value;
      this.seq = other.seq;
    }
  }
  save(): PickState {
    return [this.value, this.seq];
  }
  load(state: unknown): void {
    [this.value, this.seq] = state as PickState;
  }
}

class LastAcc implements Accumulator {
  value: Value = null;
  seq = 0;
  add(v: Value | undefined, seq?: number): void {
    if (v !== null && v !== undefined) {
      this.value = v;
      this.seq = seq ?? 0;
    }
  }
  result(): Value {
    return this.value;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof LastAcc)) mismatch('last');
    if (other.value !== null && (this.value === null || other.seq >= this.seq)) {
      this.value = other.value;
      this.seq = other.seq;
    }
  }
  save(): PickState {
    return [this.value, this.seq];
  }
  load(state: unknown): void {
    [this.value, this.seq] = state as PickState;
  }
}

export const first: AggregateSpec = {
  name: 'first',
  summary: 'first non-null value of x, in arrival order',
  usage: 'first(x)',
  description:
    'The first value of x that is present and not null, in the order records arrive; null ' +
    'when there is none. Any type is kept as it is.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new FirstAcc(),
  examples: [
    {
      program: 'first(msg) by req',
      input: '{"req":1,"msg":null}\n{"req":1,"msg":"start"}\n{"req":2,"msg":"open"}\n{"req":1,"msg":"end"}\n',
      output: '{"req":1,"first_msg":"start"}\n{"req":2,"first_msg":"open"}\n',
    },
  ],
};

export const last: AggregateSpec = {
  name: 'last',
  summary: 'last non-null value of x, in arrival order',
  usage: 'last(x)',
  description:
    'The last value of x that is present and not null, in the order records arrive; null ' +
    'when there is none. Any type is kept as it is.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new LastAcc(),
  examples: [
    {
      program: 'last(status) by job',
      input: '{"job":"a","status":"queued"}\n{"job":"a","status":"done"}\n{"job":"b","status":"queued"}\n{"job":"a"}\n',
      output: '{"job":"a","last_status":"done"}\n{"job":"b","last_status":"queued"}\n',
    },
  ],
};
