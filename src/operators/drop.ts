import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { withValue } from '../core/event.js';
import { deletePath, segments } from './paths.js';
import { defineOperator, stateless } from './types.js';

export const drop = defineOperator<Expr[]>({
  name: 'drop',
  aliases: [],
  kind: 'stateless',
  summary: 'remove fields',
  usage: 'drop FIELD, ...',
  description: 'Removes the named fields (nested paths allowed). A field that is not there is ignored.',
  examples: [
    { program: 'drop user, req.headers', input: '{"user":"u1","req":{"path":"/","headers":{"a":"b"}},"status":200}\n', output: '{"req":{"path":"/"},"status":200}\n' },
  ],
  parse(p) {
    const list = [p.path()];
    while (p.accept(',')) list.push(p.path());
    return list;
  },
  print: (list) => list.map(printExpr).join(', '),
  build(list) {
    const paths = list.map(segments);
    return stateless((batch) => batch.map((ev) => {
      let v = ev.value;
      for (const s of paths) v = deletePath(v, s);
      return v === ev.value ? ev : withValue(ev, v);
    }));
  },
});
