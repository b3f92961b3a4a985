import { suggestion } from '../errors/diagnostic.js';
import { LimitError } from '../errors/errors.js';
import type { Expr, Named, Span } from '../lang/ast.js';
import type { Compiled } from '../lang/compiler.js';
import type { StageParser } from '../lang/parser.js';
import { printExpr, printNamed } from '../lang/print.js';
import { groupKey } from '../lang/values.js';
import { isRecord, withValue, type Batch, type Event, type Value } from '../core/event.js';
import { heapWatch } from '../core/memory.js';
import { numericValue } from '../aggregates/numeric.js';
import { defaultAggName, memoryMessage } from './aggregate.js';
import { putKey } from './paths.js';
import { defineOperator } from './types.js';

/** The running functions: how many arguments, how many state slots per key, and their help. */
const FUNCTIONS = {
  running_sum: { args: [1, 1], usage: 'running_sum(x)', help: 'the sum of the numeric values of x so far (null until the first)' },
  running_count: { args: [0, 1], usage: 'running_count([x])', help: 'how many records so far (with x: how many whose x is not null)' },
  prev: { args: [1, 1], usage: 'prev(x)', help: 'x of the previous record (null for the first)' },
  delta: { args: [1, 1], usage: 'delta(x)', help: 'x minus the previous numeric x (null for the first, or when x is not a number)' },
} as const;

type RunningFn = keyof typeof FUNCTIONS;

interface RunningCall {
  fn: RunningFn;
  arg: Expr | null;
  name: string;
  span: Span;
}

interface RunningArgs {
  calls: RunningCall[];
  by: Named[];
}

/** Per key, the state of every call in order: running_sum [s, c, n], running_count [n], prev [value], delta [last number or null]. */
type KeyState = Value[];

const SLOTS: { [f in RunningFn]: number } = { running_sum: 3, running_count: 1, prev: 1, delta: 1 };

function runningCall(p: StageParser, n: Named): RunningCall {
  const e = n.expr;
  const names = Object.keys(FUNCTIONS);
  if (e.kind !== 'call') p.fail(`expected a running function: ${names.join(', ')}`, e.span);
  const spec = FUNCTIONS[e.name as RunningFn] as (typeof FUNCTIONS)[RunningFn] | undefined;
  if (!spec) p.fail(`unknown running function '${e.name}'${suggestion(e.name, names)} (running takes ${names.join(', ')})`, e.nameSpan);
  const [least, most]: readonly number[] = spec.args;
  if (e.args.length < least! || e.args.length > most!) p.fail(`${e.name} takes ${least === most ? 'one argument' : 'at most one argument'}: ${spec.usage}`, e.span);
  const arg = e.args[0] ?? null;
  const fn = e.name as RunningFn;
  return { fn, arg, name: n.alias ?? defaultAggName(fn, arg, []), span: e.span };
}

const printCall = (c: RunningCall) => {
  const call = `${c.fn}(${c.arg ? printExpr(c.arg) : ''})`;
  return c.name === defaultAggName(c.fn, c.arg, []) ? call : `${call} as ${c.name}`;
};

export const running = defineOperator<RunningArgs>({
  name: 'running',
  aliases: [],
  kind: 'stateful',
  summary: 'add running values per key to each record: running_sum, running_count, prev, delta',
  usage: 'running FN(x) [as NAME], ... [by KEY, ...]',
  description:
    'Sets fields on each record from what came before it with the same key, in arrival order (the order records reach ' +
    'the stage, not event time), and passes the record on at once. ' +
    Object.values(FUNCTIONS).map((f) => `\`${f.usage}\`: ${f.help}`).join('; ') + '. ' +
    'The record itself counts: running_sum and running_count include it. Without `by` the whole input is one key; a ' +
    'missing key is the null key. A number or a numeric string counts as a number; null and missing values are skipped; ' +
    'any other value is skipped and counted as a type error in --stats. Field names default to running_sum_x, ' +
    'running_count, prev_x, delta_x. The state is one entry per key (--max-state counts keys) and is checkpointed with ' +
    '--state, exactly once: after a stop or a crash the values go on as in one uninterrupted run (records written after the ' +
    'last checkpoint before a crash are written again, with the same values), per input partition with --state kafka://…; ' +
    'unlike windows and aggregates they also go on after a run that read its inputs to the end, over what was appended since.',
  examples: [
    {
      program: 'running running_sum(n) as total, running_count() as seen',
      input: '{"n":2}\n{"n":4}\n{"n":6}\n',
      output: '{"n":2,"total":2,"seen":1}\n{"n":4,"total":6,"seen":2}\n{"n":6,"total":12,"seen":3}\n',
    },
    {
      program: 'running prev(v), delta(v) by host',
      input: '{"host":"a","v":10}\n{"host":"b","v":5}\n{"host":"a","v":13}\n',
      output: '{"host":"a","v":10,"prev_v":null,"delta_v":null}\n{"host":"b","v":5,"prev_v":null,"delta_v":null}\n{"host":"a","v":13,"prev_v":10,"delta_v":3}\n',
    },
  ],
  parse(p) {
    const calls = p.namedList().map((n) => runningCall(p, n));
    const by = p.acceptKeyword('by') ? p.namedList() : [];
    const names = calls.map((c) => c.name);
    const dup = names.find((x, i) => names.indexOf(x) !== i);
    if (dup !== undefined) p.fail(`two running values are named '${dup}'; name one with \`as\``, calls.find((c) => c.name === dup)!.span);
    return { calls, by };
  },
  print: (a) => a.calls.map(printCall).join(', ') + (a.by.length ? ` by ${a.by.map(printNamed).join(', ')}` : ''),
  build({ calls, by }, ctx) {
    const label = `running ${calls.map(printCall).join(', ')}${by.length ? ` by ${by.map(printNamed).join(', ')}` : ''}`;
    const argFns: (Compiled | null)[] = calls.map((c) => (c.arg ? ctx.compiler.value(c.arg) : null));
    const keyFns = by.map((k) => ctx.compiler.value(k.expr));
    const offsets: number[] = [];
    let width = 0;
    for (const c of calls) { offsets.push(width); width += SLOTS[c.fn]; }
    const fresh = (): KeyState => {
      const s: KeyState = new Array(width);
      calls.forEach((c, i) => {
        const o = offsets[i]!;
        if (c.fn === 'running_sum') { s[o] = 0; s[o + 1] = 0; s[o + 2] = 0; } else if (c.fn === 'running_count') s[o] = 0;
        else s[o] = null;
      });
      return s;
    };
    const keyOf = keyFns.length === 0
      ? () => null
      : keyFns.length === 1
        ? (ev: Event) => groupKey(keyFns[0]!(ev.value, ev))
        : (ev: Event) => JSON.stringify(keyFns.map((f) => f(ev.value, ev) ?? null));
    const maxState = ctx.maxState ?? Infinity;
    const heap = ctx.heap ?? heapWatch;
    const table = new Map<unknown, KeyState>();
    /** a number, or NaN for null and missing (skipped), or NaN with a type error for anything else */
    const number = (v: Value | undefined): number => {
      if (v === null || v === undefined) return NaN;
      const x = numericValue(v);
      if (!Number.isFinite(x)) ctx.stats.typeError();
      return x;
    };
    const step = (ev: Event): Event => {
      // fields can only be set on an object: another value passes unchanged, counted as a type error
      if (!isRecord(ev.value)) { ctx.stats.typeError(); return ev; }
      const key = keyOf(ev);
      let s = table.get(key);
      if (s === undefined) {
        if (table.size >= maxState) {
          throw new LimitError(`${label}: more than ${maxState} keys held (--max-state ${maxState}); raise --max-state, or make fewer keys`);
        }
        s = fresh();
        table.set(key, s);
        if ((table.size & 4095) === 0) {
          const live = heap.full();
          if (live !== null) throw new LimitError(memoryMessage(heap, live, label, table.size));
        }
      }
      const out: { [k: string]: Value } = { ...ev.value };
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i]!;
        const o = offsets[i]!;
        const fn = argFns[i];
        const v = fn ? fn(ev.value, ev) : undefined;
        let result: Value;
        switch (c.fn) {
          case 'running_sum': {
            const x = number(v);
            let sum = s[o] as number;
            let comp = s[o + 1] as number;
            if (Number.isFinite(x)) {
              // Neumaier's compensated sum, as the sum aggregate: the last total equals sum(x)
              const t = sum + x;
              comp += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
              sum = t;
              s[o] = sum;
              s[o + 1] = comp;
              s[o + 2] = (s[o + 2] as number) + 1;
            }
            result = s[o + 2] === 0 ? null : Number.isFinite(sum) ? sum + comp : sum;
            break;
          }
          case 'running_count':
            if (fn === null || (v !== null && v !== undefined)) s[o] = (s[o] as number) + 1;
            result = s[o]!;
            break;
          case 'prev':
            result = s[o]!;
            s[o] = v === undefined ? null : v;
            break;
          case 'delta': {
            const x = number(v);
            const last = s[o] as number | null;
            result = Number.isFinite(x) && last !== null ? x - last : null;
            if (Number.isFinite(x)) s[o] = x;
            break;
          }
        }
        putKey(out, c.name, result);
      }
      return withValue(ev, out);
    };
    return {
      kind: 'stateful',
      holds: false,
      carries: true,
      label,
      push: (batch: Batch): Batch => batch.map(step),
      end: () => [],
      stateSize: () => table.size,
      snapshot: () => table,
      restore(st) {
        for (const [k, s] of st as Map<unknown, KeyState>) table.set(k, s);
      },
    };
  },
});
