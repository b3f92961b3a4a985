// Contract for aggregate functions. One spec per file; the registry (index.ts) lists them.
// An accumulator is created fresh per group (and per window), fed values one at a time,
// and asked for its result when the group is emitted. `merge` combines two accumulators of
// the same spec (used by sliding windows and scale-out); every aggregate here supports it.

import type { Value } from '../core/event.js';

export interface Accumulator {
  /** `seq`: the record's arrival number, when known (lets first/last merge in arrival order) */
  add(v: Value | undefined, seq?: number): void;
  result(): Value;
  merge(other: Accumulator): void;
  /**
   * Only for aggregates over time (rate): the span the result is measured over, set by a
   * window (its end − start) just before result().
   */
  setSpan?(ms: number): void;
  /**
   * The accumulator's state for a checkpoint: plain data that v8.serialize can write (numbers
   * including ±Infinity and NaN, strings, arrays, Maps, typed arrays; no functions). Taken between
   * records; the accumulator may go on being used afterwards.
   */
  save?(): unknown;
  /**
   * Load a state that save() returned, into a fresh accumulator made with the same params and
   * argCount. Afterwards add/merge/result behave exactly as on the accumulator that was saved.
   */
  load?(state: unknown): void;
}

export interface AggregateSpec {
  name: string;
  /** one line for help */
  summary: string;
  /** e.g. 'avg(x)', 'percentile(x, q)', 'top(x, k)' */
  usage: string;
  /** longer help text: semantics, null handling, stated error for sketches */
  description: string;
  /** number of value arguments: count() takes 0 or 1 */
  minArgs: number;
  maxArgs: number;
  /**
   * Extra constant parameters after the value argument (q for percentile, k for top),
   * checked at compile time. Returns an error message or null.
   */
  checkParams?(params: Value[]): string | null;
  /**
   * A new, empty accumulator. `params` are the constant parameters (already accepted by
   * checkParams); `argCount` is the number of value arguments in the call (0 or 1), which is
   * how `count()` (count records) differs from `count(x)` (count non-null x). With no value
   * argument, `add` is still called once per record (with null or undefined, ignored).
   * Output names are the compiler's: `avg(latency)` -> `avg_latency`, `count()` -> `count`.
   */
  fresh(params: Value[], argCount: number): Accumulator;
  /** fed the event time (ms) instead of a value argument (rate) */
  readonly timeInput?: boolean;
  examples: { program: string; input: string; output: string }[];
}
