// logfmt: `key=value key2="quoted value" flag` per line. A bare key is `true`; `key=` is
// the empty string. Bare values are inferred (numbers, booleans) when asked; quoted values
// always stay strings, which lets the encoder quote a string such as "200" and read it back
// unchanged. A bare value runs to the next space and may contain `=` (`url=/a?b=c`).
// parseLogfmt is pure and shared with the `parse logfmt` stage.

import type { Rec, Value } from '../core/event.js';
import { isRecord, makeEvent } from '../core/event.js';
import type { DecoderFactory, EncoderFactory } from './types.js';
import { cellText, exactTexts } from './types.js';
import { inferValue } from './infer.js';
import { isBlank, lineDecoder } from './line-splitter.js';
import { charName } from '../errors/printable.js';
import { setField } from './columns.js';
import { defineFormat } from './spec.js';

/** Parse one logfmt line into a record, or return the reason it is not logfmt. */
export function parseLogfmt(line: string, infer: boolean): Rec | string {
  const rec: Rec = {};
  const n = line.length;
  let pairs = 0;
  let i = 0;
  for (;;) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const keyStart = i;
    let c = 0;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c <= 32 || c === 61 || c === 127) {
        if (c === 32 || c === 9 || c === 61) break;
        return controlAt(line, i);
      }
      if (c === 34) return `unexpected '"' in key at column ${i + 1}`;
      i++;
    }
    if (i === keyStart) return `missing key before '=' at column ${i + 1}`;
    const key = line.slice(keyStart, i);
    if (i >= n || c !== 61) {
      setField(rec, key, true);
      continue;
    }
    i++; // '='
    pairs++;
    if (i < n && line.charCodeAt(i) === 34) {
      const r = readQuoted(line, i + 1);
      if (r === null) return `unterminated quoted value for key '${key}'`;
      setField(rec, key, r.value);
      i = r.end;
      if (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) return `expected a space after the quoted value of '${key}' at column ${i + 1}`;
      continue;
    }
    const valueStart = i;
    while (i < n) {
      const d = line.charCodeAt(i);
      if (d <= 32 || d === 127) {
        if (d === 32 || d === 9) break;
        return controlAt(line, i);
      }
      i++;
    }
    const text = line.slice(valueStart, i);
    setField(rec, key, infer ? inferValue(text) : text);
  }
  if (pairs === 0) return 'no key=value pair';
  return rec;
}

/** A control character outside quotes (a NUL, an ESC): not logfmt, and never a separator. */
function controlAt(line: string, i: number): string {
  return `control character ${charName(line[i]!)} at column ${i + 1} (outside quotes only spaces and tabs separate)`;
}

const ESCAPES: { [c: string]: string } = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

/** A quoted value starting after its opening quote: its text and the index after the closing quote. */
function readQuoted(line: string, from: number): { value: string; end: number } | null {
  const q = line.indexOf('"', from);
  if (q === -1) return null;
  // look for a backslash only before the closing quote: searching past it is quadratic on
  // lines of many quoted values
  let plain = true;
  for (let j = from; j < q; j++) if (line.charCodeAt(j) === 92) { plain = false; break; }
  if (plain) return { value: line.slice(from, q), end: q + 1 };
  let value = '';
  let i = from;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 34) return { value, end: i + 1 };
    if (c === 92 && i + 1 < n) {
      const d = line[i + 1]!;
      if (d === 'u' && /^[0-9a-fA-F]{4}$/.test(line.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(line.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const e = ESCAPES[d];
      value += e === undefined ? '\\' + d : e;
      i += 2;
      continue;
    }
    value += line[i];
    i++;
  }
  return null;
}

export const decodeLogfmt: DecoderFactory = (source, opts, bad, now) => {
  const infer = opts.infer;
  return lineDecoder('logfmt', (line, lineNo, ts, out) => {
    const r = parseLogfmt(line, infer);
    if (typeof r === 'string') {
      if (!isBlank(line)) bad(line, 'invalid logfmt: ' + r, lineNo);
      return;
    }
    out.push(makeEvent(r, undefined, source, lineNo, ts));
  }, now);
};

/** A logfmt key: characters that would end or break a key (space, control, `=`, `"`) become `_`. */
export function logfmtKey(k: string): string {
  if (k.length === 0) return '_';
  return /[\x00-\x20="\x7f]/.test(k) ? k.replace(/[\x00-\x20="\x7f]/g, '_') : k;
}

const NEEDS_QUOTES = /[\x00-\x20="\\\x7f]/;

/**
 * A logfmt value: null is empty (`k=`), numbers and booleans bare, a string bare unless it
 * is empty, holds a space, `=`, `"`, `\` or a control character, or would read back as a
 * number or boolean; nested values are their JSON text, quoted as needed.
 */
export function logfmtValue(v: Value | undefined, exact: Map<number, string> | null = null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return exact?.get(v) ?? (Number.isFinite(v) ? String(v) : ''); // as null: never `Infinity`
  if (typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : cellText(v, exact);
  if (s.length > 0 && !NEEDS_QUOTES.test(s) && inferValue(s) === s) return s;
  return '"' + s.replace(/[\x00-\x1f"\\\x7f]/g, quoteChar) + '"';
}

function quoteChar(c: string): string {
  switch (c) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    default:
      return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  }
}

export const encodeLogfmt: EncoderFactory = (opts) => ({
  write(batch) {
    let out = '';
    for (let b = 0; b < batch.length; b++) {
      const ev = batch[b]!;
      const v = ev.value;
      const exact = ev.origin === undefined ? null : exactTexts(ev, opts.typeError);
      if (!isRecord(v)) {
        out += 'value=' + logfmtValue(v, exact) + '\n';
        continue;
      }
      let line = '';
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        line += (line.length === 0 ? '' : ' ') + logfmtKey(k) + '=' + logfmtValue(v[k], exact);
      }
      out += line + '\n';
    }
    return out;
  },
  end() {
    return '';
  },
});

export const logfmtFormat = defineFormat({
  name: 'logfmt',
  summary: 'key=value pairs per line (.logfmt)',
  extensions: ['logfmt'],
  // key=value pairs, at least as many as bare flags (`set the value a=b for me` is text)
  sniff(s) {
    if (!s.first.includes('=')) return 0;
    const rec = parseLogfmt(s.first, false);
    if (typeof rec === 'string') return 0;
    let pairs = 0;
    let flags = 0;
    for (const k of Object.keys(rec)) {
      if (rec[k] === true) flags++;
      else pairs++;
    }
    return pairs >= flags ? 50 : 0;
  },
  decoder: decodeLogfmt,
  encoder: encodeLogfmt,
  message: (opts) => (text, src, out, bad, where, ts) => {
    const rec = parseLogfmt(text, opts.infer);
    if (typeof rec === 'string') bad.push({ at: out.length, raw: text, reason: rec, where: where() });
    else out.push(makeEvent(rec, undefined, src, 0, ts));
  },
  sample: 'level=info took=12 msg="a \\"quoted\\" b" ok=true flag',
});
