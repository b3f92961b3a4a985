// Contract for aggregate functions. One spec per file; the registry (index.ts) lists them.
// An accumulator is created fresh per group (and per window), fed values one at a time,
// and asked for its result when the group is emitted. `merge` combines two accumulators of
// the same spec (used by sliding windows and scale-out); every aggregate here supports it.
// `save`/`load` checkpoint an accumulator, and every aggregate has them too.

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
   * The accumulator's state for a checkpoint (`--state`), taken between records: plain data
   * that v8.serialize can write (numbers including ±Infinity, NaN and -0, strings, arrays,
   * Maps, Sets, typed arrays; no functions, no class instances). The caller serializes it
   * immediately and synchronously, before it uses the accumulator again. So save() may hand
   * out its live arrays, Maps and Sets by reference instead of copying them, and what it
   * returns is valid only until the next call on the accumulator, which goes on being used.
   */
  save(): unknown;
  /**
   * Takes over a state that save() returned and that went through v8.serialize and
   * v8.deserialize, in a fresh accumulator from spec.fresh with the same params and argCount:
   * afterwards add, merge, result and setSpan behave exactly, bit for bit, as on the
   * accumulator that was saved. It may keep the state's Maps and arrays (so never pass it
   * save()'s live result) but copies typed arrays: v8.deserialize makes them views into its
   * whole input buffer, which they would otherwise keep alive.
   */
  load(state: unknown): void;
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
