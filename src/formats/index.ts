// The format registry: every decoder and encoder by name, with the one-line summaries that
// --help prints, and how `auto` picks an input format (by file extension, else by sniffing
// the first bytes).

import type { DecoderFactory, EncoderFactory, InputFormat, OutputFormat } from './types.js';
import { decodeNdjson, encodeNdjson } from './ndjson.js';
import { decodeJson, encodeJson } from './json.js';
import { decodeCsv, encodeCsv, splitCsvLine } from './csv.js';
import { decodeTsv, encodeTsv } from './tsv.js';
import { decodeLogfmt, encodeLogfmt, parseLogfmt } from './logfmt.js';
import { decodeLines } from './lines.js';
import { encodeTable } from './table.js';
import { encodeTemplate } from './template.js';

export const decoders: Record<InputFormat, DecoderFactory> = {
  ndjson: decodeNdjson,
  json: decodeJson,
  csv: decodeCsv,
  tsv: decodeTsv,
  logfmt: decodeLogfmt,
  lines: decodeLines,
};

export const encoders: Record<OutputFormat, EncoderFactory> = {
  ndjson: encodeNdjson,
  json: encodeJson,
  csv: encodeCsv,
  tsv: encodeTsv,
  logfmt: encodeLogfmt,
  table: encodeTable,
  template: encodeTemplate,
};

export interface FormatInfo<F extends string> {
  readonly name: F;
  readonly summary: string;
}

export const inputFormats: readonly FormatInfo<InputFormat>[] = [
  { name: 'ndjson', summary: 'one JSON value per line (JSON Lines); .ndjson .jsonl' },
  { name: 'json', summary: 'a JSON array of records, or JSON values one after another; .json' },
  { name: 'csv', summary: 'comma-separated with a header row (RFC 4180 quoting); .csv' },
  { name: 'tsv', summary: 'tab-separated with a header row, \\t \\n \\\\ escapes; .tsv' },
  { name: 'logfmt', summary: 'key=value key2="quoted value" pairs per line; .logfmt' },
  { name: 'lines', summary: 'each line becomes {line: "..."}; .txt' },
];

export const outputFormats: readonly FormatInfo<OutputFormat>[] = [
  { name: 'ndjson', summary: 'one JSON record per line (default when stdout is not a terminal)' },
  { name: 'json', summary: 'a JSON array, one record per line' },
  { name: 'csv', summary: 'comma-separated with a header; a new header when the keys change' },
  { name: 'tsv', summary: 'tab-separated with a header; a new header when the keys change' },
  { name: 'logfmt', summary: 'key=value pairs per line' },
  { name: 'table', summary: 'aligned columns, written at the end of the input' },
  { name: 'template', summary: "a line per record from --template '{ts} {service} {@offset}'" },
];

export function isInputFormat(name: string): name is InputFormat {
  return Object.prototype.hasOwnProperty.call(decoders, name);
}

export function isOutputFormat(name: string): name is OutputFormat {
  return Object.prototype.hasOwnProperty.call(encoders, name);
}

const BY_EXTENSION: { [ext: string]: InputFormat } = {
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  ldjson: 'ndjson',
  json: 'json',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  logfmt: 'logfmt',
  txt: 'lines',
  text: 'lines',
};

/**
 * The input format a file name implies, or null to sniff (`.log` is sniffed: log files are as
 * often JSON lines or logfmt as plain text). A `.gz` suffix is looked through.
 */
export function formatByExtension(path: string): InputFormat | null {
  let name = path.toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const dot = name.lastIndexOf('.');
  if (dot <= slash + 1) return null; // no extension, or a dot file such as `.env`
  return BY_EXTENSION[name.slice(dot + 1)] ?? null;
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Pick an input format from the first bytes of an input (a few KiB is plenty):
 * `{` with a first line that is JSON → ndjson; `[` or a JSON object over several lines →
 * json; a tab-separated first line without `=` → tsv; key=value pairs → logfmt; commas with
 * the same field count on the first two lines → csv; anything else → lines.
 */
export function sniffFormat(firstText: string): InputFormat {
  const text = firstText.charCodeAt(0) === 0xfeff ? firstText.slice(1) : firstText;
  const m = /\S/.exec(text);
  if (m === null) return 'ndjson';
  const start = text.lastIndexOf('\n', m.index) + 1;
  const rest = text.slice(start);
  const lines = rest.split('\n');
  const complete = lines.length > 1; // the first line is all there
  const first = lines[0].endsWith('\r') ? lines[0].slice(0, -1) : lines[0];
  const c = text[m.index];
  if (c === '[') return 'json';
  if (c === '{') {
    if (!complete) return 'ndjson'; // a long first line: JSON lines are the common case
    try {
      JSON.parse(first);
      return 'ndjson';
    } catch {
      return 'json';
    }
  }
  if (first.includes('\t') && !first.includes('=')) return 'tsv';
  if (first.includes('=')) {
    const rec = parseLogfmt(first, false);
    if (typeof rec !== 'string') {
      let pairs = 0;
      let flags = 0;
      for (const k of Object.keys(rec)) {
        if (rec[k] === true) flags++;
        else pairs++;
      }
      if (pairs >= flags) return 'logfmt';
    }
  }
  if (first.includes(',')) {
    const n = splitCsvLine(first).length;
    const second = lines.length > 2 ? lines[1].replace(/\r$/, '') : null; // only a complete second line
    if (n >= 2 && (second === null || splitCsvLine(second).length === n)) return 'csv';
  }
  return 'lines';
}
