import type { Expr } from '../lang/ast.js';
import { printExpr, printString } from '../lang/print.js';
import { defineOperator, stateless } from './types.js';

interface AssertArgs {
  test: Expr;
  message: string | null;
}

export const assert = defineOperator<AssertArgs>({
  name: 'assert',
  aliases: [],
  kind: 'stateless',
  summary: 'check every record; report violations and exit 1 (for CI)',
  usage: 'assert EXPR [else "message"]',
  description:
    'Passes every record through unchanged. Each record for which EXPR is not true is reported on stderr with its ' +
    'location (`file:line`) and the expression or message; at the end sluice exits with status 1 if any failed. ' +
    'A missing field makes a comparison false, so `assert amount >= 0` also catches records without an amount.',
  examples: [
    { program: 'assert amount >= 0 else "negative amount"', input: '{"amount":3}\n{"amount":0}\n', output: '{"amount":3}\n{"amount":0}\n' },
  ],
  parse(p) {
    const test = p.expr();
    const message = p.acceptKeyword('else') ? p.string('a quoted message after else').value : null;
    return { test, message };
  },
  print: (a) => printExpr(a.test) + (a.message !== null ? ` else ${printString(a.message)}` : ''),
  build({ test, message }, ctx) {
    const pred = ctx.compiler.predicate(test);
    const text = message ?? `assertion failed: ${printExpr(test)}`;
    const rule = `assert ${printExpr(test)}${message !== null ? ` else ${printString(message)}` : ''}`;
    return stateless((batch) => {
      for (const ev of batch) if (!pred(ev.value, ev)) ctx.assertFailed(ev, text, rule);
      return batch;
    });
  },
});
