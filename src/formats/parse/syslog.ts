import type { Rec, Value } from '../../core/event.js';
import { setField } from '../columns.js';
import { parserOf, type TextParserSpec } from './types.js';

// Syslog lines of either RFC, told apart per line: `<PRI>VERSION ` starts RFC 5424, anything
// else is read as RFC 3164 (BSD), with or without `<PRI>`: a `Mmm dd hh:mm:ss` stamp (or the
// RFC 3339 stamp rsyslog writes today), an optional hostname, an optional `tag[pid]:`, and
// the message. Timestamps stay as written: the window code reads them. Scanned by hand
// with two anchored, sticky timestamp regexes: linear whatever the input.

const SPACE = 32;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

const BSD_TIME = /(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2}(?: \d{4})? \d\d:\d\d:\d\d(?:\.\d{1,9})?/y;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)/y;

function parseSyslog(s: string): Rec | string {
  const n = s.length;
  const rec: Rec = {};
  let i = 0;
  if (s.charCodeAt(0) === 60 /* < */) {
    let j = 1;
    while (j < n && j <= 3 && isDigit(s.charCodeAt(j))) j++;
    if (j === 1 || s.charCodeAt(j) !== 62 /* > */) return 'invalid <PRI> at column 1';
    const pri = Number(s.slice(1, j));
    if (pri > 191) return `priority ${pri} out of range (0-191)`;
    rec.priority = pri;
    rec.facility = pri >> 3;
    rec.severity = pri & 7;
    i = j + 1;
    // RFC 5424: VERSION (1-999, no leading zero) and a space right after <PRI>
    let k = i;
    while (k < n && k - i < 3 && isDigit(s.charCodeAt(k))) k++;
    if (k > i && s.charCodeAt(i) !== 48 && s.charCodeAt(k) === SPACE) return parse5424(s, k + 1, rec);
  }
  return parse3164(s, i, rec);
}

function parse5424(s: string, start: number, rec: Rec): Rec | string {
  const n = s.length;
  let i = start;
  const header: (string | null)[] = [];
  for (const what of ['timestamp', 'hostname', 'app-name', 'procid', 'msgid']) {
    const sp = s.indexOf(' ', i);
    if (sp <= i) return sp < 0 ? `truncated RFC 5424 header: no ${what}` : `empty ${what} at column ${i + 1}`;
    const tok = s.slice(i, sp);
    header.push(tok === '-' ? null : tok);
    i = sp + 1;
  }
  rec.timestamp = header[0]!;
  rec.hostname = header[1]!;
  rec.appname = header[2]!;
  rec.procid = header[3]!;
  rec.msgid = header[4]!;
  if (s.charCodeAt(i) === 45 /* - */) {
    i++;
  } else if (s.charCodeAt(i) === 91 /* [ */) {
    const sd = parseStructuredData(s, i);
    if (typeof sd === 'string') return sd;
    rec.structured_data = sd.data;
    i = sd.end;
  } else {
    return `expected structured data ('-' or '[') at column ${i + 1}`;
  }
  if (i < n && s.charCodeAt(i) !== SPACE) return `expected a space before the message at column ${i + 1}`;
  let msg = i < n ? s.slice(i + 1) : '';
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  rec.message = msg;
  return rec;
}

/** `[id name="value" …][id2 …]`; a name that repeats within one element gives an array. */
function parseStructuredData(s: string, start: number): { data: Rec; end: number } | string {
  const n = s.length;
  const data: Rec = {};
  let i = start;
  while (s.charCodeAt(i) === 91 /* [ */) {
    const idStart = ++i;
    while (i < n && !endsName(s.charCodeAt(i))) i++;
    if (i === idStart) return `expected an SD-ID at column ${i + 1}`;
    const id = s.slice(idStart, i);
    const params: Rec = {};
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 93 /* ] */) {
        i++;
        break;
      }
      if (c !== SPACE) return i >= n ? 'unterminated structured data' : `unexpected character in structured data at column ${i + 1}`;
      const nameStart = ++i;
      while (i < n && !endsName(s.charCodeAt(i))) i++;
      if (i === nameStart || s.charCodeAt(i) !== 61 /* = */ || s.charCodeAt(i + 1) !== 34 /* " */) {
        return `expected name="value" in structured data at column ${nameStart + 1}`;
      }
      const name = s.slice(nameStart, i);
      i += 2;
      let value = '';
      let run = i;
      for (;;) {
        if (i >= n) return 'unterminated structured data value';
        const v = s.charCodeAt(i);
        if (v === 34) break;
        if (v === 92 /* \ */) {
          const e = s.charCodeAt(i + 1);
          if (e === 34 || e === 92 || e === 93) {
            value += s.slice(run, i);
            run = i + 1;
          }
          i += 2;
          continue;
        }
        i++;
      }
      value += s.slice(run, i);
      i++;
      const prev: Value | undefined = Object.hasOwn(params, name) ? params[name] : undefined;
      if (prev === undefined) setField(params, name, value);
      else if (Array.isArray(prev)) prev.push(value);
      else setField(params, name, [prev, value]);
    }
    setField(data, id, params);
  }
  return { data, end: i };
}

const endsName = (c: number): boolean => c === SPACE || c === 93 || c === 61 || c === 34 || c < SPACE;

function parse3164(s: string, start: number, rec: Rec): Rec | string {
  const n = s.length;
  let i = start;
  const end = matchAt(BSD_TIME, s, i) ?? matchAt(ISO_TIME, s, i);
  if (end === undefined || (end < n && s.charCodeAt(end) !== SPACE)) {
    return start > 0 ? `expected a timestamp after <PRI> at column ${start + 1}` : 'not a syslog line (no <PRI> or timestamp at the start)';
  }
  rec.timestamp = s.slice(i, end);
  i = skipSpaces(s, end);
  let sp = tokenEnd(s, i);
  let tag = readTag(s, i, sp);
  if (tag === undefined && i < n) {
    rec.hostname = s.slice(i, sp);
    i = skipSpaces(s, sp);
    sp = tokenEnd(s, i);
    tag = readTag(s, i, sp);
  }
  if (tag !== undefined) {
    rec.appname = tag.app;
    if (tag.pid !== undefined) rec.procid = tag.pid;
    i = skipSpaces(s, sp);
  }
  rec.message = s.slice(i);
  return rec;
}

function matchAt(re: RegExp, s: string, at: number): number | undefined {
  re.lastIndex = at;
  return re.test(s) ? re.lastIndex : undefined;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === SPACE) i++;
  return i;
}

function tokenEnd(s: string, i: number): number {
  const sp = s.indexOf(' ', i);
  return sp < 0 ? s.length : sp;
}

/** `app:`, `app[pid]:` or `app[pid]` as the token s[from, to), else undefined. */
function readTag(s: string, from: number, to: number): { app: string; pid?: string } | undefined {
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */) break;
    i++;
  }
  if (i === from || i === to) return undefined;
  const app = s.slice(from, i);
  if (s.charCodeAt(i) === 58) return i === to - 1 ? { app } : undefined;
  if (s.charCodeAt(i) !== 91) return undefined;
  const close = s.indexOf(']', i + 1);
  if (close < 0 || close >= to) return undefined;
  if (close === to - 1 || (close === to - 2 && s.charCodeAt(to - 1) === 58)) return { app, pid: s.slice(i + 1, close) };
  return undefined;
}

export const syslogParser: TextParserSpec = {
  name: 'syslog',
  summary: 'a syslog line, RFC 3164 (BSD, <PRI> optional) or RFC 5424, detected per line',
  usage: 'parse syslog [from FIELD]',
  needsArg: false,
  examples: [
    {
      input: "<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8",
      output:
        '{"priority":34,"facility":4,"severity":2,"timestamp":"Oct 11 22:14:15","hostname":"mymachine",' +
        '"appname":"su","procid":"123","message":"\'su root\' failed for lonvick on /dev/pts/8"}',
    },
    {
      input: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event',
      output:
        '{"priority":165,"facility":20,"severity":5,"timestamp":"2003-10-11T22:14:15.003Z","hostname":"mymachine.example.com",' +
        '"appname":"evntslog","procid":null,"msgid":"ID47","structured_data":{"exampleSDID@32473":{"iut":"3","eventSource":"Application"}},' +
        '"message":"An application event"}',
    },
  ],
  create: () => parserOf(syslogParser, parseSyslog),
};
