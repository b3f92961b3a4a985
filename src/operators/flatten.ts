import { isRecord, withValue } from '../core/event.js';
import { flattenRecord, hasNested } from '../core/flatten.js';
import { printString } from '../lang/print.js';
import { defineOperator, stateless } from './types.js';

export const flatten = defineOperator<string>({
  name: 'flatten',
  aliases: [],
  kind: 'stateless',
  summary: 'spread nested objects and arrays into top-level fields a.b, a.1, …',
  usage: 'flatten ["SEP"]',
  description:
    'Replaces each nested object or array by fields whose names join the path with SEP (default "."), as Miller does: ' +
    '`{"req":{"host":"a"},"tags":["x","y"]}` becomes `{"req.host":"a","tags.1":"x","tags.2":"y"}`. Array elements are ' +
    'numbered from 1 (Miller\'s convention; expressions index from 0), an empty object or array becomes the text "{}" or "[]", ' +
    'and when two paths give one name the later value wins. csv and tsv output flatten with "." by themselves. A record that ' +
    'is not an object passes unchanged and counts as a type error in --stats. The function flatten(arr) flattens arrays inside an array.',
  examples: [
    { program: 'flatten', input: '{"id":1,"req":{"host":"a.io","hdr":{"ua":"curl"}},"tags":["x","y"]}\n', output: '{"id":1,"req.host":"a.io","req.hdr.ua":"curl","tags.1":"x","tags.2":"y"}\n' },
    { program: 'flatten "_"', input: '{"a":{"b":1,"c":{}},"d":[]}\n', output: '{"a_b":1,"a_c":"{}","d":"[]"}\n' },
  ],
  parse(p) {
    if (p.atStageEnd()) return '.';
    const sep = p.string('a separator such as "." or "_"');
    if (sep.value === '') p.fail('flatten: the separator cannot be empty (names would run together)', sep.span);
    return sep.value;
  },
  print: (sep) => (sep === '.' ? '' : printString(sep)),
  build(sep, ctx) {
    return stateless((batch) => batch.map((ev) => {
      const v = ev.value;
      if (!isRecord(v)) { ctx.stats.typeError(); return ev; }
      return hasNested(v) ? withValue(ev, flattenRecord(v, sep)) : ev;
    }));
  },
});
