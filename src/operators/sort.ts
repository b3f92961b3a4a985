import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { totalOrder, type Maybe } from '../lang/values.js';
import type { Batch } from '../core/event.js';
import { DEFAULT_SORT_BUFFER, SizeEstimate, SortRuns, type Keyed } from './spill.js';
import { defineOperator } from './types.js';

interface SortKey {
  expr: Expr;
  desc: boolean;
}

/** Compare by keys: the total value order, reversed for desc, nulls last either way. */
export function keyComparator(desc: readonly boolean[]) {
  return (a: Maybe[], b: Maybe[]): number => {
    for (let i = 0; i < desc.length; i++) {
      const x = a[i];
      const y = b[i];
      const xn = x === null || x === undefined;
      const yn = y === null || y === undefined;
      if (xn || yn) {
        if (xn !== yn) return xn ? 1 : -1;
        continue;
      }
      const c = totalOrder(x, y);
      if (c !== 0) return desc[i] ? -c : c;
    }
    return 0;
  };
}

export const sort = defineOperator<SortKey[]>({
  name: 'sort',
  aliases: [],
  kind: 'stateful',
  summary: 'sort records by keys (blocking)',
  usage: 'sort KEY [asc|desc], ...',
  description:
    'Sorts the whole input, stably. Numbers come before strings, then booleans, arrays and objects; ' +
    'nulls and missing values sort last in both directions. Holds records in memory up to --sort-buffer (default 512M, estimated), ' +
    'then sorts them and spills them to a temporary file in $TMPDIR, and merges those runs at the end, as GNU sort does: the input may be larger than memory. ' +
    'Interrupted without --state it writes nothing and says on stderr how many records it held (a prefix of the input sorted is not the input sorted).',
  examples: [
    { program: 'sort latency desc', input: '{"latency":5}\n{"latency":30}\n{"latency":12}\n', output: '{"latency":30}\n{"latency":12}\n{"latency":5}\n' },
    { program: 'sort service, latency desc', input: '{"service":"b","latency":1}\n{"service":"a","latency":2}\n{"service":"a","latency":9}\n', output: '{"service":"a","latency":9}\n{"service":"a","latency":2}\n{"service":"b","latency":1}\n' },
  ],
  parse(p) {
    const keys: SortKey[] = [];
    do {
      const expr = p.expr();
      const desc = p.acceptKeyword('desc') ? true : (p.acceptKeyword('asc'), false);
      keys.push({ expr, desc });
    } while (p.accept(','));
    return keys;
  },
  print: (keys) => keys.map((k) => printExpr(k.expr) + (k.desc ? ' desc' : '')).join(', '),
  build(keys, ctx) {
    const fns = keys.map((k) => ctx.compiler.value(k.expr));
    const cmp = keyComparator(keys.map((k) => k.desc));
    const budget = ctx.sortBufferBytes ?? DEFAULT_SORT_BUFFER;
    const size = new SizeEstimate();
    const runs = new SortRuns((ev) => fns.map((f) => f(ev.value, ev)));
    const byKey = (a: Keyed, b: Keyed) => cmp(a.k, b.k);
    let held: Keyed[] = [];
    let bytes = 0;
    return {
      kind: 'stateful',
      holds: true,
      push(batch: Batch): Batch {
        for (const ev of batch) {
          held.push({ ev, k: fns.map((f) => f(ev.value, ev)) });
          bytes += size.bytes(ev);
          if (bytes >= budget) {
            runs.write(held.sort(byKey));
            held = [];
            bytes = 0;
          }
        }
        return [];
      },
      *end(): Generator<Batch> {
        held.sort(byKey);
        if (runs.count > 0) {
          yield* runs.merge(held, cmp);
          return;
        }
        for (let i = 0; i < held.length; i += 4096) yield held.slice(i, i + 4096).map((h) => h.ev);
      },
      interrupt() {
        const withheld = held.length + runs.records;
        runs.remove();
        held = [];
        return { out: [], partial: 0, withheld };
      },
      // the spilled runs come back into the checkpoint, oldest first: restored and sorted again, stably, they are the same order
      snapshot: () => (runs.count > 0 ? [...runs.readAll(), ...held] : held),
      restore(s) {
        held = [...(s as Keyed[])];
      },
    };
  },
});
