import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch } from './common.js';

const DEFAULT_K = 10;

interface Entry {
  value: Value;
  count: number;
  /** order of first appearance, for ties */
  seq: number;
}

type TopState = [scalars: Map<string | number | boolean, Entry>, composites: Map<string, Entry>, next: number];

// Exact counts per value (scalars keyed as they are, arrays and objects by JSON text, in two
// maps so the two kinds never collide); `seq` keeps first appearance across both maps and
// across merges, where the merged-in accumulator's values came later.
class TopAcc implements Accumulator {
  scalars = new Map<string | number | boolean, Entry>();
  composites = new Map<string, Entry>();
  next = 0;
  constructor(readonly k: number) {}

  add(v: Value | undefined): void {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      const key = JSON.stringify(v);
      const e = this.composites.get(key);
      if (e !== undefined) e.count++;
      else this.composites.set(key, { value: v, count: 1, seq: this.next++ });
    } else {
      const e = this.scalars.get(v);
      if (e !== undefined) e.count++;
      else this.scalars.set(v, { value: v, count: 1, seq: this.next++ });
    }
  }

  result(): Value {
    const all: Entry[] = [];
    for (const e of this.scalars.values()) all.push(e);
    for (const e of this.composites.values()) all.push(e);
    all.sort((a, b) => b.count - a.count || a.seq - b.seq);
    const n = Math.min(this.k, all.length);
    const out: Value[] = new Array<Value>(n);
    for (let i = 0; i < n; i++) out[i] = { value: all[i]!.value, count: all[i]!.count };
    return out;
  }

  merge(other: Accumulator): void {
    if (!(other instanceof TopAcc)) mismatch('top');
    const base = this.next;
    for (const [key, e] of other.scalars) {
      const mine = this.scalars.get(key);
      if (mine !== undefined) mine.count += e.count;
      else this.scalars.set(key, { value: e.value, count: e.count, seq: base + e.seq });
    }
    for (const [key, e] of other.composites) {
      const mine = this.composites.get(key);
      if (mine !== undefined) mine.count += e.count;
      else this.composites.set(key, { value: e.value, count: e.count, seq: base + e.seq });
    }
    this.next = base + other.next;
  }

  save(): TopState {
    return [this.scalars, this.composites, this.next];
  }

  load(state: unknown): void {
    [this.scalars, this.composites, this.next] = state as TopState;
  }
}

export const top: AggregateSpec = {
  name: 'top',
  summary: 'the k most frequent values of x with their counts',
  usage: 'top(x[, k])',
  description:
    'The k most frequent non-null values of x (k a constant positive integer, 10 when left ' +
    'out), as an array of {"value": v, "count": n} sorted by count, most frequent first; ties ' +
    'keep the order of first appearance. Values are compared by type and value, arrays and ' +
    'objects by their JSON text. Counts are exact, so memory grows with the number of ' +
    'distinct values. An empty group gives [].',
  minArgs: 1,
  maxArgs: 1,
  checkParams(params) {
    if (params.length === 0) return null;
    if (params.length > 1) return 'takes one parameter after the value, k';
    const k = params[0];
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) {
      return `k must be a positive integer, got ${JSON.stringify(k)}`;
    }
    return null;
  },
  fresh: (params) => new TopAcc(typeof params[0] === 'number' ? params[0] : DEFAULT_K),
  examples: [
    {
      program: 'top(path, 2)',
      input:
        '{"path":"/a"}\n{"path":"/b"}\n{"path":"/c"}\n{"path":"/b"}\n' +
        '{"path":null}\n{"path":"/c"}\n{"path":"/b"}\n',
      output: '{"top_path":[{"value":"/b","count":3},{"value":"/c","count":2}]}\n',
    },
    {
      program: 'top(code) by svc',
      input: '{"svc":"api","code":200}\n{"svc":"api","code":500}\n{"svc":"api","code":200}\n{"svc":"web","code":404}\n',
      output:
        '{"svc":"api","top_code":[{"value":200,"count":2},{"value":500,"count":1}]}\n' +
        '{"svc":"web","top_code":[{"value":404,"count":1}]}\n',
    },
  ],
};
