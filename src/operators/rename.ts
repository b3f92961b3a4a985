import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { isRecord, withValue, type Value } from '../core/event.js';
import { deletePath, getPath, putKey, segments, setPath, type Segment } from './paths.js';
import { defineOperator, stateless } from './types.js';

interface Renaming {
  from: Expr;
  to: Expr;
}

/** Rename a top-level key in place of order, so `rename a as b` keeps b where a was. */
function renameTop(v: Value, from: string, to: string): Value {
  if (!isRecord(v) || !Object.hasOwn(v, from)) return v;
  const o: { [k: string]: Value } = {};
  for (const k of Object.keys(v)) {
    if (k === from) putKey(o, to, v[k]!);
    else if (k !== to) putKey(o, k, v[k]!);
  }
  return o;
}

export const rename = defineOperator<Renaming[]>({
  name: 'rename',
  aliases: [],
  kind: 'stateless',
  summary: 'rename fields',
  usage: 'rename FIELD as NEW, ...',
  description:
    'Renames fields, keeping their position; an existing field with the new name is replaced. ' +
    'Nested paths move the value (`rename req.ms as latency`). A field that is not there is ignored.',
  examples: [
    { program: 'rename ts as time, lvl as level', input: '{"ts":"2024-05-01T12:00:00Z","lvl":"info","msg":"hi"}\n', output: '{"time":"2024-05-01T12:00:00Z","level":"info","msg":"hi"}\n' },
  ],
  parse(p) {
    const list: Renaming[] = [];
    do {
      const from = p.path();
      p.expectKeyword('as', "'as' and the new name");
      list.push({ from, to: p.path('the new name') });
    } while (p.accept(','));
    return list;
  },
  print: (list) => list.map((r) => `${printExpr(r.from)} as ${printExpr(r.to)}`).join(', '),
  build(list) {
    const steps = list.map((r) => ({ from: segments(r.from), to: segments(r.to) }));
    const move = (v: Value, from: Segment[], to: Segment[]): Value => {
      if (from.length === 1 && to.length === 1 && typeof from[0] === 'string' && typeof to[0] === 'string') {
        return renameTop(v, from[0], to[0]);
      }
      const x = getPath(v, from);
      return x === undefined ? v : setPath(deletePath(v, from), to, x);
    };
    return stateless((batch) => batch.map((ev) => {
      let v = ev.value;
      for (const s of steps) v = move(v, s.from, s.to);
      return v === ev.value ? ev : withValue(ev, v);
    }));
  },
});
