import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';

class CollectAcc implements Accumulator {
  values: Value[] = [];
  add(v: Value | undefined): void {
    if (v !== null && v !== undefined) this.values.push(v);
  }
  result(): Value {
    return this.values.slice();
  }
  merge(other: Accumulator): void {
    if (!(other instanceof CollectAcc)) mismatch('collect');
    const src = other.values;
    for (let i = 0; i < src.length; i++) this.values.push(src[i]!);
  }
  save(): Value[] {
    return this.values;
  }
  load(state: unknown): void {
    this.values = state as Value[];
  }
}

export const collect: AggregateSpec = {
  name: 'collect',
  summary: 'array of all non-null values of x, in arrival order',
  usage: 'collect(x)',
  description:
    'Gathers every value of x that is present and not null into an array, in the order the ' +
    'records arrive; an empty array when there is none. Memory grows with the group.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new CollectAcc(),
  examples: [
    {
      program: 'collect(tag) by id',
      input: '{"id":1,"tag":"a"}\n{"id":2,"tag":"x"}\n{"id":1,"tag":null}\n{"id":1,"tag":{"k":"v"}}\n',
      output: '{"id":1,"collect_tag":["a",{"k":"v"}]}\n{"id":2,"collect_tag":["x"]}\n',
    },
  ],
};
