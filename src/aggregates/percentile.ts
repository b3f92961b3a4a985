import type { Value } from '../core/event.js';
import type { Accumulator, AggregateSpec } from './types.js';
import { mismatch, noParams } from './common.js';
import { DDSketch, type DDSketchState } from './ddsketch.js';
import { numericValue } from './numeric.js';

/** values kept exactly per group before switching to the sketch */
export const EXACT_LIMIT = 10_000;

/** exact phase: the values (a view, no copy) and whether they are sorted; sketch phase: the sketch */
type PercentileState = [values: Float64Array, sorted: boolean, sketch: DDSketchState | null];

// Exact phase: values in a growing Float64Array (sorted lazily, numerically, when a result
// is asked for). Past EXACT_LIMIT values, everything moves into a DDSketch and stays there.
class PercentileAcc implements Accumulator {
  values = new Float64Array(8);
  n = 0;
  sorted = true;
  sketch: DDSketch | null = null;
  constructor(readonly q: number) {}

  add(v: Value | undefined): void {
    const x = numericValue(v);
    if (!Number.isFinite(x)) return;
    if (this.sketch !== null) {
      this.sketch.add(x);
      return;
    }
    if (this.n === this.values.length) {
      if (this.n >= EXACT_LIMIT) {
        this.toSketch().add(x);
        return;
      }
      const bigger = new Float64Array(Math.min(this.n * 2, EXACT_LIMIT));
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = x;
    this.sorted = false;
  }

  private toSketch(): DDSketch {
    const sketch = new DDSketch();
    for (let i = 0; i < this.n; i++) sketch.add(this.values[i]!);
    this.sketch = sketch;
    this.values = new Float64Array(0);
    this.n = 0;
    return sketch;
  }

  result(): Value {
    const sketch = this.sketch;
    const n = sketch !== null ? sketch.count : this.n;
    if (n === 0) return null;
    const rank = Math.min(n - 1, Math.floor((this.q / 100) * n));
    if (sketch !== null) return sketch.valueAtRank(rank);
    if (!this.sorted) {
      this.values.subarray(0, n).sort();
      this.sorted = true;
    }
    return this.values[rank]!;
  }

  merge(other: Accumulator): void {
    if (!(other instanceof PercentileAcc) || other.q !== this.q) mismatch('percentile');
    if (other.sketch !== null) {
      (this.sketch ?? this.toSketch()).merge(other.sketch);
      return;
    }
    // other is exact: replay its values (add() moves to the sketch if the limit is passed)
    for (let i = 0; i < other.n; i++) this.add(other.values[i]!);
  }

  save(): PercentileState {
    if (this.sketch !== null) return [new Float64Array(0), true, this.sketch.save()];
    return [this.values.subarray(0, this.n), this.sorted, null];
  }

  load(state: unknown): void {
    const [values, sorted, sketch] = state as PercentileState;
    if (sketch !== null) {
      this.sketch = new DDSketch();
      this.sketch.load(sketch);
      this.values = new Float64Array(0);
      this.n = 0;
      return;
    }
    // one copy, into an array with room to grow (a deserialized one is a view into its input)
    this.values = new Float64Array(Math.max(8, values.length));
    this.values.set(values);
    this.n = values.length;
    this.sorted = sorted;
  }
}

const ERROR =
  'Exact while the group has at most 10,000 numeric values; beyond that a DDSketch ' +
  'answers within 1% relative error of the exact value at the same rank, in bounded memory.';

const RULE =
  'The value at rank ⌊q/100·n⌋ (clamped to n−1) of the sorted numbers, without interpolation, ' +
  'as Miller does: p0 is the minimum, p100 the maximum, p50 of 1,2,3,4 is 3. A string that ' +
  'reads as a decimal number counts as that number; nulls and other values are skipped; with ' +
  'no numeric value the result is null.';

type Example = AggregateSpec['examples'][number];

function fixed(q: number, example: Example): AggregateSpec {
  const name = `p${q}`;
  return {
    name,
    summary: `${q}th percentile of the numeric values of x`,
    usage: `${name}(x)`,
    description: `The ${q}th percentile of the numbers in x: same as percentile(x, ${q}). ${RULE} ${ERROR}`,
    minArgs: 1,
    maxArgs: 1,
    checkParams: noParams,
    fresh: () => new PercentileAcc(q),
    examples: [example],
  };
}

export const p50 = fixed(50, {
  program: 'p50(ms) by svc',
  input:
    '{"svc":"a","ms":4}\n{"svc":"a","ms":1}\n{"svc":"b","ms":10}\n{"svc":"a","ms":3}\n' +
    '{"svc":"a","ms":2}\n{"svc":"b","ms":null}\n',
  output: '{"svc":"a","p50_ms":3}\n{"svc":"b","p50_ms":10}\n',
});
export const p90 = fixed(90, {
  program: 'p90(ms)',
  input: '{"ms":5}\n{"ms":1}\n{"ms":9}\n{"ms":3}\n{"ms":7}\n',
  output: '{"p90_ms":9}\n',
});
export const p95 = fixed(95, {
  program: 'count(), p95(latency) by path',
  input:
    '{"path":"/a","latency":120}\n{"path":"/a","latency":80}\n{"path":"/b","latency":15}\n' +
    '{"path":"/a","latency":"95"}\n{"path":"/a","latency":"slow"}\n',
  output: '{"path":"/a","count":4,"p95_latency":120}\n{"path":"/b","count":1,"p95_latency":15}\n',
});
export const p99 = fixed(99, {
  program: 'p99(ms)',
  input: '{"ms":0.5}\n{"ms":-2}\n{"ms":1.25}\n{}\n',
  output: '{"p99_ms":1.25}\n',
});

export const percentile: AggregateSpec = {
  name: 'percentile',
  summary: 'q-th percentile of the numeric values of x, q a constant in [0, 100]',
  usage: 'percentile(x, q)',
  description: `The q-th percentile of the numbers in x, q a constant number from 0 to 100. ${RULE} ${ERROR}`,
  minArgs: 1,
  maxArgs: 1,
  checkParams(params) {
    if (params.length !== 1) return 'needs a constant q from 0 to 100 after the value';
    const q = params[0];
    if (typeof q !== 'number' || !(q >= 0 && q <= 100)) {
      return `q must be a number from 0 to 100, got ${JSON.stringify(q)}`;
    }
    return null;
  },
  fresh: (params) => new PercentileAcc(params[0] as number),
  examples: [
    {
      program: 'percentile(ms, 75) as p75_ms by svc',
      input: '{"svc":"a","ms":10}\n{"svc":"a","ms":40}\n{"svc":"a","ms":20}\n{"svc":"a","ms":30}\n{"svc":"b","ms":5}\n',
      output: '{"svc":"a","p75_ms":40}\n{"svc":"b","p75_ms":5}\n',
    },
    {
      program: 'percentile(ms, 0) as min_ms, percentile(ms, 100) as max_ms',
      input: '{"ms":3}\n{"ms":1}\n{"ms":2}\n',
      output: '{"min_ms":1,"max_ms":3}\n',
    },
  ],
};
