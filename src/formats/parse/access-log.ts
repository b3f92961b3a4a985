// The line shape shared by nginx and Apache access logs (NCSA common/combined):
//   HOST IDENT USER [TIME] "REQUEST" STATUS SIZE ["REFERER" "AGENT" ["MORE" …]] [anything]
// scanned by hand in one pass (indexOf and a quote scanner: linear whatever the input).
// Quoted strings end at a `"` followed by a blank (or CR) or the end of the line, so an unescaped
// quote inside a user agent (old Apache, custom formats) does not cut it short. Escapes are
// decoded as both servers write them: Apache's `\"` and `\\`, and `\xHH` bytes (nginx
// writes `"` as `\x22`, and both escape non-ASCII bytes) when they form printable UTF-8;
// control bytes such as a TLS handshake sent to a plain-HTTP port stay as written.

export interface AccessLine {
  host: string;
  ident: string;
  user: string;
  time: string;
  request: string;
  status: number;
  /** null for `-` */
  size: number | null;
  /** the quoted strings after SIZE: referer, user agent, then any more (nginx `main` adds X-Forwarded-For) */
  quoted: string[];
}

const SPACE = 32;
const DQ = 34;
const BACKSLASH = 92;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function scanAccessLine(s: string): AccessLine | string {
  const n = s.length;
  const sp1 = s.indexOf(' ');
  if (sp1 <= 0) return 'not an access log line (expected HOST IDENT USER [TIME] "REQUEST" STATUS SIZE)';
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 <= sp1 + 1) return `expected the ident field at column ${sp1 + 2}`;
  const sp3 = s.indexOf(' ', sp2 + 1);
  if (sp3 <= sp2 + 1) return `expected the user field at column ${sp2 + 2}`;
  if (s.charCodeAt(sp3 + 1) !== 91) return `expected '[' and the time at column ${sp3 + 2}`;
  const close = s.indexOf(']', sp3 + 2);
  if (close < 0) return `unterminated [time] at column ${sp3 + 2}`;
  if (s.charCodeAt(close + 1) !== SPACE || s.charCodeAt(close + 2) !== DQ) return `expected '"' and the request at column ${close + 3}`;
  const req = scanQuoted(s, close + 3);
  if (req < 0) return `unterminated quoted request at column ${close + 3}`;
  let i = req + 1;
  if (s.charCodeAt(i) !== SPACE || !isDigit(s.charCodeAt(i + 1))) return `expected the status code at column ${after(s, i)}`;
  const statusStart = ++i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const status = Number(s.slice(statusStart, i));
  if (s.charCodeAt(i) !== SPACE) return `expected the response size at column ${after(s, i)}`;
  const sizeStart = ++i;
  let size: number | null;
  if (s.charCodeAt(i) === 45) {
    size = null;
    i++;
  } else {
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === sizeStart) return `expected the response size at column ${sizeStart + 1}`;
    size = Number(s.slice(sizeStart, i));
  }
  if (i < n && s.charCodeAt(i) > SPACE) return `expected the response size at column ${sizeStart + 1}`;
  const quoted: string[] = [];
  while (s.charCodeAt(i) === SPACE && s.charCodeAt(i + 1) === DQ) {
    const end = scanQuoted(s, i + 2);
    if (end < 0) return `unterminated quoted string at column ${i + 2}`;
    quoted.push(unescapeLogString(s.slice(i + 2, end)));
    i = end + 1;
  }
  return {
    host: s.slice(0, sp1),
    ident: s.slice(sp1 + 1, sp2),
    user: unescapeLogString(s.slice(sp2 + 1, sp3)),
    time: s.slice(sp3 + 2, close),
    request: unescapeLogString(s.slice(close + 3, req)),
    status,
    size,
    quoted,
  };
}

/** The 1-based column where a field expected after a blank at `i` should start. */
const after = (s: string, i: number): number => (s.charCodeAt(i) === SPACE ? i + 2 : i + 1);

/** Index of the closing quote of a string that starts at `start` (after its `"`), or -1. */
function scanQuoted(s: string, start: number): number {
  const n = s.length;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === DQ && (i + 1 === n || s.charCodeAt(i + 1) <= SPACE)) return i;
  }
  return -1;
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode `\"`, `\\` and runs of `\xHH` that form printable UTF-8; keep anything else as written. */
export function unescapeLogString(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  const n = raw.length;
  let out = '';
  let run = 0;
  let i = 0;
  while (i < n) {
    if (raw.charCodeAt(i) !== BACKSLASH || i + 1 >= n) {
      i++;
      continue;
    }
    const e = raw.charCodeAt(i + 1);
    if (e === DQ || e === BACKSLASH) {
      out += raw.slice(run, i);
      run = i + 1;
      i += 2;
    } else if (e === 120 /* x */ && HEX2.test(raw.slice(i + 2, i + 4))) {
      const bytes: number[] = [];
      let j = i;
      while (raw.charCodeAt(j) === BACKSLASH && raw.charCodeAt(j + 1) === 120 && HEX2.test(raw.slice(j + 2, j + 4))) {
        bytes.push(parseInt(raw.slice(j + 2, j + 4), 16));
        j += 4;
      }
      const text = printableUtf8(bytes);
      if (text !== undefined) {
        out += raw.slice(run, i) + text;
        run = j;
      }
      i = j;
    } else {
      i += 2;
    }
  }
  return out + raw.slice(run);
}

function printableUtf8(bytes: number[]): string | undefined {
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  return CONTROL.test(text) ? undefined : text;
}

const METHOD = /^[A-Za-z][A-Za-z0-9_-]*$/;
const PROTOCOL = /^[A-Z]+\/[0-9][0-9.]*$/;

/** METHOD PATH [PROTOCOL] out of a request line; all null when it is not one (`-`, garbage). */
export function splitRequest(request: string | null): [string | null, string | null, string | null] {
  if (request === null) return [null, null, null];
  const a = request.indexOf(' ');
  if (a <= 0) return [null, null, null];
  const method = request.slice(0, a);
  if (!METHOD.test(method)) return [null, null, null];
  const b = request.lastIndexOf(' ');
  if (b > a && PROTOCOL.test(request.slice(b + 1))) {
    const path = request.slice(a + 1, b);
    return path === '' ? [null, null, null] : [method, path, request.slice(b + 1)];
  }
  const path = request.slice(a + 1);
  return path === '' ? [null, null, null] : [method, path, null];
}

/** `-` is how both servers write "absent". */
export const dashNull = (s: string | undefined): string | null => (s === undefined || s === '-' ? null : s);
