import type { Rec } from '../../core/event.js';
import { inferValue } from '../infer.js';
import { parserOf, type TextParserSpec } from './types.js';

// One CSV line, RFC 4180 quoting, fields named 1, 2, 3 … as Miller's --implicit-csv-header.
// Hand-written rather than csv-parse: a single line needs no streaming state, and this
// returns a reason instead of throwing. Quoted fields are never inferred (the quotes say
// "text"); a quote inside an unquoted field is kept as written.

function parseCsvLine(text: string, infer: boolean): Rec | string {
  const rec: Rec = {};
  const n = text.length;
  let field = 1;
  let i = 0;
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return `unterminated quoted field ${field}`;
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      rec[field] = value;
      if (i < n && text.charCodeAt(i) !== 44) return `unexpected character after the closing quote of field ${field} (column ${i + 1})`;
    } else {
      let end = text.indexOf(',', i);
      if (end < 0) end = n;
      const raw = text.slice(i, end);
      rec[field] = infer ? inferValue(raw) : raw;
      i = end;
    }
    if (i >= n) return rec;
    i++; // ','
    field++;
  }
}

export const csvParser: TextParserSpec = {
  name: 'csv',
  summary: 'one CSV line (RFC 4180 quoting); fields are named 1, 2, 3 …',
  usage: 'parse csv [from FIELD]',
  needsArg: false,
  examples: [
    { input: '2024-05-01,api,"GET /a, /b",200,0.25', output: '{"1":"2024-05-01","2":"api","3":"GET /a, /b","4":200,"5":0.25}' },
    { input: '"say ""hi""",,"42"', output: '{"1":"say \\"hi\\"","2":"","3":"42"}' },
  ],
  create: (_arg, opts) => parserOf(csvParser, (text) => parseCsvLine(text, opts.infer)),
};
