// The projecting reader of one NDJSON line: given the top-level fields a program needs
// (plan/projection.ts), it walks the line once, builds a record holding only those fields, and
// skips the rest without building it. Skipping still validates: the walk checks the whole JSON
// grammar (control characters and escapes in strings, the number grammar, literals, brackets,
// commas, trailing text) and the nesting depth, so that it accepts exactly the lines JSON.parse
// accepts. Whenever it is in any doubt it gives up (returns undefined) and the caller takes the
// full path (JSON.parse and the checks of today), which reports bad lines in the usual words:
// a line that is not an object, a key with an escape, a depth over the limit, a number with a
// three-digit exponent (it may overflow to an infinity, which core/numbers.ts looks for in the
// value) and every invalid line all go there.
//
// Lines of one producer mostly share a shape (the same keys in the same order, the same separators):
// a flat line's shape is learned as one regex that validates the next lines of that shape and
// captures their wanted values in one native match (see Shape); other lines take FLAT and the walk.
//
// The values of the wanted fields are built as JSON.parse builds them: a string without escapes
// is sliced, a number goes through Number() (the same double for every JSON number text), other
// values through JSON.parse of their text. Duplicate keys: the last one wins, as in JSON.parse.

import type { Rec, Value } from '../core/event.js';
import { MAX_DEPTH } from '../core/depth.js';

/** A control character (U+0000 to U+001F): invalid in strings, and whitespace outside only as tab, LF or CR. */
const CONTROL = /[\u0000-\u001f]/;

// A flat object without escapes: members whose values are strings, numbers (exponents of one or
// two digits) or literals. One native regex test validates such a line in a quarter of JSON.parse's
// time. In it every quote opens or closes a string (no backslash), so `"name"` followed by a colon
// is the key `name` wherever it occurs: only such keys are looked for, with indexOf.
const STR = '"[^"\\\\\\u0000-\\u001f]*"';
const WS = '[ \\t\\n\\r]*';
/** A value of a flat line: a string without escapes, a number (exponent of one or two digits), a literal. */
const VALUE = `${STR}|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]{1,2})?|true|false|null`;
const MEMBER = `${STR}${WS}:${WS}(?:${VALUE})${WS}`;
const FLAT = new RegExp(`^${WS}\\{${WS}(?:${MEMBER}(?:,${WS}${MEMBER})*)?\\}${WS}$`);
/** Longer lines go to the walk: the regex's backtracking stack grows with the members. */
const FLAT_MAX = 1 << 16;

/**
 * A shape: the keys of a flat line in their order, with the whitespace, colons and commas between
 * them, as one regex that matches a line with exactly those keys in that order and those separators
 * (values of any length, as FLAT allows them) and captures the value texts of the wanted fields.
 * Lines of one producer mostly share their shape, and one match both validates such a line and
 * finds its wanted values: twice as fast as FLAT and the search by quotes together. Every line it
 * matches FLAT matches too (it is FLAT with the keys and separators fixed), so it accepts nothing
 * that JSON.parse refuses. A key given twice: its last value is captured, as JSON.parse keeps it.
 */
interface Shape {
  re: RegExp;
  /** the wanted fields the shape holds, in the order the record gets them */
  names: string[];
  /** the capture group of each (the value of its last key) */
  groups: number[];
}

/** Lines with more members are not learned as a shape (the regex would be large). */
const SHAPE_MAX_KEYS = 200;
/** A shape that failed to match this many lines in a row is replaced by the next flat line's. */
const RELEARN_AFTER = 32;
/** Shapes learned at most (in a file of ever-changing keys, the cost of learning stays bounded). */
const MAX_LEARNED = 64;

/** `text` as a regex that matches it literally (keys and separators of a flat line: no backslash, no control character but whitespace). */
function literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Whether `c` is JSON whitespace (space, tab, LF, CR). */
const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** Outcome of a failed step: the walk gives up and the caller parses the line in full. */
const DOUBT = -1;

export class LineProjector {
  private readonly names: string[];
  private readonly lengths: number[];
  /** whether the last string value scanned held a backslash */
  private escaped = false;
  /** the line holds no backslash: every string ends at the next quote */
  private plain = true;

  /** `"name"` of each wanted field, for indexOf in flat lines */
  private readonly quoted: string[];
  /**
   * No wanted name holds a quote, a backslash, a comma or a colon: in a flat line `"name":` can then
   * only be a key (text between a closing and an opening quote always holds a comma or a colon)
   */
  private readonly flatOk: boolean;

  /** the shape of recent lines, null until a flat line was seen */
  private shape: Shape | null = null;
  /** lines in a row that the shape did not match */
  private misses = 0;
  /** shapes learned so far */
  private learned = 0;

  constructor(fields: readonly string[]) {
    this.names = [...fields];
    this.lengths = this.names.map((n) => n.length);
    this.quoted = this.names.map((n) => `"${n}"`);
    this.flatOk = this.names.every((n) => !/["\\,:]/.test(n));
  }

  /** The record of `line` with only the wanted fields, or undefined: parse it in full. */
  project(line: string): Rec | undefined {
    if (line.length > FLAT_MAX) return this.walk(line);
    const shape = this.shape;
    if (shape !== null) {
      const m = shape.re.exec(line);
      if (m !== null) {
        this.misses = 0;
        const rec: Rec = {};
        const { names, groups } = shape;
        for (let k = 0; k < names.length; k++) rec[names[k]!] = valueText(m[groups[k]!]!);
        return rec;
      }
      this.misses++;
    }
    if (this.flatOk && FLAT.test(line)) {
      if ((shape === null || this.misses >= RELEARN_AFTER) && this.learned < MAX_LEARNED) this.learn(line);
      return this.names.length <= 2 ? this.flatLast(line) : this.flat(line);
    }
    return this.walk(line);
  }

  /**
   * Learn the shape of `line`, which FLAT matched: its keys and the text between them, from quote
   * to quote as in flat(). The record's fields come in the order flat() and flatLast() give them:
   * the order of the wanted names for up to two, else the order of first appearance in the line.
   */
  private learn(line: string): void {
    this.learned++;
    this.misses = 0;
    const keys: string[] = [];
    /** the regex text of the line with a hole (a null) for each value */
    const parts: (string | null)[] = [];
    let from = 0;
    let i = line.indexOf('"');
    while (i >= 0) {
      if (keys.length === SHAPE_MAX_KEYS) return;
      const kEnd = line.indexOf('"', i + 1);
      keys.push(line.slice(i + 1, kEnd));
      let j = kEnd + 1;
      let c = line.charCodeAt(j);
      while (c !== 58) c = line.charCodeAt(++j);
      c = line.charCodeAt(++j);
      while (isWs(c)) c = line.charCodeAt(++j);
      parts.push(literal(line.slice(from, j)), null);
      if (c === 34) {
        from = line.indexOf('"', j + 1) + 1;
      } else {
        // a number or a literal: up to the whitespace, comma or brace after it
        do c = line.charCodeAt(++j); while (!(isWs(c) || c === 44 || c === 125));
        from = j;
      }
      i = line.indexOf('"', from);
    }
    parts.push(literal(line.slice(from)));
    // the capture group of each wanted field's last key
    const last = new Map<string, number>();
    keys.forEach((k, at) => {
      if (this.names.includes(k)) last.set(k, at);
    });
    const group = new Map<string, number>();
    let hole = 0;
    const src = parts.map((p) => {
      if (p !== null) return p;
      const key = keys[hole]!;
      const captured = last.get(key) === hole++;
      if (captured) group.set(key, group.size + 1);
      return captured ? `(${VALUE})` : `(?:${VALUE})`;
    }).join('');
    const names = this.names.length <= 2 ? this.names.filter((n) => group.has(n)) : [...new Set(keys.filter((k) => group.has(k)))];
    const re = new RegExp(`^${src}$`);
    // the shape must match the line it was learned from; it does unless something above is wrong
    if (!re.test(line)) return;
    this.shape = { re, names, groups: names.map((n) => group.get(n)!) };
  }

  /**
   * The wanted fields of a line that FLAT matched: from key to key by the quotes (every quote opens
   * or closes a string, and the text between a value and the next key holds none); a later key of
   * the same name wins, as in JSON.parse.
   */
  private flat(line: string): Rec {
    const rec: Rec = {};
    let i = line.indexOf('"');
    while (i >= 0) {
      const kEnd = line.indexOf('"', i + 1);
      const name = this.wanted(line, i + 1, kEnd - i - 1);
      let j = kEnd + 1;
      let c = line.charCodeAt(j);
      while (c !== 58) c = line.charCodeAt(++j);
      c = line.charCodeAt(++j);
      while (isWs(c)) c = line.charCodeAt(++j);
      if (c === 34) {
        const vEnd = line.indexOf('"', j + 1);
        if (name !== null) rec[name] = text(line, j + 1, vEnd);
        i = line.indexOf('"', vEnd + 1);
      } else {
        if (name !== null) rec[name] = c === 116 ? true : c === 102 ? false : c === 110 ? null : numberAt(line, j, c);
        i = line.indexOf('"', j + 1);
      }
    }
    return rec;
  }

  /**
   * The same for one or two wanted fields: each looked for from the end of the line (the last key
   * of a name wins); a string value that reads `"name"` is passed over, as no colon follows it.
   */
  private flatLast(line: string): Rec {
    const rec: Rec = {};
    const quoted = this.quoted;
    for (let k = 0; k < quoted.length; k++) {
      const pat = quoted[k]!;
      let at = line.lastIndexOf(pat);
      while (at > 0) {
        let j = at + pat.length;
        let c = line.charCodeAt(j);
        while (isWs(c)) c = line.charCodeAt(++j);
        if (c !== 58) {
          at = line.lastIndexOf(pat, at - 1);
          continue;
        }
        c = line.charCodeAt(++j);
        while (isWs(c)) c = line.charCodeAt(++j);
        rec[this.names[k]!] = c === 34 ? text(line, j + 1, line.indexOf('"', j + 1)) : c === 116 ? true : c === 102 ? false : c === 110 ? null : numberAt(line, j, c);
        break;
      }
    }
    return rec;
  }

  /** The wanted fields of any line, or undefined: parse it in full. */
  private walk(line: string): Rec | undefined {
    const n = line.length;
    let i = 0;
    let c = line.charCodeAt(0);
    while (isWs(c)) c = line.charCodeAt(++i);
    if (c !== 123 /* { */) return undefined;
    // a control character is invalid in a string and rare as whitespace: the full path decides
    if (CONTROL.test(line)) return undefined;
    this.plain = line.indexOf('\\', i) === -1;
    const rec: Rec = {};
    c = line.charCodeAt(++i);
    while (isWs(c)) c = line.charCodeAt(++i);
    if (c === 125 /* } */) {
      i++;
    } else {
      for (;;) {
        // the key
        if (c !== 34 /* " */) return undefined;
        const kStart = i + 1;
        const kEnd = this.keyEnd(line, kStart);
        if (kEnd < 0) return undefined;
        const field = this.wanted(line, kStart, kEnd - kStart);
        i = kEnd + 1;
        c = line.charCodeAt(i);
        while (isWs(c)) c = line.charCodeAt(++i);
        if (c !== 58 /* : */) return undefined;
        c = line.charCodeAt(++i);
        while (isWs(c)) c = line.charCodeAt(++i);
        // the value
        const vStart = i;
        const vEnd = this.skipValue(line, i, c);
        if (vEnd < 0) return undefined;
        if (field !== null) rec[field] = this.valueOf(line, vStart, vEnd, c);
        i = vEnd;
        c = line.charCodeAt(i);
        while (isWs(c)) c = line.charCodeAt(++i);
        if (c === 44 /* , */) {
          c = line.charCodeAt(++i);
          while (isWs(c)) c = line.charCodeAt(++i);
          continue;
        }
        if (c !== 125 /* } */) return undefined;
        i++;
        break;
      }
    }
    // only whitespace may follow
    while (i < n) {
      if (!isWs(line.charCodeAt(i))) return undefined;
      i++;
    }
    return rec;
  }

  /** The wanted field whose name is line[start, start + len), or null. */
  private wanted(line: string, start: number, len: number): string | null {
    const names = this.names;
    for (let k = 0; k < names.length; k++) {
      if (this.lengths[k] === len && line.startsWith(names[k]!, start)) return names[k]!;
    }
    return null;
  }

  /** The index of the quote closing a key that starts at `i`; DOUBT for a key with an escape or a control character. */
  private keyEnd(line: string, i: number): number {
    if (this.plain) return line.indexOf('"', i);
    const n = line.length;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === 34) return i;
      if (c === 92 || c < 32) return DOUBT;
    }
    return DOUBT;
  }

  /** The index just past the value starting at `i` (whose first char is `c`), or DOUBT. */
  private skipValue(line: string, i: number, c: number): number {
    if (c === 34) return this.skipString(line, i + 1);
    if (c === 45 || (c >= 48 && c <= 57)) return skipNumber(line, i, c);
    if (c === 123 || c === 91) return this.skipContainer(line, i);
    if (c === 116) return line.startsWith('true', i) ? i + 4 : DOUBT;
    if (c === 102) return line.startsWith('false', i) ? i + 5 : DOUBT;
    if (c === 110) return line.startsWith('null', i) ? i + 4 : DOUBT;
    return DOUBT;
  }

  /** The index just past the string whose text starts at `i` (after its opening quote), or DOUBT; sets `escaped`. */
  private skipString(line: string, i: number): number {
    if (this.plain) {
      this.escaped = false;
      const q = line.indexOf('"', i);
      return q < 0 ? DOUBT : q + 1;
    }
    const n = line.length;
    let escaped = false;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === 34) {
        this.escaped = escaped;
        return i + 1;
      }
      if (c === 92) {
        escaped = true;
        const e = line.charCodeAt(++i);
        if (e === 117 /* u */) {
          if (!(isHex(line.charCodeAt(i + 1)) && isHex(line.charCodeAt(i + 2)) && isHex(line.charCodeAt(i + 3)) && isHex(line.charCodeAt(i + 4)))) return DOUBT;
          i += 4;
        } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) {
          return DOUBT;
        }
      } else if (c < 32) {
        return DOUBT;
      }
    }
    return DOUBT;
  }

  /**
   * The index just past the object or array starting at `i`, or DOUBT. Iterative: `open` holds
   * the brackets still open (as their closing char); a depth over the limit is a doubt, so that
   * the full path reports it.
   */
  private skipContainer(line: string, i: number): number {
    const open: number[] = [];
    let c = line.charCodeAt(i);
    for (;;) {
      // c is '{' or '[' at i: open it
      const obj = c === 123;
      open.push(obj ? 125 : 93);
      // the record itself is one level
      if (open.length + 1 > MAX_DEPTH) return DOUBT;
      c = line.charCodeAt(++i);
      while (isWs(c)) c = line.charCodeAt(++i);
      if (c === (obj ? 125 : 93)) {
        open.pop();
        i++;
      } else {
        // the first member or element
        if (obj) {
          i = this.member(line, i, c);
          if (i < 0) return DOUBT;
        }
        c = line.charCodeAt(i);
        if (c === 123 || c === 91) continue;
        i = this.skipValue(line, i, c);
        if (i < 0) return DOUBT;
      }
      // after a value: commas and closing brackets until the next container to open
      for (;;) {
        if (open.length === 0) return i;
        c = line.charCodeAt(i);
        while (isWs(c)) c = line.charCodeAt(++i);
        const close = open[open.length - 1]!;
        if (c === close) {
          open.pop();
          i++;
          continue;
        }
        if (c !== 44) return DOUBT;
        c = line.charCodeAt(++i);
        while (isWs(c)) c = line.charCodeAt(++i);
        if (close === 125) {
          i = this.member(line, i, c);
          if (i < 0) return DOUBT;
          c = line.charCodeAt(i);
        }
        if (c === 123 || c === 91) break;
        i = this.skipValue(line, i, c);
        if (i < 0) return DOUBT;
      }
    }
  }

  /** A member's key and colon starting at `i` (char `c`): the index of its value's first char, or DOUBT. */
  private member(line: string, i: number, c: number): number {
    if (c !== 34) return DOUBT;
    i = this.skipString(line, i + 1);
    if (i < 0) return DOUBT;
    c = line.charCodeAt(i);
    while (isWs(c)) c = line.charCodeAt(++i);
    if (c !== 58) return DOUBT;
    c = line.charCodeAt(++i);
    while (isWs(c)) c = line.charCodeAt(++i);
    return i;
  }

  /** The value of a wanted field, as JSON.parse gives it; its text line[start, end) is valid JSON. */
  private valueOf(line: string, start: number, end: number, c: number): Value {
    if (c === 34) return this.escaped ? (JSON.parse(line.slice(start, end)) as string) : text(line, start + 1, end - 1);
    if (c === 45 || (c >= 48 && c <= 57)) return numberAt(line, start, c);
    if (c === 116) return true;
    if (c === 102) return false;
    if (c === 110) return null;
    return JSON.parse(line.slice(start, end)) as Value;
  }
}

/**
 * The string between the quotes at `start - 1` and `end` (no backslash in it), as a string of its
 * own. V8 makes a substring of 13 characters or more a view into its parent (here the line, itself
 * a view into a chunk of up to a megabyte), and a value kept as a group key would then keep the
 * whole chunk alive: `count() by ts` over 1M events peaked at 465 MB instead of 306 MB. JSON.parse
 * of the quoted text makes a copy, as the full path does (about 100 ns); shorter substrings are
 * copied by V8 anyway.
 */
function text(line: string, start: number, end: number): string {
  return end - start < 13 ? line.slice(start, end) : (JSON.parse(line.slice(start - 1, end + 1)) as string);
}

/** The value of a flat line's value text (a string without escapes, a number, a literal), as JSON.parse gives it. */
function valueText(v: string): Value {
  const c = v.charCodeAt(0);
  if (c === 34) return text(v, 1, v.length - 1);
  if (c === 116) return true;
  if (c === 102) return false;
  if (c === 110) return null;
  return numberAt(v, 0, c);
}

/** Exact powers of ten (all of them up to 1e22 are doubles). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The value of the valid JSON number at `i` (first char `c`), as JSON.parse gives it. Up to 15
 * digits without exponent, the digits make an exact integer and one division by an exact power of
 * ten rounds correctly, as JSON.parse does; anything else goes through Number().
 */
function numberAt(line: string, i: number, c: number): number {
  const start = i;
  const neg = c === 45;
  if (neg) c = line.charCodeAt(++i);
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (;;) {
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46) {
      frac = digits;
    } else {
      break;
    }
    c = line.charCodeAt(++i);
  }
  if (digits > 15 || c === 101 || c === 69) return Number(line.slice(start, skipNumber(line, start, line.charCodeAt(start))));
  const v = frac < 0 ? m : m / POW10[digits - frac]!;
  return neg ? -v : v;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * The index just past the JSON number starting at `i` (char `c`), or DOUBT: `-? (0 | [1-9][0-9]*)
 * (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. An exponent of three digits or more is a doubt too: the
 * number may overflow to an infinity, which the full path keeps the text of (core/numbers.ts).
 */
function skipNumber(line: string, i: number, c: number): number {
  if (c === 45) c = line.charCodeAt(++i);
  if (c === 48) {
    c = line.charCodeAt(++i);
  } else if (c >= 49 && c <= 57) {
    do c = line.charCodeAt(++i); while (c >= 48 && c <= 57);
  } else {
    return DOUBT;
  }
  if (c === 46) {
    c = line.charCodeAt(++i);
    if (!(c >= 48 && c <= 57)) return DOUBT;
    do c = line.charCodeAt(++i); while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = line.charCodeAt(++i);
    if (c === 43 || c === 45) c = line.charCodeAt(++i);
    const digits = i;
    if (!(c >= 48 && c <= 57)) return DOUBT;
    do c = line.charCodeAt(++i); while (c >= 48 && c <= 57);
    if (i - digits >= 3) return DOUBT;
  }
  return i;
}
