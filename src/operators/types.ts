// The operator contract. Each operator file exports one spec: its name, help text, argument
// grammar (parse/print) and a factory (build). The executor only knows `Stage`: a stateless
// stage maps a batch to a batch, a stateful one also keeps state and flushes at end().

import type { ExprCompiler } from '../lang/compiler.js';
import type { StageParser } from '../lang/parser.js';
import type { Batch, Event, Value } from '../core/event.js';
import type { Stats } from '../core/stats.js';

export interface Stage {
  push(batch: Batch): Batch;
  /** end of input: emit what is held */
  end(): Batch;
  /** true once the stage will pass nothing more (head satisfied): reading can stop */
  done(): boolean;
  /**
   * Once done: the last record the stage took. Reading stopped right after it, so a consumer
   * group commits up to it and not the rest of the fetched batch.
   */
  lastTaken?(): Event | undefined;
  /**
   * Wall-clock tick for live inputs (emit every, --idle): called about every `tickMs`
   * while input is live; returns what became due.
   */
  tick?(now: number): Batch;
  readonly tickMs?: number;
}

export interface TimeOptions {
  /** zone for timestamps without one (--tz) */
  tz?: string;
  /** strftime format for reading event times (--time-format) */
  format?: string;
  /** how window bounds are written (--time-format-out) */
  out: 'iso' | 'epoch_ms';
}

export interface BuildContext {
  compiler: ExprCompiler;
  stats: Stats;
  /** infer numbers/booleans in parsed text (false under --no-infer) */
  infer: boolean;
  /** a record this stage cannot use (e.g. `parse` found no match): applies --on-error */
  bad(ev: Event, reason: string): void;
  /** an assert violation */
  assertFailed(ev: Event, message: string): void;
  /** a record too late for any open window: counted, dropped or dead-lettered (--late) */
  late(ev: Event, reason: string): void;
  time: TimeOptions;
  /** the event time of a record: @timestamp, or the `on FIELD` of a window being built */
  eventTime: (r: Value, ev: Event) => number;
  /** --idle: let the watermark follow the wall clock after this long without records */
  idleMs: number | null;
}

export type OperatorKind = 'stateless' | 'stateful' | 'aggregate';

export interface Example {
  /** the stage or program, as written in the DSL form */
  program: string;
  /** NDJSON input */
  input: string;
  /** expected NDJSON output */
  output: string;
}

export interface OperatorSpec<A> {
  name: string;
  aliases: string[];
  kind: OperatorKind;
  /** one line for the operator list */
  summary: string;
  /** the argument grammar, e.g. 'where EXPR' */
  usage: string;
  /** a few sentences for `sluice help OP` and the manual */
  description: string;
  examples: Example[];
  parse(p: StageParser): A;
  /** the argument back as canonical program text */
  print(args: A): string;
  build(args: A, ctx: BuildContext): Stage;
}

/** The registry stores specs with their argument type erased; parse and build stay paired. */
export type AnyOperator = OperatorSpec<unknown>;

export function defineOperator<A>(spec: OperatorSpec<A>): AnyOperator {
  return spec as unknown as AnyOperator;
}

export function stateless(fn: (batch: Batch) => Batch): Stage {
  return { push: fn, end: () => [], done: () => false };
}
