import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { isRecord, withValue, type Value } from '../core/event.js';
import { segments, setPath } from './paths.js';
import { defineOperator, stateless } from './types.js';

interface Assignment {
  target: Expr;
  value: Expr;
}

export const set = defineOperator<Assignment[]>({
  name: 'set',
  aliases: [],
  kind: 'stateless',
  summary: 'add or overwrite fields',
  usage: 'set NAME = EXPR, ...',
  description:
    'Assigns each expression to a field, left to right, so a later assignment sees an earlier one. ' +
    'NAME may be a nested path (`set req.ms = req.us / 1000`); missing parents are created. ' +
    'Fields exist only on objects: a record that is an array, a number or a string passes unchanged and counts as a type error ' +
    'in --stats (jq fails instead); reshape it with `map`, e.g. `map {key: this[0], value: this[1]}`.',
  examples: [
    { program: 'set secs = latency_ms / 1000, slow = latency_ms > 1000', input: '{"latency_ms":1500}\n', output: '{"latency_ms":1500,"secs":1.5,"slow":true}\n' },
    { program: 'set meta.seen = true', input: '{"id":1}\n', output: '{"id":1,"meta":{"seen":true}}\n' },
  ],
  parse(p) {
    const list: Assignment[] = [];
    do {
      const target = p.path('a field name to set');
      p.expect('=', "'=' after the field name");
      list.push({ target, value: p.expr() });
    } while (p.accept(','));
    return list;
  },
  print: (list) => list.map((a) => `${printExpr(a.target)} = ${printExpr(a.value)}`).join(', '),
  build(list, ctx) {
    const steps = list.map((a) => ({ segs: segments(a.target), fn: ctx.compiler.value(a.value) }));
    return stateless((batch) => batch.map((ev) => {
      // fields can only be set on an object: another value passes unchanged, counted as a type error
      if (!isRecord(ev.value)) { ctx.stats.typeError(); return ev; }
      let v: Value = ev.value;
      for (const s of steps) {
        const x = s.fn(v, ev);
        v = setPath(v, s.segs, x === undefined ? null : x);
      }
      return withValue(ev, v);
    }));
  },
});
