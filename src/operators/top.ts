import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import type { Maybe } from '../lang/values.js';
import type { Batch, Event } from '../core/event.js';
import { count } from './head.js';
import { keyComparator } from './sort.js';
import { defineOperator } from './types.js';

interface TopArgs {
  n: number;
  by: Expr;
}

export const top = defineOperator<TopArgs>({
  name: 'top',
  aliases: [],
  kind: 'stateful',
  summary: 'the N records with the largest EXPR',
  usage: 'top N by EXPR',
  description:
    'Keeps the N records with the largest value of EXPR, largest first; ties keep input order. ' +
    'Memory is bounded by N. Records where EXPR is null come last. ' +
    'Interrupted without --state it writes nothing and says on stderr how many records it held.',
  examples: [
    { program: 'top 2 by latency', input: '{"id":1,"latency":5}\n{"id":2,"latency":30}\n{"id":3,"latency":12}\n', output: '{"id":2,"latency":30}\n{"id":3,"latency":12}\n' },
  ],
  parse(p) {
    const n = count(p, 'the number of records');
    p.expectKeyword('by', "'by' and an expression");
    return { n, by: p.expr() };
  },
  print: (a) => `${a.n} by ${printExpr(a.by)}`,
  build({ n, by }, ctx) {
    const fn = ctx.compiler.value(by);
    const cmp = keyComparator([true]);
    let held: { ev: Event; k: Maybe[] }[] = [];
    const trim = () => {
      held.sort((a, b) => cmp(a.k, b.k));
      held = held.slice(0, n);
    };
    return {
      kind: 'stateful',
      holds: true,
      push(batch: Batch): Batch {
        if (n === 0) return [];
        for (const ev of batch) held.push({ ev, k: [fn(ev.value, ev)] });
        if (held.length > Math.max(2 * n, 1024)) trim();
        return [];
      },
      end(): Batch {
        trim();
        return held.map((h) => h.ev);
      },
      interrupt: () => ({ out: [], partial: 0, withheld: Math.min(held.length, n) }),
      snapshot: () => held,
      restore(s) { held = s as typeof held; },
    };
  },
});
