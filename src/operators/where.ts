import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import type { Batch } from '../core/event.js';
import { defineOperator, stateless } from './types.js';

export const where = defineOperator<Expr>({
  name: 'where',
  aliases: ['filter'],
  kind: 'stateless',
  summary: 'keep the records for which EXPR is true',
  usage: 'where EXPR',
  description:
    'Keeps a record when EXPR is truthy: anything but null, false, 0 and the empty string. ' +
    'Comparisons with a missing field are false, so `where status >= 500` silently skips records without a status.',
  examples: [
    { program: 'where status >= 500', input: '{"status":200}\n{"status":503}\n{"path":"/"}\n', output: '{"status":503}\n' },
    { program: 'where level == "error" and msg =~ /timeout/i', input: '{"level":"error","msg":"Timeout after 3s"}\n{"level":"error","msg":"disk full"}\n', output: '{"level":"error","msg":"Timeout after 3s"}\n' },
  ],
  parse: (p) => p.expr(),
  print: (e) => printExpr(e),
  build(e, ctx) {
    const test = ctx.compiler.predicate(e);
    return stateless((batch) => {
      const out: Batch = [];
      for (let i = 0; i < batch.length; i++) {
        const ev = batch[i]!;
        if (test(ev.value, ev)) out.push(ev);
      }
      return out;
    });
  },
});
