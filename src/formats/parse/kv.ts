import type { Rec } from '../../core/event.js';
import { inferValue } from '../infer.js';
import { setField } from '../columns.js';
import { parserOf, type TextParserSpec } from './types.js';

// A lenient key/value scanner in the spirit of Logstash's kv filter: it picks the pairs out
// of a line and ignores everything else. Pairs are separated by blanks, `,` or `;`; a key
// is joined to its value by `=` or `:` (blanks may follow `:`, as in `status: 200`); keys
// and values may be quoted with `"` or `'` (backslash escapes the quote). A key starts with
// a letter, `_`, `@` or a non-ASCII character, so times (`12:00:03`), addresses
// (`10.0.0.1:80`) and numbers are never taken for keys. One pass, linear in the input.

const DQ = 34;
const SQ = 39;
const BACKSLASH = 92;
const EQ = 61;
const COLON = 58;
const COMMA = 44;
const SEMI = 59;

const isDelim = (c: number): boolean => c <= 32 || c === COMMA || c === SEMI;
const isKeyStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64 || c > 127;
const endsKey = (c: number): boolean => isDelim(c) || c === EQ || c === COLON || c === DQ || c === SQ;

function parseKv(text: string, infer: boolean): Rec | string {
  const n = text.length;
  const rec: Rec = {};
  let pairs = 0;
  // once a quoted string opened at p never closes, none opened later with that quote does
  let noCloseDq = n + 1;
  let noCloseSq = n + 1;
  const quoted = (open: number): { text: string; end: number } | undefined => {
    const q = text.charCodeAt(open);
    if (open >= (q === DQ ? noCloseDq : noCloseSq)) return undefined;
    const r = readQuoted(text, open + 1, q);
    if (r === undefined) {
      if (q === DQ) noCloseDq = open;
      else noCloseSq = open;
    }
    return r;
  };
  const skipToken = (from: number): number => {
    let j = from;
    while (j < n && !isDelim(text.charCodeAt(j))) j++;
    return j;
  };

  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (isDelim(c)) {
      i++;
      continue;
    }
    let key: string;
    if (c === DQ || c === SQ) {
      const q = quoted(i);
      if (q === undefined) {
        i = skipToken(i + 1);
        continue;
      }
      key = q.text;
      i = q.end;
    } else if (isKeyStart(c)) {
      const start = i;
      while (i < n && !endsKey(text.charCodeAt(i))) i++;
      key = text.slice(start, i);
    } else {
      i = skipToken(i);
      continue;
    }
    c = i < n ? text.charCodeAt(i) : -1;
    if (c !== EQ && c !== COLON) {
      i = skipToken(i);
      continue;
    }
    i++;
    if (c === COLON) while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    pairs++;
    const v = i < n ? text.charCodeAt(i) : -1;
    if (v === DQ || v === SQ) {
      const q = quoted(i);
      if (q === undefined) {
        setField(rec, key, text.slice(i + 1));
        break;
      }
      setField(rec, key, q.text);
      i = q.end;
    } else {
      const start = i;
      while (i < n && !isDelim(text.charCodeAt(i))) i++;
      const raw = text.slice(start, i);
      setField(rec, key, infer ? inferValue(raw) : raw);
    }
  }
  return pairs > 0 ? rec : 'no key=value pairs';
}

/** Text up to the closing `quote` (backslash escapes the quote and itself). */
function readQuoted(s: string, start: number, quote: number): { text: string; end: number } | undefined {
  const n = s.length;
  let out = '';
  let runStart = start;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === quote) return { text: out + s.slice(runStart, i), end: i + 1 };
    if (c === BACKSLASH && i + 1 < n) {
      const e = s.charCodeAt(i + 1);
      if (e === quote || e === BACKSLASH) {
        out += s.slice(runStart, i);
        runStart = i + 1;
      }
      i++;
    }
  }
  return undefined;
}

export const kvParser: TextParserSpec = {
  name: 'kv',
  summary: 'key/value pairs anywhere in free text: k=v k:v, separated by blanks , or ;',
  usage: 'parse kv [from FIELD]',
  needsArg: false,
  examples: [
    {
      input: "user=ada; action: 'log in', attempts=3, ok=true from 10.0.0.7:51234",
      output: '{"user":"ada","action":"log in","attempts":3,"ok":true}',
    },
  ],
  create: (_arg, opts) => parserOf(kvParser, (text) => parseKv(text, opts.infer)),
};
