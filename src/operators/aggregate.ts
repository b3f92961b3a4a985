import { aggregates } from '../aggregates/index.js';
import type { Accumulator, AggregateSpec } from '../aggregates/types.js';
import { suggestion } from '../errors/diagnostic.js';
import type { Expr, Named, Span } from '../lang/ast.js';
import type { Compiled } from '../lang/compiler.js';
import type { StageParser } from '../lang/parser.js';
import { columnName, pathText, printExpr, printNamed } from '../lang/print.js';
import { groupKey, type Maybe } from '../lang/values.js';
import { makeEvent, type Batch, type Event, type Value } from '../core/event.js';
import { heapWatch, type HeapWatch } from '../core/memory.js';
import { LimitError } from '../errors/errors.js';
import { parseEmit, printEmit, type Emit } from './emit.js';
import { putKey } from './paths.js';
import { defineOperator, type BuildContext, type Stage, type StatefulStage } from './types.js';

export interface AggCall {
  fn: string;
  /** the value argument, if any */
  arg: Expr | null;
  /** constant parameters after the value (percentile's q, top's k) */
  params: Value[];
  name: string;
  span: Span;
}

export interface AggregateArgs {
  aggs: AggCall[];
  by: Named[];
  emit: Emit;
}

/** `avg(req.ms)` -> `avg_req_ms`; `p95(x)` -> `p95_x`; `percentile(x, 99.9)` -> `p99_9_x`; `count()` -> `count`. */
export function defaultAggName(fn: string, arg: Expr | null, params: Value[]): string {
  const prefix = fn === 'percentile' ? `p${String(params[0]).replace(".", "_")}` : fn;
  if (arg === null) return prefix;
  const text = (pathText(arg) ?? printExpr(arg)).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return text ? `${prefix}_${text}` : prefix;
}

function aggCall(p: StageParser, n: Named): AggCall {
  const e = n.expr;
  if (e.kind !== 'call') p.fail('expected an aggregate such as count(), avg(x) or p95(x)', e.span);
  const spec = aggregates.get(e.name);
  if (!spec) p.fail(`unknown aggregate '${e.name}'${suggestion(e.name, aggregates.keys())}`, e.nameSpan);
  const nValues = Math.min(e.args.length, spec.maxArgs);
  if (e.args.length < spec.minArgs) p.fail(`${e.name} needs ${spec.minArgs} argument${spec.minArgs > 1 ? 's' : ''}: ${spec.usage}`, e.span);
  const params: Value[] = [];
  for (const a of e.args.slice(nValues)) {
    if (a.kind !== 'lit') p.fail(`${e.name}: this argument must be a constant: ${spec.usage}`, a.span);
    params.push(a.value);
  }
  const problem = spec.checkParams ? spec.checkParams(params) : params.length > 0 ? `takes ${spec.maxArgs} argument${spec.maxArgs === 1 ? '' : 's'}` : null;
  if (problem) p.fail(`${e.name}: ${problem}: ${spec.usage}`, e.span);
  const arg = nValues > 0 ? e.args[0]! : null;
  return { fn: e.name, arg, params, name: n.alias ?? defaultAggName(e.name, arg, params), span: e.span };
}

export function parseAggregate(p: StageParser): AggregateArgs {
  const aggs = p.namedList().map((n) => aggCall(p, n));
  const by = p.acceptKeyword('by') ? p.namedList() : [];
  const emit = p.acceptKeyword('emit') ? parseEmit(p) : { mode: 'final' as const };
  const names = [...by.map(columnName), ...aggs.map((a) => a.name)];
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup !== undefined) {
    const span = aggs.find((a) => a.name === dup)?.span ?? { start: 0, end: 0 };
    p.fail(`two output fields are named '${dup}'; name one with \`as\``, span);
  }
  return { aggs, by, emit };
}

export function printAggregate(a: AggregateArgs): string {
  const aggs = a.aggs.map((c) => {
    const args = [...(c.arg ? [printExpr(c.arg)] : []), ...c.params.map((v) => JSON.stringify(v))];
    const call = `${c.fn}(${args.join(', ')})`;
    return c.name === defaultAggName(c.fn, c.arg, c.params) ? call : `${call} as ${c.name}`;
  });
  const emit = printEmit(a.emit);
  return aggs.join(', ') + (a.by.length ? ` by ${a.by.map(printNamed).join(', ')}` : '') + (emit ? ` ${emit}` : '');
}

/**
 * A group: its key values and its accumulators. With one key and one aggregate (the common case)
 * they are held as they are, without an array each, which is a third of a group's memory: read
 * them through Grouper.keysOf and Grouper.accsOf.
 */
export interface Group {
  /** one key's value, or the values of several (or none) in an array */
  k: Maybe | Maybe[];
  /** the one accumulator, or several in an array */
  a: Accumulator | Accumulator[];
  /** changed since it was last emitted (for emit every / emit changes) */
  dirty: boolean;
}

export interface SavedGroup {
  keys: Maybe[];
  accs: unknown[];
  dirty: boolean;
}

/** The grouping machinery shared by plain aggregates and windows: key -> accumulators. */
export class Grouper {
  private readonly specs: AggregateSpec[];
  private readonly argFns: (Compiled | null)[];
  private readonly keyFns: Compiled[];
  readonly keyNames: string[];
  readonly aggNames: string[];
  /** groups made and not yet released: what --max-state counts */
  held = 0;
  private readonly maxState: number;
  private readonly heap: HeapWatch;

  /** `label`: the stage as the program says it, for the messages of a limit reached */
  constructor(readonly args: AggregateArgs, ctx: BuildContext, readonly label: string = printAggregate(args)) {
    this.maxState = ctx.maxState ?? Infinity;
    this.heap = ctx.heap ?? heapWatch;
    this.specs = args.aggs.map((a) => aggregates.get(a.fn)!);
    this.argFns = args.aggs.map((a, i) => (this.specs[i]!.timeInput ? ctx.eventTime : a.arg ? ctx.compiler.value(a.arg) : null));
    this.keyFns = args.by.map((k) => ctx.compiler.value(k.expr));
    this.keyNames = args.by.map(columnName);
    this.aggNames = args.aggs.map((a) => a.name);
    this.oneKey = this.keyFns.length === 1;
    this.oneAgg = this.specs.length === 1;
  }

  private readonly oneKey: boolean;
  private readonly oneAgg: boolean;

  /** The key values of a group, in `by` order. */
  keysOf(g: Group): Maybe[] {
    return this.oneKey ? [g.k as Maybe] : (g.k as Maybe[]);
  }

  /** The accumulators of a group, in aggregate order. */
  accsOf(g: Group): Accumulator[] {
    return this.oneAgg ? [g.a as Accumulator] : (g.a as Accumulator[]);
  }

  fresh(keys: Maybe[]): Group {
    if (++this.held > this.maxState) {
      throw new LimitError(`${this.label}: more than ${this.maxState} groups held (--max-state ${this.maxState}; a group is a key, in each window it is in); ` +
        'raise --max-state, or make fewer keys or windows');
    }
    if ((this.held & 4095) === 0) this.checkMemory();
    const accs = this.specs.map((s, i) => s.fresh(this.args.aggs[i]!.params, this.args.aggs[i]!.arg ? 1 : 0));
    return { k: this.oneKey ? keys[0] : keys, a: this.oneAgg ? accs[0]! : accs, dirty: false };
  }

  /** Groups that are gone (windows fired, sessions merged, a result made and dropped). */
  release(n: number): void {
    this.held -= n;
  }

  /** Stop (LimitError) when the heap is nearly full after a GC, naming this stage and its groups. */
  checkMemory(): void {
    const live = this.heap.full();
    if (live !== null) throw new LimitError(memoryMessage(this.heap, live, this.label, this.held));
  }

  /** The event's group key (a Map key) and key values. */
  keyOf(ev: Event): { key: unknown; keys: Maybe[] } {
    const kf = this.keyFns;
    if (kf.length === 0) return { key: null, keys: [] };
    if (kf.length === 1) {
      const k = kf[0]!(ev.value, ev);
      return { key: groupKey(k), keys: [k] };
    }
    const keys = kf.map((f) => f(ev.value, ev));
    return { key: JSON.stringify(keys.map((k) => (k === undefined ? null : k))), keys };
  }

  private seq = 0;

  /** Feed one event to a group's accumulators. */
  addTo(g: Group, ev: Event): void {
    const fns = this.argFns;
    const v = ev.value;
    const seq = this.seq++;
    if (this.oneAgg) {
      const f = fns[0];
      (g.a as Accumulator).add(f ? f(v, ev) : null, seq);
      g.dirty = true;
      return;
    }
    const accs = g.a as Accumulator[];
    for (let i = 0; i < accs.length; i++) {
      const f = fns[i];
      accs[i]!.add(f ? f(v, ev) : null, seq);
    }
    g.dirty = true;
  }

  /** Add one event to its group in `table` (created on first sight, so Map order is first appearance). */
  add(table: Map<unknown, Group>, ev: Event): Group {
    let g: Group | undefined;
    if (this.oneKey) {
      // one key: no garbage per record for its key values
      const k = this.keyFns[0]!(ev.value, ev);
      const key = groupKey(k);
      g = table.get(key);
      if (g === undefined) table.set(key, (g = this.fresh([k])));
    } else {
      const { key, keys } = this.keyOf(ev);
      g = table.get(key);
      if (g === undefined) table.set(key, (g = this.fresh(keys)));
    }
    this.addTo(g, ev);
    return g;
  }

  /** A group as plain data for a checkpoint (the accumulators' save()). */
  saveGroup(g: Group): SavedGroup {
    return { keys: this.keysOf(g), accs: this.accsOf(g).map((a) => a.save!()), dirty: g.dirty };
  }

  /** A group back from saveGroup(): fresh accumulators loaded with the saved states. */
  loadGroup(s: SavedGroup): Group {
    const g = this.fresh(s.keys);
    const accs = this.accsOf(g);
    for (let i = 0; i < accs.length; i++) accs[i]!.load!(s.accs[i]);
    g.dirty = s.dirty;
    return g;
  }

  /** The arrival counter behind first/last, which a checkpoint carries over. */
  get arrivals(): number {
    return this.seq;
  }

  set arrivals(n: number) {
    this.seq = n;
  }

  /** A table of groups for a checkpoint, in its order (first appearance). */
  saveTable(table: Map<unknown, Group>): [unknown, SavedGroup][] {
    return [...table].map(([k, g]) => [k, this.saveGroup(g)]);
  }

  loadTable(saved: [unknown, SavedGroup][]): Map<unknown, Group> {
    return new Map(saved.map(([k, s]) => [k, this.loadGroup(s)]));
  }

  /** Fold `from` into `into` (session windows merging). */
  merge(into: Group, from: Group): void {
    const to = this.accsOf(into);
    const other = this.accsOf(from);
    for (let i = 0; i < to.length; i++) to[i]!.merge(other[i]!);
    into.dirty = true;
  }

  /** The output record of a group: prefix fields (window bounds), keys, aggregates, suffix fields. */
  result(g: Group, prefix?: [string, Value][], suffix?: [string, Value][]): Value {
    const o: { [k: string]: Value } = {};
    if (prefix) for (const [k, v] of prefix) putKey(o, k, v);
    for (let i = 0; i < this.keyNames.length; i++) {
      const k = this.oneKey ? (g.k as Maybe) : (g.k as Maybe[])[i];
      putKey(o, this.keyNames[i]!, k === undefined ? null : k);
    }
    const accs = this.accsOf(g);
    for (let i = 0; i < accs.length; i++) putKey(o, this.aggNames[i]!, accs[i]!.result());
    if (suffix) for (const [k, v] of suffix) putKey(o, k, v);
    return o;
  }
}

/** The message of a run stopped because the heap is nearly full. */
export function memoryMessage(heap: HeapWatch, live: number, label: string, groups: number | null): string {
  return `${label}: out of memory: ${groups === null ? '' : `${groups} groups held, `}the heap is at ${heap.describe(live)}; ` +
    `hold fewer keys or windows, or ${heap.advice()}; --max-state N stops at N groups`;
}

const RESULT_SOURCE = { name: '(aggregate)' };
const RESULT_SLICE = 4096;

export const aggregate = defineOperator<AggregateArgs>({
  name: 'aggregate',
  aliases: [],
  kind: 'aggregate',
  summary: 'aggregate per key: count(), avg(x), p95(x), ... [by KEY, ...]',
  usage: 'AGG [as NAME], ... [by KEY [as NAME], ...] [emit every DURATION|changes]',
  description:
    'Computes aggregates per distinct key over the whole input and writes one record per key at the end, ' +
    'keys first, then the aggregates, groups in order of first appearance. The keyword `aggregate` is optional: ' +
    '`count() by service` is a stage. Without `by`, one record is written, even for empty input (`{"count":0}`). ' +
    'Output names default to `count`, `avg_latency`, `p95_latency`; `as NAME` overrides. See `sluice help aggregates`. ' +
    'On a live input (a pipe, --follow, Kafka) `emit every DURATION` also writes the groups that changed every DURATION ' +
    '("final": false), and `emit changes` writes a group after every record that changes it; the end of input ' +
    'writes every group with "final": true. Interrupted (Ctrl-C, SIGTERM, SIGHUP) without --state, it writes every group ' +
    'as counted so far, marked "final": false (with --state, a checkpoint keeps them for the next run instead).',
  examples: [
    { program: 'count(), avg(ms) by svc', input: '{"svc":"a","ms":1}\n{"svc":"b","ms":3}\n{"svc":"a","ms":2}\n', output: '{"svc":"a","count":2,"avg_ms":1.5}\n{"svc":"b","count":1,"avg_ms":3}\n' },
    { program: 'count() as n, max(ms)', input: '{"ms":4}\n{"ms":9}\n', output: '{"n":2,"max_ms":9}\n' },
  ],
  parse: parseAggregate,
  print: printAggregate,
  build(args, ctx): Stage {
    const grouper = new Grouper(args, ctx);
    let table = new Map<unknown, Group>();
    const early = args.emit.mode !== 'final';
    let lastTimestamp = 0;
    const result = (g: Group, final: boolean): Event => {
      g.dirty = false;
      return makeEvent(grouper.result(g, undefined, early || !final ? [['final', final]] : undefined), undefined, RESULT_SOURCE, 0, lastTimestamp);
    };
    // one group's result after another, in slices: an aggregate by millions of keys never builds all its output at once
    function* results(final: boolean): Generator<Batch> {
      if (table.size === 0 && args.by.length === 0) table.set(null, grouper.fresh([]));
      let out: Batch = [];
      for (const g of table.values()) {
        out.push(result(g, final));
        if (out.length === RESULT_SLICE) {
          yield out;
          out = [];
        }
      }
      yield out;
    }
    const stage: StatefulStage = {
      kind: 'stateful',
      holds: true,
      label: grouper.label,
      stateSize: () => table.size,
      push(batch: Batch): Batch {
        if (batch.length > 0) lastTimestamp = batch[batch.length - 1]!.timestamp;
        if (args.emit.mode === 'changes') {
          const out: Batch = [];
          for (let i = 0; i < batch.length; i++) out.push(result(grouper.add(table, batch[i]!), false));
          return out;
        }
        for (let i = 0; i < batch.length; i++) grouper.add(table, batch[i]!);
        return [];
      },
      end: () => results(true),
      peek: () => Array.from(table.values(), (g) => grouper.result(g)),
      interrupt() {
        if (table.size === 0 && args.by.length === 0) table.set(null, grouper.fresh([]));
        return { out: results(false), partial: table.size, withheld: 0 };
      },
      snapshot: () => ({ table: grouper.saveTable(table), arrivals: grouper.arrivals, lastTimestamp }),
      restore(s) {
        const st = s as { table: [unknown, SavedGroup][]; arrivals: number; lastTimestamp: number };
        table = grouper.loadTable(st.table);
        grouper.arrivals = st.arrivals;
        lastTimestamp = st.lastTimestamp;
      },
    };
    if (args.emit.mode !== 'every') return stage;
    const everyMs = args.emit.every.ms;
    let last = Date.now();
    return {
      ...stage,
      tickMs: Math.min(everyMs, 1000) / 4,
      tick(now: number): Batch {
        if (now - last < everyMs) return [];
        last = now;
        const out: Batch = [];
        for (const g of table.values()) if (g.dirty) out.push(result(g, false));
        return out;
      },
    };
  },
});
