import { UsageError } from '../errors/errors.js';
import { textParsers, type TextParser } from '../formats/parse/index.js';
import { suggestion } from '../errors/diagnostic.js';
import type { Expr } from '../lang/ast.js';
import { printExpr, printString } from '../lang/print.js';
import { isRecord, withValue, type Batch, type Value } from '../core/event.js';
import { deletePath, putKey, segments } from './paths.js';
import { defineOperator } from './types.js';

interface ParseArgs {
  format: string;
  arg: string | null;
  from: Expr;
}

const DEFAULT_FROM: Expr = { kind: 'name', name: 'line', span: { start: 0, end: 0 } };

export const parse = defineOperator<ParseArgs>({
  name: 'parse',
  aliases: [],
  kind: 'stateless',
  summary: 'parse a text field into fields (json, logfmt, kv, csv, regex, nginx, apache, syslog)',
  usage: "parse FORMAT ['REGEX'] [from FIELD]",
  description:
    'Parses the text in FIELD (default `line`, the field that `-I lines` produces) and replaces that field with the ' +
    "parsed fields. `parse regex '(?<ip>\\S+) (?<rest>.*)'` names fields with named groups. A value that does not " +
    'parse is bad input: it follows --on-error like a bad line of input.',
  examples: [
    { program: 'parse logfmt from msg', input: '{"msg":"level=warn took=12ms user=ann"}\n', output: '{"level":"warn","took":"12ms","user":"ann"}\n' },
    { program: "parse regex '(?<method>[A-Z]+) (?<path>\\S+)' from req", input: '{"req":"GET /api/orders","id":7}\n', output: '{"id":7,"method":"GET","path":"/api/orders"}\n' },
  ],
  parse(p) {
    const f = p.name('a format: ' + [...textParsers.keys()].join(', '));
    const entry = textParsers.get(f.name);
    if (entry === undefined) return p.fail(`unknown parse format '${f.name}'${suggestion(f.name, textParsers.keys())} (known: ${[...textParsers.keys()].join(', ')})`, f.span);
    let arg: string | null = null;
    if (entry.needsArg) {
      const s = p.string(`the ${f.name} pattern as a quoted string`);
      try {
        entry.create(s.value, { infer: true });
      } catch (e) {
        p.fail(`parse ${f.name}: ${(e as Error).message}`, s.span);
      }
      arg = s.value;
    }
    const from = p.acceptKeyword('from') ? p.path() : DEFAULT_FROM;
    return { format: f.name, arg, from };
  },
  print: (a) => [a.format, a.arg !== null ? printString(a.arg) : '', a.from === DEFAULT_FROM ? '' : `from ${printExpr(a.from)}`].filter(Boolean).join(' '),
  build({ format, arg, from }, ctx) {
    let parser: TextParser;
    try {
      parser = textParsers.get(format)!.create(arg ?? undefined, { infer: ctx.infer });
    } catch (e) {
      throw new UsageError(`parse ${format}: ${(e as Error).message}`);
    }
    const get = ctx.compiler.value(from);
    const segs = segments(from);
    return {
      kind: 'stateless',
      push(batch: Batch): Batch {
        const out: Batch = [];
        for (const ev of batch) {
          const text = get(ev.value, ev);
          if (typeof text !== 'string') {
            ctx.bad(ev, text === undefined || text === null ? `parse ${format}: no field ${printExpr(from)}` : `parse ${format}: ${printExpr(from)} is not a string`);
            continue;
          }
          const r = parser.parse(text);
          if (typeof r === 'string') {
            ctx.bad(ev, `parse ${format}: ${r}`);
            continue;
          }
          const base = deletePath(ev.value, segs);
          const o: { [k: string]: Value } = isRecord(base) ? { ...base } : {};
          for (const k of Object.keys(r)) putKey(o, k, r[k]!);
          out.push(withValue(ev, o));
        }
        return out;
      },
    };
  },
});
