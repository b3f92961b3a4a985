import type { Value } from '../core/event.js';
import { mismatch, noParams } from './common.js';
import type { Accumulator, AggregateSpec } from './types.js';

type RateState = [n: number, min: number, max: number, span: number | null];

class Rate implements Accumulator {
  n = 0;
  min = Infinity;
  max = -Infinity;
  span: number | null = null;
  add(t: Value | undefined): void {
    this.n++;
    if (typeof t === 'number') {
      if (t < this.min) this.min = t;
      if (t > this.max) this.max = t;
    }
  }
  setSpan(ms: number): void {
    this.span = ms;
  }
  result(): Value {
    const span = this.span ?? this.max - this.min;
    return span > 0 && Number.isFinite(span) ? this.n / (span / 1000) : null;
  }
  merge(other: Accumulator): void {
    if (!(other instanceof Rate)) mismatch('rate()');
    this.n += other.n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }
  save(): RateState {
    return [this.n, this.min, this.max, this.span];
  }
  load(state: unknown): void {
    [this.n, this.min, this.max, this.span] = state as RateState;
  }
}

export const rate: AggregateSpec = {
  name: 'rate',
  summary: 'records per second',
  usage: 'rate()',
  description:
    'Records per second. In a window it is the count divided by the window length (a session window: from its first ' +
    'record to its end). Without a window it is the count over the time between the first and the last record ' +
    '(@timestamp: arrival time for files and stdin), or null when that is zero.',
  minArgs: 0,
  maxArgs: 0,
  checkParams: noParams,
  timeInput: true,
  fresh: () => new Rate(),
  examples: [
    { program: 'window tumbling 10s on t | rate()', input: '{"t":"2024-05-01T12:00:01Z"}\n{"t":"2024-05-01T12:00:04Z"}\n', output: '{"window_start":"2024-05-01T12:00:00.000Z","window_end":"2024-05-01T12:00:10.000Z","rate":0.2}\n' },
  ],
};
