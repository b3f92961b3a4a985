// Which programs run on several threads (--threads), and what a worker thread is told to run
// them. Two shapes qualify. 'stream': every stage maps a record to at most one record with no
// memory between records and no metadata, so the output of a chunk depends only on the chunk and
// the records of chunk k+1 come after those of chunk k whatever thread decoded them; the workers
// encode the output. 'aggregate': such stages, then one plain aggregate (emit final) of aggregates
// whose partial results merge exactly; each worker aggregates its chunk, and the main thread
// merges the chunks' groups in chunk order (groups keep their order of first appearance).
// Everything else keeps to one thread: head, sort, dedupe, top, tail, sample, running, joins, tee,
// assert, parse (it reports bad input from inside a stage), @line and the other metadata, lookup,
// sums and averages (a sum of partial sums may differ in the last bit), first/last/collect/top.
//
// A third shape, 'decode', is for the programs that start with filters and then a window or an
// aggregate of any kind (sum, avg, first, emit every, stages after it, …): the workers only decode
// their chunks (projected to the fields the program reads) and send the records back as columns
// (thread-columns.ts); the main thread runs the whole program over them, in input order, as one
// thread would. Windows and event time stay correct that way: a window's watermark is the
// largest event time seen so far, in arrival order, minus the allowed lateness, and whether a
// record is late depends on every record read before it, so the window itself must see the
// records one by one in file order. Workers that each saw one chunk cannot know it; merging
// per-chunk windows afterwards would count records that one reader drops as late (or the reverse)
// as soon as the input is out of order across a chunk boundary. Decoding is most of the work
// (about 70% of a one-minute tumbling window over ndjson), and it is what the workers share.
// Only such programs qualify: the records they read never reach the output as they were read
// (a window or an aggregate makes new records of them), so their raw text need not come back.

import type { Program } from '../lang/ast.js';
import type { DecodeOptions } from '../formats/types.js';
import type { Value } from '../core/event.js';
import type { AggregateArgs } from '../operators/aggregate.js';

/** bytes per chunk handed to a worker (bigger chunks made each worker hold more records at once and collect more garbage) */
export const DEFAULT_CHUNK = 1 << 20;
/**
 * files from this size on are read on several threads under --threads auto: one thread reads
 * ndjson at ~450 MB/s, and a worker's start (~0.15 s) and the threads' extra CPU (a fifth to a
 * half more) paid off only above ~250 MB on two idle cores (bench/README.md, Threads)
 */
export const AUTO_MIN_BYTES = 256 << 20;

/** Stages that keep no state and map each record to at most one record. */
const STATELESS = new Set(['where', 'select', 'set', 'map', 'drop', 'rename']);

/** Functions whose value depends on more than the record (a lookup table is loaded per process). */
const UNSUITED_CALLS = new Set(['lookup']);

/**
 * Aggregates whose partial results merge into exactly what one pass gives: counts add up, min and
 * max and distinct sets combine, a percentile replays exact values or adds DDSketch bucket counts
 * (which do not depend on order). Sums (and avg, var, stddev) are left out: a compensated sum of
 * partial sums can differ from the running sum in the last bit. first, last, collect and top
 * depend on arrival order across groups of records, rate on time.
 */
const MERGES_EXACTLY = new Set(['count', 'min', 'max', 'distinct', 'approx_distinct', 'p50', 'p90', 'p95', 'p99', 'percentile']);

/**
 * How the program may run on worker threads: 'stream' (every stage stateless: workers write the
 * output), 'aggregate' (stateless stages, then one plain aggregate whose partial results the
 * main thread merges, chunk after chunk), or a reason to keep to one thread.
 */
export function threadMode(program: Program): { mode: 'stream' | 'aggregate' | 'decode' } | { mode: null; why: string } {
  const m = workerMode(program);
  if (m.mode !== null || unsuitedExpr(program.stages, 0) !== null) return m;
  // filters, then a window or an aggregate: the workers decode, this thread runs the program
  const stages = program.stages;
  let i = 0;
  while (i < stages.length && stages[i]!.op === 'where') i++;
  return i < stages.length && CONSUMERS.has(stages[i]!.op) ? { mode: 'decode' } : m;
}

/** Stages that make new records of those they read (their raw text is not written). */
const CONSUMERS = new Set(['window', 'aggregate']);

/** Whether the workers may run the whole program (stream, aggregate), or why not. */
function workerMode(program: Program): { mode: 'stream' | 'aggregate' } | { mode: null; why: string } {
  const stages = program.stages;
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!;
    const why = unsuitedExpr(s.args, 0);
    if (why !== null) return { mode: null, why };
    if (STATELESS.has(s.op)) continue;
    if (s.op === 'aggregate' && i === stages.length - 1) {
      const args = s.args as AggregateArgs;
      if (args.emit.mode !== 'final') return { mode: null, why: 'emit every and emit changes write as records come' };
      const odd = args.aggs.find((a) => !MERGES_EXACTLY.has(a.fn));
      if (odd !== undefined) return { mode: null, why: `${odd.fn}() does not merge exactly` };
      return { mode: 'aggregate' };
    }
    return { mode: null, why: `${s.op} keeps state or order` };
  }
  return { mode: 'stream' };
}

function unsuitedExpr(x: unknown, depth: number): string | null {
  if (x === null || typeof x !== 'object' || depth > 200) return null;
  if (Array.isArray(x)) {
    for (const y of x) {
      const w = unsuitedExpr(y, depth + 1);
      if (w !== null) return w;
    }
    return null;
  }
  const o = x as { kind?: unknown; name?: unknown };
  if (o.kind === 'meta') return `@${String(o.name)} reads where a record was`;
  if (o.kind === 'call' && typeof o.name === 'string' && UNSUITED_CALLS.has(o.name)) return `${o.name}() reads a table`;
  for (const v of Object.values(x)) {
    const w = unsuitedExpr(v, depth + 1);
    if (w !== null) return w;
  }
  return null;
}

/** What every worker thread gets once (plus, from runtime/threads.ts, the input's format and name). */
export interface ThreadProgram {
  text: string;
  infer: boolean;
  tz?: string;
  timeFormat?: string;
  timeFormatOut: 'iso' | 'epoch_ms';
  vars: [string, Value][];
  /** the encoder's options (ndjson output) */
  precision?: number | 'full';
  /** stream: the workers write the output; aggregate: they send the last stage's partial state for each chunk; decode: they send the records */
  mode: 'stream' | 'aggregate' | 'decode';
  /** the top-level fields the program needs from each ndjson record (DecodeOptions.fields), null for whole records */
  fields: readonly string[] | null;
}

/** What runtime/threads.ts adds for each input. */
export interface ThreadInput {
  format: string;
  name: string;
  decode: DecodeOptions;
}
