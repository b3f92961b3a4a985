// The operator contract. Each operator file exports one spec: its name, help text, argument
// grammar (parse/print) and a factory (build). The executor only knows `Stage`: a stateless
// stage maps a batch to a batch, a stateful one also keeps state and flushes at end().

import type { ExprCompiler } from '../lang/compiler.js';
import type { StageParser } from '../lang/parser.js';
import type { Batch, Event, PartitionChange, Value } from '../core/event.js';

export type { PartitionChange } from '../core/event.js';
import type { Stats } from '../core/stats.js';
import type { HeapWatch } from '../core/memory.js';

/**
 * A stage that maps a batch to a batch with no memory between records (where, select, set,
 * parse, assert, …). It never holds a record back and has nothing to checkpoint.
 */
export interface StatelessStage {
  readonly kind: 'stateless';
  push(batch: Batch): Batch;
}

/**
 * A stage with memory: it may hold records (windows, aggregates, sort, tail, top) or only
 * remember something about them (head, dedupe). Every stateful stage can be checkpointed:
 * snapshot() is called between batches and returns a value that v8.serialize can write
 * (plain data, Maps, Sets; no functions), restore() is called on a freshly built stage of the
 * same program before any record. Output after restore must equal the output of a run that
 * was never stopped.
 */
export interface StatefulStage {
  readonly kind: 'stateful';
  /**
   * The stage may hold records back until a later batch, the end of input or a window firing
   * (windows, aggregates, sort, tail, top). Without --state, offsets are then committed only at
   * the end; with --state, at each checkpoint.
   */
  readonly holds: boolean;
  push(batch: Batch): Batch;
  /**
   * Called before push(batch) when the stage has it: a promise to await first, or null when the
   * stage can take the batch at once (an interval join reads its other side, a Kafka topic, as far
   * as the batch's event time needs).
   */
  ready?(batch: Batch): Promise<void> | null;
  /**
   * End of input: emit what is held. A stage that may hold many records gives them as batches one
   * after another (a generator), so that no step has to hold or encode all of them at once; the
   * executor cuts a big batch into slices either way.
   */
  end(): Flush;
  /**
   * The input was cut short (SIGINT, SIGTERM or SIGHUP without --state): what the stage holds is
   * not final. It returns its open results marked "final": false (aggregates, windows) and counts
   * them in `partial`, or returns nothing and counts in `withheld` the records it does not write
   * (sort, tail, top: their records cannot be marked, and a prefix of the input sorted is not the
   * input sorted). Without it the executor calls end(): the stage's output is final anyway.
   */
  interrupt?(): { out: Flush; partial: number; withheld: number };
  /**
   * Its state outlives the end of input (running values): a checkpoint taken after the final flush
   * keeps it, and a later run over what was appended goes on from it, where other stages start afresh.
   */
  readonly carries?: boolean;
  /** true once the stage will pass nothing more (head satisfied): reading can stop */
  done?(): boolean;
  /**
   * Once done: the last record the stage took. Reading stopped right after it, so a consumer
   * group commits up to it and not the rest of the fetched batch.
   */
  lastTaken?(): Event | undefined;
  /**
   * Wall-clock tick for live inputs (emit every, --idle, --idle-partition): called about every
   * `tickMs` while input is live; returns what became due.
   */
  tick?(now: number): Batch;
  readonly tickMs?: number;
  /** the input's partitions changed; returns what became due (a window whose watermark moved) */
  partition?(change: PartitionChange): Batch;
  /**
   * The stage's whole state, between batches, as plain data that v8.serialize can write. The
   * caller serializes it at once, before the next push or tick, so it may hand out live Maps and
   * arrays rather than copies.
   */
  snapshot(): unknown;
  /**
   * The results it would give now, without finishing or marking anything (an aggregate's current
   * groups): what the live table on a terminal shows while a live input is read.
   */
  peek?(): Value[];
  /** the stage's program text, for messages that name it (--max-state, memory) */
  readonly label?: string;
  /** how many groups it holds now (a key of an aggregate, a key in a window, a session): what --max-state counts */
  stateSize?(): number;
  /** load a snapshot taken by the same stage of the same program, before any record */
  restore(state: unknown): void;
}

export type Stage = StatelessStage | StatefulStage;

/** What a stage gives at the end: one batch, or batches one after another (read from disk, made as they go). */
export type Flush = Batch | Iterable<Batch> | AsyncIterable<Batch>;

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
  /** an assert violation; `rule` is the assert stage's canonical text (one CI report test case per rule) */
  assertFailed(ev: Event, message: string, rule: string): void;
  /** a record too late for any open window: counted, dropped or dead-lettered (--late) */
  late(ev: Event, reason: string): void;
  time: TimeOptions;
  /** the event time of a record: @timestamp, or the `on FIELD` of a window being built */
  eventTime: (r: Value, ev: Event) => number;
  /** --idle: let the watermark follow the wall clock after this long without records */
  idleMs: number | null;
  /** --idle-partition: a partition with no record for this long stops holding the watermark back */
  idlePartitionMs: number | null;
  /** a warning on stderr (once per cause; the stage keeps count) */
  warn(message: string): void;
  /** --max-state: the most groups one stage may hold (undefined: no count limit, only the memory) */
  maxState?: number;
  /** the memory watch (tests give one with a small limit); default: the process's */
  heap?: HeapWatch;
  /** --sort-buffer: the bytes (estimated) sort holds in memory before it spills sorted runs to temporary files */
  sortBufferBytes?: number;
  /** --join-buffer: the bytes (estimated) a join's lookup table may take */
  joinBufferBytes?: number;
  /**
   * tee: the output a tee stage writes to, by target (a path, or kafka://…) and format (null: the
   * run's -O). The CLI opens what is named here before the first record and flushes it with the
   * main sink before offsets or checkpoints are committed; every copy of the stages shares one.
   */
  sideOutput?(target: string, format: string | null): SideOutput;
  /**
   * An interval join's other side when it is a Kafka topic (`join kafka://…/T … within …`): the
   * runtime opens it (operators do not import kafka), the stage pulls it in ready(). Each copy of
   * the stages gets one of its own.
   */
  rightInput?(target: string): RightInput;
}

/** The other stream of a two-stream join when it is not a file: read asynchronously, by the stage's ready(). */
export interface RightInput {
  /** it ends (a topic read to the end offsets it had at start, under -e); a live one never does */
  readonly finite: boolean;
  /** Start reading, from `from` (what position() gave, kept in a checkpoint) or its beginning; unavailable (69) when it cannot. */
  open(from: unknown): Promise<void>;
  /** The next rows and partition changes (changes first), or null once it has ended or was stopped. */
  pull(): Promise<{ events: Event[]; changes: PartitionChange[] } | null>;
  /** SIGINT, SIGTERM: a pull waiting for rows gives null at once, and so does every later one */
  stop(): void;
  /** stop() was called: a null from pull() is not its end */
  readonly stopped: boolean;
  /** where reading stands after everything pulled so far, as plain data for a snapshot */
  position(): unknown;
  close(): Promise<void>;
}

/** Where a tee stage writes: takes records at once; the runtime waits for room and acknowledgement between batches. */
export interface SideOutput {
  write(batch: Batch): void;
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
  /**
   * The stage is built together with the stage right after it, which must be `next` (a window
   * and its aggregate): `build` is then not called, and `missing` is the error when `next` is not there.
   */
  fuses?: { next: string; missing: string; build(args: A, nextArgs: unknown, ctx: BuildContext): Stage };
  /** the stage assigns records to event-time windows: --explain shows where the first records fall */
  windows?: boolean;
}

/** The registry stores specs with their argument type erased; parse and build stay paired. */
export type AnyOperator = OperatorSpec<unknown>;

export function defineOperator<A>(spec: OperatorSpec<A>): AnyOperator {
  return spec as unknown as AnyOperator;
}

export function stateless(fn: (batch: Batch) => Batch): StatelessStage {
  return { kind: 'stateless', push: fn };
}
