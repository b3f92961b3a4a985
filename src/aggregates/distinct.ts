import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';

type DistinctState = [scalars: Set<string | number | boolean>, composites: Set<string>];

// Scalars go into one Set as they are (a Set already tells 1 from "1" from true, and takes
// -0 as 0); arrays and objects into a second Set by their JSON text, so that the text of an
// object can never collide with an equal-looking string.
class DistinctAcc implements Accumulator {
  scalars = new Set<string | number | boolean>();
  composites = new Set<string>();
  add(v: Value | undefined): void {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') this.composites.add(JSON.stringify(v));
    else this.scalars.add(v);
  }
  result(): Value {
    return this.scalars.size + this.composites.size;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof DistinctAcc)) mismatch('distinct');
    for (const v of other.scalars) this.scalars.add(v);
    for (const v of other.composites) this.composites.add(v);
  }
  save(): DistinctState {
    return [this.scalars, this.composites];
  }
  load(state: unknown): void {
    [this.scalars, this.composites] = state as DistinctState;
  }
}

export const distinct: AggregateSpec = {
  name: 'distinct',
  summary: 'exact number of distinct non-null values of x',
  usage: 'distinct(x)',
  description:
    'Counts the different values of x exactly, skipping nulls and missing fields. Values are ' +
    'compared by type and value: 1 and "1" are different, 1 and 1.0 are the same; arrays and ' +
    'objects are compared by their JSON text (so key order matters). Memory grows with the ' +
    'number of distinct values; approx_distinct(x) needs at most 16 KiB. 0 for an empty group.',
  minArgs: 1,
  maxArgs: 1,
  checkParams: noParams,
  fresh: () => new DistinctAcc(),
  examples: [
    {
      program: 'distinct(user) by page',
      input:
        '{"page":"/","user":"ann"}\n{"page":"/","user":"bob"}\n{"page":"/about","user":"ann"}\n' +
        '{"page":"/","user":"ann"}\n{"page":"/about","user":null}\n',
      output: '{"page":"/","distinct_user":2}\n{"page":"/about","distinct_user":1}\n',
    },
    {
      program: 'distinct(id)',
      input: '{"id":1}\n{"id":"1"}\n{"id":1.0}\n{"id":[1]}\n',
      output: '{"distinct_id":3}\n',
    },
  ],
};
