import type { Expr } from '../lang/ast.js';
import { printExpr, printName } from '../lang/print.js';
import { isRecord, withValue, type Batch, type Rec, type Value } from '../core/event.js';
import { deletePath, getPath, putKey, segments, setPath } from './paths.js';
import { defineOperator, stateless } from './types.js';

interface Unnest {
  /** the array's path, or null for `this` (the record is the array) */
  path: Expr | null;
  as: string | null;
  index: string | null;
  keepEmpty: boolean;
}

/** The record with the top-level field `from` replaced, in its place (last when absent), by `to` = value (and `index` = i right after it). */
function replaceTop(r: Rec, from: string, to: string, value: Value, index: string | null, i: Value): Rec {
  const o: Rec = {};
  let found = false;
  for (const k of Object.keys(r)) {
    if (k === from) {
      found = true;
      putKey(o, to, value);
      if (index !== null) putKey(o, index, i);
    } else if (k !== to && k !== index) {
      putKey(o, k, r[k]!);
    }
  }
  if (!found) {
    // a missing field kept by keep-empty: its null goes last
    putKey(o, to, value);
    if (index !== null) putKey(o, index, i);
  }
  return o;
}

export const unnest = defineOperator<Unnest>({
  name: 'unnest',
  aliases: [],
  kind: 'stateless',
  summary: 'one record per element of an array field',
  usage: 'unnest FIELD|this [as NAME] [index NAME] [keep-empty]',
  description:
    'Writes the record once for each element of the array in FIELD (a path such as order.items), the field holding the element ' +
    '(jq `.items[]`, Flink CROSS JOIN UNNEST, Miller nest --explode). With `as NAME` the element goes into NAME instead, in the ' +
    'place of FIELD, which is removed; with `index NAME`, NAME holds the element\'s position, from 0 as in items[0]. `unnest this` ' +
    'splits a record that is itself an array: each element becomes a record (with `as NAME`, a record {NAME: element}). ' +
    'A missing or null FIELD and an empty array give no record, as in Flink; with `keep-empty` the record is written once with the ' +
    'element (and index) null, as a LEFT JOIN UNNEST does. A FIELD that is neither an array nor null (a string, a number, an object), ' +
    'or a record that is not an object, counts as a type error in --stats and is treated as empty.',
  examples: [
    { program: 'unnest items', input: '{"id":1,"items":["a","b"]}\n{"id":2,"items":[]}\n', output: '{"id":1,"items":"a"}\n{"id":1,"items":"b"}\n' },
    { program: 'unnest items as item index i', input: '{"id":1,"items":[{"sku":"A"},{"sku":"B"}],"total":3}\n', output: '{"id":1,"item":{"sku":"A"},"i":0,"total":3}\n{"id":1,"item":{"sku":"B"},"i":1,"total":3}\n' },
    { program: 'unnest tags keep-empty', input: '{"id":1,"tags":["x"]}\n{"id":2,"tags":[]}\n{"id":3}\n', output: '{"id":1,"tags":"x"}\n{"id":2,"tags":null}\n{"id":3,"tags":null}\n' },
    { program: 'unnest this as n', input: '[1,2]\n', output: '{"n":1}\n{"n":2}\n' },
  ],
  parse(p) {
    let path: Expr | null = null;
    if (!p.acceptKeyword('this')) path = p.path('an array field (or this)');
    let as: string | null = null;
    let index: string | null = null;
    let keepEmpty = false;
    if (p.acceptKeyword('as')) as = p.name('a name after `as`').name;
    if (p.isKeyword('index')) {
      const at = p.next().span;
      const n = p.name('a name after `index`');
      if (path === null && as === null) p.fail('unnest this: `index NAME` needs `as NAME` (the element may not be an object to hold it)', at);
      if (n.name === as) p.fail(`unnest: the element and the index are both named '${n.name}'`, n.span);
      index = n.name;
    }
    if (p.isKeyword('keep')) {
      p.next();
      p.expect('-', '`keep-empty`');
      p.expectKeyword('empty', '`keep-empty`');
      keepEmpty = true;
    }
    return { path, as, index, keepEmpty };
  },
  print: (u) => [u.path === null ? 'this' : printExpr(u.path), u.as === null ? '' : `as ${printName(u.as)}`, u.index === null ? '' : `index ${printName(u.index)}`, u.keepEmpty ? 'keep-empty' : ''].filter((s) => s !== '').join(' '),
  build(u, ctx) {
    const segs = u.path === null ? null : segments(u.path);
    const top = segs !== null && segs.length === 1 && typeof segs[0] === 'string' ? segs[0] : null;
    const { as, index } = u;
    /** the record for one element (i null: the kept empty one) */
    const make = (r: Value, base: Value, el: Value, i: Value): Value => {
      if (segs === null) {
        if (as === null) return el;
        const o: Rec = {};
        putKey(o, as, el);
        if (index !== null) putKey(o, index, i);
        return o;
      }
      if (top !== null) return replaceTop(r as Rec, top, as ?? top, el, index, i);
      let v = setPath(base, as === null ? segs : [as], el);
      if (index !== null) v = setPath(v, [index], i);
      return v;
    };
    return stateless((batch) => {
      const out: Batch = [];
      for (let b = 0; b < batch.length; b++) {
        const ev = batch[b]!;
        const r = ev.value;
        const arr = segs === null ? r : isRecord(r) ? getPath(r, segs) : undefined;
        if (!Array.isArray(arr) || arr.length === 0) {
          if (arr !== null && arr !== undefined && !Array.isArray(arr)) ctx.stats.typeError();
          else if (segs !== null && !isRecord(r)) ctx.stats.typeError();
          if (u.keepEmpty) out.push(segs !== null && !isRecord(r) ? ev : withValue(ev, make(r, as === null || segs === null ? r : deletePath(r, segs), null, null)));
          continue;
        }
        const base = segs === null || top !== null || as === null ? r : deletePath(r, segs);
        for (let i = 0; i < arr.length; i++) out.push(withValue(ev, make(r, base, arr[i]!, i)));
      }
      return out;
    });
  },
});
