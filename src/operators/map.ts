import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { withValue } from '../core/event.js';
import { defineOperator, stateless } from './types.js';

export const map = defineOperator<Expr>({
  name: 'map',
  aliases: [],
  kind: 'stateless',
  summary: 'replace each record with the value of EXPR (usually an object literal)',
  usage: 'map EXPR',
  description:
    'Replaces the whole record, typically with an object literal: `map {a: x, b: y * 2}`. ' +
    'A key without a value copies the field of the same name: `map {service, status}`.',
  examples: [
    { program: 'map {svc: service, ms: latency * 1000}', input: '{"service":"api","latency":0.25}\n', output: '{"svc":"api","ms":250}\n' },
    { program: 'map {service, ok: status < 400}', input: '{"service":"web","status":404}\n', output: '{"service":"web","ok":false}\n' },
  ],
  parse: (p) => p.expr(),
  print: (e) => printExpr(e),
  build(e, ctx) {
    const fn = ctx.compiler.value(e);
    return stateless((batch) => batch.map((ev) => {
      const v = fn(ev.value, ev);
      return withValue(ev, v === undefined ? null : v);
    }));
  },
});
