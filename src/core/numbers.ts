// Numbers in JSON text that a double cannot hold: 9007199254740993 (read as ...992), 1e400 (read as
// Infinity), 1.0000000000000001 (read as 1), 1e-400 (read as 0). JSON.parse rounds them without a
// word. A record that passes through unchanged is written from its text, so nothing is lost; a
// record written anew (select, set, map, -O csv, ...) would write the rounded double. To keep the
// text, the JSON decoders keep the line beside the record (Event.origin) and, when a change drops
// the line, withValue() keeps it only if `mayBeInexact` says it may hold such a number; the
// encoders then write the original text wherever the rounded value is written, and count each
// such number as a type error.
//
// Looking at every line would cost a quarter of JSON.parse's time, so nothing is looked at until
// a record is written anew, and then only lines with a run of 16 digits (a dot among them
// allowed) or whose value holds an infinity: a number of 15 significant digits or fewer is held
// exactly unless it overflows (to an infinity) or underflows (below about 2.2e-308: to 0 or a
// subnormal of fewer digits). Underflows are let go: looking for three-digit exponents in the
// text took twice as long as the rest.

import type { Value } from './event.js';

const LONG = new RegExp('[0-9.]'.repeat(16));

/**
 * `text`, which JSON.parse read as `value`, may hold a number a double cannot hold (cheap; false
 * means it holds none, underflows apart).
 */
export function mayBeInexact(text: string, value: Value): boolean {
  // one record may give many (unnest): the same text is looked at once, not once per record
  if (text === lastLooked) return lastMay;
  lastLooked = text;
  lastMay = LONG.test(text) || holdsInfinity(value);
  return lastMay;
}

let lastLooked: string | undefined;
let lastMay = false;

function holdsInfinity(v: Value): boolean {
  if (typeof v === 'number') return v === Infinity || v === -Infinity;
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (holdsInfinity(v[i]!)) return true;
    return false;
  }
  for (const k in v) if (holdsInfinity(v[k]!)) return true;
  return false;
}

/**
 * The numbers of JSON `text` that a double does not hold, as the value JSON.parse gives → the
 * text. The encoders write the text wherever a record written anew holds that value, so only
 * values that hardly come about otherwise are given: infinities and doubles of 16 significant
 * digits or more (9007199254740993 read as 9007199254740992), not 1.0000000000000001 read as 1 or
 * 1e-400 read as 0, which any 1 or 0 of the record would take. A value that two different texts
 * round to is left out too (it could be either). `count` is how many there were in all, those left
 * out included. null when there are none.
 */
export interface Inexact {
  texts: Map<number, string>;
  count: number;
}

const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

export function inexactNumbers(text: string): Inexact | null {
  if (text !== lastScanned) {
    lastScanned = text;
    lastFound = scan(text);
  }
  return lastFound;
}

let lastScanned: string | undefined;
let lastFound: Inexact | null = null;

function scan(text: string): Inexact | null {
  let texts: Map<number, string> | null = null;
  const ambiguous = new Set<number>();
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i + 1);
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) {
        i++;
        continue;
      }
      const token = m[0];
      i += token.length;
      const v = Number(token);
      if (sameNumber(token, v)) continue;
      count++;
      if (!distinctive(v)) continue;
      texts ??= new Map();
      const seen = texts.get(v);
      if (seen === undefined && !ambiguous.has(v)) texts.set(v, token);
      else if (seen !== undefined && seen !== token) {
        texts.delete(v);
        ambiguous.add(v);
      }
      continue;
    }
    i++;
  }
  return count === 0 ? null : { texts: texts ?? new Map(), count };
}

/** A double unlikely to come about but from the text it was read from. */
function distinctive(v: number): boolean {
  if (!Number.isFinite(v)) return true;
  const d = decimal(String(v));
  const e = d.indexOf('e');
  return (d.charCodeAt(0) === 45 ? e - 1 : e) >= 16;
}

/** The index after the closing quote of a JSON string whose text starts at `i`. */
function stringEnd(text: string, i: number): number {
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let j = q - 1; j >= i && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** `token` and the double `v` read from it denote the same decimal number (-0 and 0 count as one). */
function sameNumber(token: string, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  return decimal(token) === decimal(String(v));
}

/** A canonical form of a decimal number's text: significant digits and exponent, sign kept unless zero. */
function decimal(s: string): string {
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    s = s.slice(1);
  }
  let exp = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  if (dot >= 0) {
    exp -= s.length - dot - 1;
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === 48) start++;
  let end = s.length;
  while (end > start && s.charCodeAt(end - 1) === 48) {
    end--;
    exp++;
  }
  if (start === end) return '0';
  return `${neg ? '-' : ''}${s.slice(start, end)}e${exp}`;
}

/** JSON text of `v` as JSON.stringify writes it, with the original text for the numbers in `texts`. */
export function stringifyExact(v: Value, texts: Map<number, string>): string {
  if (typeof v === 'number') return texts.get(v) ?? JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + stringifyExact(v[i]!, texts);
    return `${s}]`;
  }
  let s = '{';
  let first = true;
  for (const k in v) {
    const e = v[k];
    if (e === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${stringifyExact(e, texts)}`;
    first = false;
  }
  return `${s}}`;
}
