// csv (RFC 4180): header row, then data rows. Hand-written rather than csv-parse because
// csv-parse ran at ~170k rows/s (sync) and ~50k rows/s (streaming, with line numbers) on
// the benchmark file, several times slower than this; see README.md. Lines come from the
// shared splitter with their '\r' kept, since inside a quoted field a CRLF is data. A line
// without '"' is split natively; otherwise a small state machine handles quotes, which may
// span lines. `a"b` (a quote inside an unquoted field) is kept as text, as most readers do;
// text after a closing quote (`"a"b`) is bad input. Between chunks its state is the
// splitter's, the header, and a quoted record still open (fields so far, the open field, its
// lines): snapshot() saves them for checkpoints.
//
// The encoder (shared with tsv) writes a header from the first record's keys and, like
// Miller's csvlite, a blank line and a new header whenever the key list changes; nested values
// are flattened into columns (a.b, a.1) as Miller does.
//
// The separator is a parameter (--ifs/--ofs: `;` for the CSV of spreadsheets in many locales);
// the comma stays the default, and the split of a line without quotes stays one native
// String#split.
//
// When the program reads only some columns (DecodeOptions.fields, see columns.ts), a line without
// quotes is not split: its separators are found with indexOf, only the needed cells are sliced
// and inferred, and the record holds only them. A line with quotes takes the state machine and is
// projected after it, so errors, line numbers and counts are the same either way.

import type { Event, Rec, Value } from '../core/event.js';
import { isRecord } from '../core/event.js';
import { flattenRecord, hasNested } from '../core/flatten.js';
import type { DecoderFactory, DecoderState, Encoder, EncoderFactory } from './types.js';
import { cellText, decoderState, exactTexts } from './types.js';
import { LineSplitter, type SplitterState } from './line-splitter.js';
import { RowsToRecords } from './columns.js';
import { inferValue } from './infer.js';
import { defineFormat } from './spec.js';

const QUOTE = 34;

interface CsvState extends DecoderState {
  lines: SplitterState;
  header: string[] | null;
  /** a record whose quoted field goes on in the next line, or null */
  open: { fields: string[]; field: string; line: number; rawLines: string[] } | null;
}

export const decodeCsv: DecoderFactory = (source, opts, bad, now) => {
  const sep = opts.ifs ?? ',';
  const SEP = sep.charCodeAt(0);
  const splitter = new LineSplitter(true);
  const rows = new RowsToRecords(source, opts, bad);

  // the record being read when it has quotes (possibly over several lines)
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let recordLine = 0;
  let rawLines: string[] = [];

  function reset(): void {
    fields = [];
    field = '';
    inQuotes = false;
    rawLines = [];
  }

  function complete(ts: number, out: Event[]): void {
    const f = fields;
    const raw = rawLines.length === 1 ? stripCR(rawLines[0]!) : stripCR(rawLines.join('\n'));
    reset();
    rows.row(f, raw, recordLine, ts, out);
  }

  /** Parse `line` from `pos` (state: inQuotes/field/fields); `eol` excludes a final '\r'. */
  function parse(line: string, pos: number, eol: number, ts: number, out: Event[]): void {
    for (;;) {
      if (inQuotes) {
        const q = line.indexOf('"', pos);
        if (q === -1) {
          field += line.slice(pos);
          return; // the quoted field goes on in the next line
        }
        if (line.charCodeAt(q + 1) === QUOTE) {
          field += line.slice(pos, q + 1);
          pos = q + 2;
          continue;
        }
        fields.push(field + line.slice(pos, q));
        field = '';
        inQuotes = false;
        pos = q + 1;
        if (pos >= eol) return complete(ts, out);
        if (line.charCodeAt(pos) !== SEP) {
          const raw = stripCR(rawLines.join('\n'));
          const col = pos + 1;
          reset();
          bad(raw, `unexpected character after closing quote (column ${col})`, recordLine);
          return;
        }
        pos++;
      }
      // at the start of a field
      if (pos >= eol) {
        fields.push('');
        return complete(ts, out);
      }
      if (line.charCodeAt(pos) === QUOTE) {
        inQuotes = true;
        pos++;
        continue;
      }
      const s = line.indexOf(sep, pos);
      if (s === -1 || s >= eol) {
        fields.push(line.slice(pos, eol));
        return complete(ts, out);
      }
      fields.push(line.slice(pos, s));
      pos = s + 1;
    }
  }

  /**
   * A line without quotes when the program reads only some columns (`pick`, ascending): the
   * separators are found with indexOf, only the picked cells are sliced (and inferred) and stored
   * straight into the record, in header order as the whole decoder does; every separator is counted
   * for the ragged-row check, and a ragged row's half-built record is dropped.
   */
  function cut(body: string, pick: number[], lineNo: number, ts: number, out: Event[]): void {
    const names = rows.pickNames;
    const infer = rows.infer;
    const last = pick.length;
    const rec: Rec = {};
    let next = last > 0 ? pick[0]! : -1;
    let j = 0;
    let col = 0;
    let pos = 0;
    for (;;) {
      const s = body.indexOf(sep, pos);
      if (col === next) {
        const cell = body.slice(pos, s === -1 ? body.length : s);
        rec[names[j]!] = infer ? inferValue(cell) : cell;
        next = ++j < last ? pick[j]! : -1;
      }
      if (s === -1) break;
      col++;
      pos = s + 1;
    }
    if (col + 1 !== rows.width) rows.ragged(body, col + 1, lineNo);
    else rows.emit(rec, lineNo, ts, out);
  }

  /** `plainFrom`: lines from this index on are known to hold no quote (they come from a chunk without one). */
  function decode(lines: string[], out: Event[], plainFrom: number): void {
    const n = lines.length;
    if (n === 0) return;
    const ts = now();
    let lineNo = splitter.firstLine;
    for (let i = 0; i < n; i++, lineNo++) {
      const line = lines[i]!;
      const len = line.length;
      const eol = len > 0 && line.charCodeAt(len - 1) === 13 ? len - 1 : len;
      if (inQuotes) {
        rawLines.push(line);
        field += '\n';
        parse(line, 0, eol, ts, out);
        continue;
      }
      if (eol === 0) continue; // empty line
      if (i >= plainFrom || line.indexOf('"') === -1) {
        const body = eol === len ? line : line.slice(0, eol);
        const pick = rows.pick;
        if (pick !== null && rows.wholeLeft === 0 && rows.pickPlain) cut(body, pick, lineNo, ts, out);
        else rows.row(body.split(sep), body, lineNo, ts, out);
        continue;
      }
      recordLine = lineNo;
      rawLines = [line];
      parse(line, 0, eol, ts, out);
    }
  }

  return {
    write(chunk, out) {
      // every line but the first (which may begin in an earlier chunk) is cut from this chunk
      decode(splitter.push(chunk), out, chunk.indexOf('"') === -1 ? 1 : Number.POSITIVE_INFINITY);
    },
    end(out) {
      decode(splitter.finish(), out, Number.POSITIVE_INFINITY);
      if (inQuotes) {
        const raw = rawLines.join('\n');
        reset();
        bad(raw, 'unclosed quote at end of input', recordLine);
      }
    },
    snapshot: (): CsvState => ({
      format: 'csv',
      lines: splitter.snapshot(),
      header: rows.snapshot(),
      // outside quotes a record is never left open between lines
      open: inQuotes ? { fields: fields.slice(), field, line: recordLine, rawLines: rawLines.slice() } : null,
    }),
    restore(state) {
      const s = decoderState<CsvState>('csv', state);
      splitter.restore(s.lines);
      rows.restore(s.header);
      if (s.open !== null) {
        fields = s.open.fields.slice();
        field = s.open.field;
        recordLine = s.open.line;
        rawLines = s.open.rawLines.slice();
        inQuotes = true;
      }
    },
  };
};

/**
 * The fields of one csv line, quotes removed (`""` inside quotes is `"`). Lenient: an
 * unclosed quote runs to the end of the line, text after a closing quote is kept.
 */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') === -1) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    let field = '';
    if (line.charCodeAt(i) === QUOTE) {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) {
          field += line.slice(i);
          i = n;
          break;
        }
        field += line.slice(i, q);
        i = q + 1;
        if (line.charCodeAt(i) !== QUOTE) break;
        field += '"';
        i++;
      }
    }
    const s = line.indexOf(',', i);
    if (s === -1) {
      fields.push(field + line.slice(i));
      return fields;
    }
    fields.push(field + line.slice(i, s));
    i = s + 1;
  }
}

function stripCR(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

const CSV_NEEDS_QUOTES = /[",\r\n]|^[ \t]|[ \t]$/;

/** One csv cell: quoted (with `"` doubled) when it holds `,` `"` CR LF or edge spaces. */
export function csvCell(s: string): string {
  return CSV_NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** csvCell for another separator: quoted when it holds that separator (a comma is then plain text). */
export function csvCellFor(sep: string): (s: string) => string {
  if (sep === ',') return csvCell;
  const needs = new RegExp(`["\\r\\n]|^[ \\t]|[ \\t]$|${sep.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')}`);
  return (s) => (needs.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
}

/**
 * A header-and-rows encoder: a header line from the first record's keys; a blank line and a
 * new header when the key list changes; an empty record `{}` writes one blank line and
 * forces a new header (as Miller does). A non-object value is one column named `value`. Nested
 * objects and arrays are flattened as Miller does for non-JSON output: `req.host`, `tags.1`, and
 * "{}" / "[]" for empty ones (src/core/flatten.ts).
 */
export function delimitedEncoder(sep: string, cell: (s: string) => string, typeError?: () => void): Encoder {
  let keys: string[] | null = null;
  let wroteAny = false;
  let justWroteBlank = false;
  const VALUE_KEYS = ['value'];

  function sameKeys(a: string[], b: string[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  return {
    write(batch: Event[]): string {
      let out = '';
      for (let b = 0; b < batch.length; b++) {
        const ev = batch[b]!;
        const raw = ev.value;
        const exact = ev.origin === undefined ? null : exactTexts(ev, typeError);
        // nested objects and arrays become columns a.b, a.1, … (Miller's auto-flatten)
        const v = typeof raw === 'object' && raw !== null && (Array.isArray(raw) || hasNested(raw)) ? flattenRecord(isRecord(raw) ? raw : { value: raw }, '.') : raw;
        const rec = isRecord(v);
        const k = rec ? Object.keys(v) : VALUE_KEYS;
        if (k.length === 0) {
          if (!justWroteBlank) out += '\n';
          justWroteBlank = true;
          wroteAny = true;
          keys = null;
          continue;
        }
        if (keys === null || !sameKeys(keys, k)) {
          if (wroteAny && !justWroteBlank) out += '\n';
          keys = k;
          let h = cell(k[0]!);
          for (let i = 1; i < k.length; i++) h += sep + cell(k[i]!);
          out += h + '\n';
        }
        let line: string;
        if (rec) {
          line = cell(cellText(v[k[0]!], exact));
          for (let i = 1; i < k.length; i++) line += sep + cell(cellText(v[k[i]!], exact));
        } else {
          line = cell(cellText(v as Value, exact));
        }
        out += line + '\n';
        wroteAny = true;
        justWroteBlank = false;
      }
      return out;
    },
    end(): string {
      return '';
    },
  };
}

export const encodeCsv: EncoderFactory = (opts) => delimitedEncoder(opts.ofs ?? ',', csvCellFor(opts.ofs ?? ','), opts.typeError);

export const csvFormat = defineFormat({
  name: 'csv',
  summary: 'comma-separated with a header row; numbers and booleans inferred (.csv); nested values become columns as in Miller',
  extensions: ['csv'],
  // two fields or more, and as many on the second line when it is there
  sniff(s) {
    if (!s.first.includes(',')) return 0;
    const n = splitCsvLine(s.first).length;
    return n >= 2 && (s.second === null || splitCsvLine(s.second).length === n) ? 40 : 0;
  },
  decoder: decodeCsv,
  encoder: encodeCsv,
  sample: 'name,n,ok\nweb,12,true\n"a, ""b""",-3.5,\n',
});
