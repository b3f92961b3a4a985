import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { totalOrder, type Maybe } from '../lang/values.js';
import type { Batch, Event } from '../core/event.js';
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
    'nulls and missing values sort last in both directions. Holds every record in memory.',
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
    const held: { ev: Event; k: Maybe[] }[] = [];
    return {
      kind: 'stateful',
      holds: true,
      push(batch: Batch): Batch {
        for (const ev of batch) held.push({ ev, k: fns.map((f) => f(ev.value, ev)) });
        return [];
      },
      end(): Batch {
        held.sort((a, b) => cmp(a.k, b.k));
        return held.map((h) => h.ev);
      },
      snapshot: () => held,
      restore(s) { held.push(...(s as typeof held)); },
    };
  },
});
