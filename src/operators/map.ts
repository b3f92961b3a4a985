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
    'A key without a value copies the field of the same name: `map {service, status}`. ' +
    '`this` is the whole record, whatever its type, so records that are arrays or numbers can be addressed and replaced: ' +
    '`map {key: this[0], value: this[1]}`, `map this * 2`. EXPR may give any value; a record that is not an object is ' +
    'written as it is in JSON output and as one column named value in csv and tsv.',
  examples: [
    { program: 'map {svc: service, ms: latency * 1000}', input: '{"service":"api","latency":0.25}\n', output: '{"svc":"api","ms":250}\n' },
    { program: 'map {service, ok: status < 400}', input: '{"service":"web","status":404}\n', output: '{"service":"web","ok":false}\n' },
    { program: 'map {key: this[0], value: this[1]}', input: '["a",1]\n["b",2]\n', output: '{"key":"a","value":1}\n{"key":"b","value":2}\n' },
    { program: 'where this > 1 | map this * 10', input: '1\n2\n3\n', output: '20\n30\n' },
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
