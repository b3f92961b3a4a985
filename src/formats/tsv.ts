// tsv: tab-separated, header row, no quoting. As in Miller, a tab, newline, CR or backslash
// inside a value is written `\t` `\n` `\r` `\\`, and read back the same way; any other
// backslash is kept as it is.

import type { DecoderFactory, EncoderFactory } from './types.js';
import { lineDecoder } from './line-splitter.js';
import { RowsToRecords } from './columns.js';
import { delimitedEncoder } from './csv.js';
import { defineFormat } from './spec.js';

export function tsvUnescape(s: string): string {
  if (s.indexOf('\\') === -1) return s;
  let out = '';
  let from = 0;
  for (let i = s.indexOf('\\'); i !== -1 && i < s.length - 1; i = s.indexOf('\\', i)) {
    const d = s.charCodeAt(i + 1);
    const rep = d === 92 ? '\\' : d === 110 ? '\n' : d === 116 ? '\t' : d === 114 ? '\r' : null;
    if (rep === null) {
      i++;
      continue;
    }
    out += s.slice(from, i) + rep;
    i += 2;
    from = i;
  }
  return out + s.slice(from);
}

const TSV_SPECIAL = /[\t\n\r\\]/;

export function tsvEscape(s: string): string {
  if (!TSV_SPECIAL.test(s)) return s;
  return s.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\'));
}

export const decodeTsv: DecoderFactory = (source, opts, bad, now) => {
  const rows = new RowsToRecords(source, opts, bad);
  const sep = opts.ifs ?? '\t';
  return lineDecoder('tsv', (line, lineNo, ts, out) => {
    if (line.length === 0) return;
    const fields = line.split(sep);
    if (line.indexOf('\\') !== -1) {
      for (let f = 0; f < fields.length; f++) fields[f] = tsvUnescape(fields[f]!);
    }
    rows.row(fields, line, lineNo, ts, out);
  }, now, rows);
};

export const encodeTsv: EncoderFactory = (opts) => delimitedEncoder(opts.ofs ?? '\t', tsvEscape, opts.typeError);

export const tsvFormat = defineFormat({
  name: 'tsv',
  summary: 'tab-separated with a header row (.tsv); nested values become columns',
  extensions: ['tsv', 'tab'],
  sniff: (s) => (s.first.includes('\t') && !s.first.includes('=') ? 60 : 0),
  decoder: decodeTsv,
  encoder: encodeTsv,
  sample: 'name\tn\tnote\nweb\t12\ta\\tb\napi\t-3\t\n',
});
