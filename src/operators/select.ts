import { UsageError } from '../errors/errors.js';
import type { Named } from '../lang/ast.js';
import { columnName, printNamed } from '../lang/print.js';
import { withValue, type Value } from '../core/event.js';
import { putKey } from './paths.js';
import { defineOperator, stateless } from './types.js';

export const select = defineOperator<Named[]>({
  name: 'select',
  aliases: [],
  kind: 'stateless',
  summary: 'project: a new record with just these fields',
  usage: 'select EXPR [as NAME], ...',
  description:
    'Builds a new record from the listed expressions, in order. An unnamed field path keeps its ' +
    'path as its name (`req.host`); any other unnamed expression is named by its text. Missing values become null.',
  examples: [
    { program: 'select service, latency_ms / 1000 as secs', input: '{"service":"api","latency_ms":1500,"user":"u1"}\n', output: '{"service":"api","secs":1.5}\n' },
    { program: 'select req.host, lower(method)', input: '{"req":{"host":"a.io"},"method":"GET"}\n', output: '{"req.host":"a.io","lower(method)":"get"}\n' },
  ],
  parse(p) {
    const items = p.namedList();
    const names = items.map(columnName);
    const i = names.findIndex((n, j) => names.indexOf(n) !== j);
    if (i >= 0) p.fail(`select: two fields are named '${names[i]}'; rename one with \`as\``, items[i]!.expr.span);
    return items;
  },
  print: (items) => items.map(printNamed).join(', '),
  build(items, ctx) {
    const names = items.map(columnName);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new UsageError(`select: two fields are named '${dup}'; rename one with \`as\``);
    const fns = items.map((n) => ctx.compiler.value(n.expr));
    return stateless((batch) => batch.map((ev) => {
      const o: { [k: string]: Value } = {};
      for (let i = 0; i < fns.length; i++) {
        const v = fns[i]!(ev.value, ev);
        putKey(o, names[i]!, v === undefined ? null : v);
      }
      return withValue(ev, o);
    }));
  },
});
