// Reading event times. Windows parse one timestamp per record, so the common shapes are read
// by hand-written fixed-position scanners (no regex, no Date) and the zone and format work is
// done once in `timestampParser`, which returns the closure the engine calls per record.
//
// Without a format, a value is read as the first of these that fits its shape:
//   - a number, or a numeric string: epoch time, unit by magnitude: |n| < 1e11 seconds,
//     < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds (fractions allowed);
//   - ISO-8601 / RFC 3339: `2024-05-01T12:00:00.123Z`, `…+02:00`, `…+0200`, `… +0000`,
//     `… UTC`, `2024-05-01 12:00:00`, `2024-05-01T12:00`, `…T12:00:00,5`, `2024-05-01`;
//   - common log format (nginx, apache): `10/Oct/2000:13:55:36 -0700`, brackets allowed;
//   - syslog RFC 3164: `Oct 11 22:14:15`, `Oct  1 22:14:15` (RFC 5424 uses ISO).
// A stamp without a zone is read in `tz` (default UTC). A syslog stamp has no year: it gets
// the current year in that zone, or the year before when that would put it more than a day in
// the future (a December line read in January); null when the date exists in neither year.
// Leap seconds (:60) and dates that do not exist (2024-02-30) are unreadable.
//
// With a format, exactly that format is read (see `compileFormat` for the specifiers). A
// format with a month and day but no year uses the syslog year rule; one with no date at all
// reads times on 1970-01-01.

import type { Value } from '../core/event.js';
import { civilFromMs, daysFromCivil, daysInMonth, MAX_MS, MONTHS, WEEKDAYS } from './calendar.js';
import { splitFormat } from './format.js';
import { parseOffset, UTC, zoneFor } from './zone.js';
import type { Zone } from './zone.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

export interface TimestampOptions {
  /** zone for stamps that carry none: an IANA name, `+02:00`, `UTC` (the default) or `local` */
  tz?: string;
  /** a strftime-style format; when given, exactly that format is read */
  format?: string;
  /** the clock for the syslog year rule (default Date.now) */
  now?: () => number;
}

/** Epoch milliseconds (fractional below the millisecond), or null when unreadable. */
export type TimestampParser = (v: Value | undefined) => number | null;

/**
 * Compile a parser for the given zone and format. Throws Error for an unknown zone or an
 * invalid format (a program error); the returned parser never throws.
 */
export function timestampParser(opts: TimestampOptions = {}): TimestampParser {
  const zone = opts.tz === undefined ? UTC : zoneFor(opts.tz);
  if (zone === null) throw new Error(`unknown time zone '${opts.tz}' (use an IANA name like Europe/Paris, or an offset like +02:00)`);
  const now = opts.now ?? Date.now;
  if (opts.format !== undefined) {
    const read = compileFormat(opts.format, zone, now);
    const readText = (text: string): number | null => {
      sub = 0;
      const t = read(text);
      return t === null || sub === 0 ? t : withSub(t, sub);
    };
    return (v) => {
      if (typeof v === 'string') return readText(v);
      return typeof v === 'number' && Number.isFinite(v) ? readText(String(v)) : null;
    };
  }
  return (v) => {
    if (typeof v === 'string') {
      sub = 0;
      const t = parseString(v, zone, now);
      return t === null || sub === 0 ? t : withSub(t, sub);
    }
    if (typeof v === 'number') return fromEpoch(v);
    return null;
  };
}

const defaultParser = timestampParser();
const parsers = new Map<string, TimestampParser>();

/**
 * Read a timestamp as epoch milliseconds, or null. For per-record use prefer
 * `timestampParser`, which does the zone and format work once. Throws only for an invalid
 * `opts.tz` or `opts.format`, never because of `v`.
 */
export function parseTimestamp(v: Value | undefined, opts?: TimestampOptions): number | null {
  if (opts === undefined || (opts.tz === undefined && opts.format === undefined && opts.now === undefined)) {
    return defaultParser(v);
  }
  if (opts.now !== undefined) return timestampParser(opts)(v);
  const key = `${opts.tz ?? ''}\u0000${opts.format ?? ''}`;
  let p = parsers.get(key);
  if (p === undefined) {
    p = timestampParser(opts);
    if (parsers.size >= 64) parsers.clear();
    parsers.set(key, p);
  }
  return p(v);
}

// ---- epoch numbers ----

function inRange(ms: number): number | null {
  return ms <= MAX_MS && ms >= -MAX_MS ? ms + 0 : null; // + 0 turns -0 into 0
}

function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  const a = Math.abs(n);
  if (a < 1e11) return inRange(Number.isInteger(n) ? n * 1000 : Math.round(n * 1e6) / 1000);
  if (a < 1e14) return inRange(n);
  if (a < 1e17) return inRange(n / 1000);
  return inRange(n / 1e6);
}

const EPOCH_TEXT = /^([-+]?)([0-9]*)(?:\.([0-9]*))?$/;
const EXP_TEXT = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$/;

/** A numeric string, read digit-exactly: the decimal point is moved, not multiplied. */
function parseEpochText(s: string): number | null {
  const m = EPOCH_TEXT.exec(s);
  if (m === null) return EXP_TEXT.test(s) ? fromEpoch(Number(s)) : null;
  const intDigits = m[2]!.replace(/^0+/, '');
  const fracDigits = m[3] ?? '';
  if (m[2] === '' && fracDigits === '') return null;
  const a = intDigits.length > 17 ? Infinity : Number(intDigits || '0');
  const shift = a < 1e11 ? 3 : a < 1e14 ? 0 : a < 1e17 ? -3 : -6; // power of ten to milliseconds
  const digits = intDigits + fracDigits;
  const point = intDigits.length + shift;
  let whole: string;
  let frac: string;
  if (point <= 0) { whole = '0'; frac = '0'.repeat(-point) + digits; }
  else if (point >= digits.length) { whole = digits + '0'.repeat(point - digits.length); frac = ''; }
  else { whole = digits.slice(0, point); frac = digits.slice(point); }
  if (whole.length > 17) return null;
  const ms = frac === '' ? Number(whole || '0') : withSub(Number(whole || '0'), Number('0.' + frac));
  return inRange(m[1] === '-' ? -ms : ms);
}

// ---- fixed-position scanners ----

/** two ASCII digits at i as a number, or -1 (also past the end: NaN compares false) */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function d4(s: string, i: number): number {
  const hi = d2(s, i);
  const lo = d2(s, i + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const FRAC_MUL = [0, 100, 10, 1];
const FRAC_DIV = [0, 0, 0, 0, 10, 100, 1000, 1e4, 1e5, 1e6];

/** where the last readFraction / readOffset stopped */
let end = 0;
/**
 * The part below the millisecond of the last fraction read (0 ≤ sub < 1; negated for a negative
 * %s). Scanners add whole milliseconds only, which is exact; the parser adds `sub` once at the
 * end with `withSub`, so that rounding can never carry a time across a millisecond (and so a
 * window) boundary: 12:00:01.999999999 must stay in the window ending at 12:00:02.
 */
let sub = 0;

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The largest double below x (x finite and not 0). */
function nextDown(x: number): number {
  F64[0] = x;
  U64[0] = x > 0 ? U64[0]! - 1n : U64[0]! + 1n;
  return F64[0]!;
}

/** t (whole milliseconds) plus a fraction -1 < f < 1, rounded but never to t ± 1. */
function withSub(t: number, f: number): number {
  const r = t + f;
  if (f >= 0) return r < t + 1 ? r : nextDown(t + 1);
  return r > t - 1 ? r : -nextDown(-(t - 1));
}

/**
 * Digits of a decimal fraction of a second starting at i, as whole milliseconds (the rest, below
 * the millisecond, goes to `sub`); -1 if none.
 */
function readFraction(s: string, i: number): number {
  let f = 0;
  let k = 0;
  const n = s.length;
  for (; i < n; i++) {
    const x = s.charCodeAt(i) - 48;
    if (x < 0 || x > 9) break;
    if (k < 9) { f = f * 10 + x; k++; }
  }
  end = i;
  if (k === 0) return -1;
  if (k <= 3) return f * FRAC_MUL[k]!;
  const div = FRAC_DIV[k]!;
  const rest = f % div;
  sub = rest / div;
  return (f - rest) / div;
}

/** `+HH:MM`, `+HHMM` or `+HH` at i (which holds the sign), as ms; NaN if malformed. */
function readOffset(s: string, i: number): number {
  const sign = s.charCodeAt(i);
  const h = d2(s, i + 1);
  if ((sign !== 43 && sign !== 45) || h < 0 || h > 23) return NaN;
  let j = i + 3;
  let m = 0;
  if (j < s.length && (s.charCodeAt(j) === 58 || isDigit(s.charCodeAt(j)))) {
    if (s.charCodeAt(j) === 58) j++;
    m = d2(s, j);
    if (m < 0 || m > 59) return NaN;
    j += 2;
  }
  end = j;
  const off = (h * 60 + m) * MIN;
  return sign === 43 ? off : -off;
}

function parseIso(s: string, zone: Zone): number | null {
  const n = s.length;
  const y = d4(s, 0);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  if (d > 28 && d > daysInMonth(y, mo)) return null;
  const days = daysFromCivil(y, mo, d);
  if (n === 10) return zone.toUtc(days * DAY);
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return null; // T, space, t
  const h = d2(s, 11);
  const mi = d2(s, 14);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s.charCodeAt(13) !== 58) return null;
  let t = days * DAY + h * HOUR + mi * MIN;
  let i = 16;
  if (s.charCodeAt(16) === 58) {
    const sec = d2(s, 17);
    if (sec < 0 || sec > 59) return null;
    t += sec * 1000;
    i = 19;
    const c = s.charCodeAt(19);
    if (c === 46 && n === 24 && s.charCodeAt(23) === 90) { // the common .fffZ
      const a = d2(s, 20);
      const b = s.charCodeAt(22) - 48;
      if (a < 0 || !(b >= 0 && b <= 9)) return null;
      return t + a * 10 + b;
    }
    if (c === 46 || c === 44) { // . or ,
      const f = readFraction(s, 20);
      if (f < 0) return null;
      t += f;
      i = end;
    }
  }
  if (i === n) return zone.toUtc(t);
  let c = s.charCodeAt(i);
  if ((c === 90 || c === 122) && i + 1 === n) return t; // Z, z
  if (c === 32) c = s.charCodeAt(++i); // `2024-05-01 12:00:00 +0000`
  if (c === 43 || c === 45) {
    const off = readOffset(s, i);
    return off === off && end === n ? t - off : null;
  }
  const rest = s.slice(i);
  return rest === 'Z' || rest === 'UTC' || rest === 'GMT' ? t : null;
}

/** three ASCII characters, lower-cased, packed into one number; -1 for anything else */
function letters3(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  if ((a | b | c) > 127) return -1;
  return ((a | 32) << 16) | ((b | 32) << 8) | (c | 32);
}

const MONTH_INDEX = new Map(MONTHS.map((m, i) => [letters3(m, 0), i + 1]));

/** The month (1-12) abbreviated at i (`Oct`, any case), or -1. */
function monthAbbr(s: string, i: number): number {
  return i + 3 <= s.length ? MONTH_INDEX.get(letters3(s, i)) ?? -1 : -1;
}

/** HH:MM:SS[.fff] at i as ms into the day, or -1; sets `end`. */
function readClock(s: string, i: number): number {
  const h = d2(s, i);
  const mi = d2(s, i + 3);
  const sec = d2(s, i + 6);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 ||
    s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return -1;
  let t = h * HOUR + mi * MIN + sec * 1000;
  end = i + 8;
  if (s.charCodeAt(end) === 46) {
    const f = readFraction(s, end + 1);
    if (f < 0) return -1;
    t += f;
  }
  return t;
}

/** `10/Oct/2000:13:55:36 -0700`, optionally in brackets (`i` is 1 after a `[`). */
function parseClf(s: string, i: number, zone: Zone): number | null {
  const n = s.length;
  let day: number;
  if (s.charCodeAt(i + 1) === 47) { day = isDigit(s.charCodeAt(i)) ? s.charCodeAt(i) - 48 : -1; i += 2; }
  else { day = d2(s, i); if (s.charCodeAt(i + 2) !== 47) return null; i += 3; }
  const mo = monthAbbr(s, i);
  if (mo < 0 || s.charCodeAt(i + 3) !== 47) return null;
  i += 4;
  const y = d4(s, i);
  if (y < 0 || s.charCodeAt(i + 4) !== 58 || day < 1 || day > daysInMonth(y, mo)) return null;
  const clock = readClock(s, i + 5);
  if (clock < 0) return null;
  i = end;
  const t = daysFromCivil(y, mo, day) * DAY + clock;
  let off = NaN;
  if (s.charCodeAt(i) === 32) {
    off = readOffset(s, i + 1);
    if (off !== off) return null;
    i = end;
  }
  if (s.charCodeAt(0) === 91) { if (s.charCodeAt(i) !== 93) return null; i++; }
  if (i !== n) return null;
  return off === off ? t - off : zone.toUtc(t);
}

/** The year rule for stamps without one (see the top of the file). */
function withGuessedYear(mo: number, day: number, timeOfDay: number, zone: Zone, now: () => number): number | null {
  const nowMs = now();
  const year = civilFromMs(nowMs + zone.offsetAt(nowMs)).year;
  if (day <= daysInMonth(year, mo)) {
    const t = zone.toUtc(daysFromCivil(year, mo, day) * DAY + timeOfDay);
    if (t <= nowMs + DAY) return t;
  }
  if (day > daysInMonth(year - 1, mo)) return null;
  return zone.toUtc(daysFromCivil(year - 1, mo, day) * DAY + timeOfDay);
}

/** `Oct 11 22:14:15`, `Oct  1 22:14:15`, `Oct 1 22:14:15.123` */
function parseSyslog(s: string, zone: Zone, now: () => number): number | null {
  const mo = monthAbbr(s, 0);
  if (mo < 0 || s.charCodeAt(3) !== 32) return null;
  let i = s.charCodeAt(4) === 32 ? 5 : 4;
  let day: number;
  if (s.charCodeAt(i + 1) === 32) { day = isDigit(s.charCodeAt(i)) ? s.charCodeAt(i) - 48 : -1; i += 2; }
  else { day = d2(s, i); if (s.charCodeAt(i + 2) !== 32) return null; i += 3; }
  if (day < 1 || day > 31) return null;
  const clock = readClock(s, i);
  if (clock < 0 || end !== s.length) return null;
  return withGuessedYear(mo, day, clock, zone, now);
}

function parseString(s: string, zone: Zone, now: () => number): number | null {
  const n = s.length;
  if (n === 0) return null;
  const c0 = s.charCodeAt(0);
  if (c0 <= 32 || s.charCodeAt(n - 1) <= 32) {
    const t = s.trim();
    return t.length === n || t.length === 0 ? null : parseString(t, zone, now);
  }
  if (isDigit(c0)) {
    if (n >= 10 && s.charCodeAt(4) === 45) return parseIso(s, zone);
    if (s.charCodeAt(1) === 47 || s.charCodeAt(2) === 47) return parseClf(s, 0, zone);
    return parseEpochText(s);
  }
  if (c0 === 45 || c0 === 43 || c0 === 46) return parseEpochText(s);
  if (c0 === 91) return parseClf(s, 1, zone);
  return parseSyslog(s, zone, now);
}

// ---- strftime-style formats ----

/** Zone abbreviations read by %Z: RFC 2822's and western Europe's, which are unambiguous. */
const ABBREVIATIONS: { [name: string]: number } = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7,
  WET: 0, WEST: 1, CET: 1, CEST: 2, EET: 2, EEST: 3,
};

type Field = 'Y' | 'y' | 'm' | 'd' | 'H' | 'I' | 'M' | 'S' | 'j';

type Step =
  | { k: 'lit'; text: string }
  | { k: 'ws' }
  | { k: 'num'; field: Field; min: number; max: number; space: boolean }
  | { k: 'frac'; digits: number }
  | { k: 'month' | 'weekday' | 'ampm' | 'offset' | 'zone' | 'epoch' };

interface Fields {
  Y: number; y: number; m: number; d: number; H: number; I: number; M: number; S: number; j: number;
  frac: number; pm: number; offset: number; zone: Zone | null; epoch: number;
}

const NUMERIC: { [spec: string]: [Field, number, number] } = {
  Y: ['Y', 4, 4], y: ['y', 2, 2], m: ['m', 1, 2], d: ['d', 1, 2], e: ['d', 1, 2], H: ['H', 1, 2],
  I: ['I', 1, 2], M: ['M', 1, 2], S: ['S', 1, 2], j: ['j', 1, 3],
};

function compileSteps(fmt: string): Step[] {
  const steps: Step[] = [];
  for (const p of splitFormat(fmt)) {
    if ('lit' in p) {
      for (const run of p.lit.match(/\s+|\S+/g) ?? []) steps.push(/\s/.test(run) ? { k: 'ws' } : { k: 'lit', text: run });
      continue;
    }
    const num = NUMERIC[p.spec];
    if (num) { steps.push({ k: 'num', field: num[0], min: num[1], max: num[2], space: p.spec === 'e' }); continue; }
    switch (p.spec) {
      case 'f': steps.push({ k: 'frac', digits: 0 }); break;
      case 'b': case 'B': case 'h': steps.push({ k: 'month' }); break;
      case 'a': case 'A': steps.push({ k: 'weekday' }); break;
      case 'p': steps.push({ k: 'ampm' }); break;
      case 'z': steps.push({ k: 'offset' }); break;
      case 'Z': steps.push({ k: 'zone' }); break;
      case 's': steps.push({ k: 'epoch' }); break;
      default:
        if (p.spec.length === 2 && p.spec[1] === 'f') { steps.push({ k: 'frac', digits: Number(p.spec[0]) }); break; }
        throw new Error(`unknown time format specifier '%${p.spec}' in '${fmt}'`);
    }
  }
  return steps;
}

/** The longest full or three-letter name from `names` at i (any case): its index, or -1. */
function readName(s: string, i: number, names: readonly string[]): number {
  const lower = s.slice(i, i + 9).toLowerCase();
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (lower.startsWith(name)) { end = i + name.length; return k; }
  }
  for (let k = 0; k < names.length; k++) {
    if (lower.startsWith(names[k]!.slice(0, 3))) { end = i + 3; return k; }
  }
  return -1;
}

const ZONE_CHARS = /[A-Za-z0-9_/+\-:]*/y;

/** Run the steps over s, filling f; false when s does not match the format exactly. */
function match(steps: Step[], s: string, f: Fields): boolean {
  let i = 0;
  const n = s.length;
  for (const st of steps) {
    switch (st.k) {
      case 'lit':
        if (!s.startsWith(st.text, i)) return false;
        i += st.text.length;
        break;
      case 'ws': {
        const start = i;
        while (i < n && /\s/.test(s[i]!)) i++;
        if (i === start) return false;
        break;
      }
      case 'num': {
        if (st.space && s.charCodeAt(i) === 32) i++;
        let v = 0;
        let k = 0;
        while (k < st.max && isDigit(s.charCodeAt(i))) { v = v * 10 + s.charCodeAt(i) - 48; i++; k++; }
        if (k < st.min) return false;
        f[st.field] = v;
        break;
      }
      case 'frac': {
        const start = i;
        const ms = readFraction(s, i);
        if (ms < 0 || (st.digits > 0 && end - start !== st.digits)) return false;
        f.frac = ms;
        i = end;
        break;
      }
      case 'month': {
        const m = readName(s, i, MONTHS);
        if (m < 0) return false;
        f.m = m + 1;
        i = end;
        break;
      }
      case 'weekday':
        if (readName(s, i, WEEKDAYS) < 0) return false;
        i = end;
        break;
      case 'ampm': {
        const t = s.slice(i, i + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return false;
        f.pm = t === 'PM' ? 1 : 0;
        i += 2;
        break;
      }
      case 'offset': {
        const c = s.charCodeAt(i);
        if (c === 90 || c === 122) { f.offset = 0; i++; break; }
        const off = readOffset(s, i);
        if (off !== off) return false;
        f.offset = off;
        i = end;
        break;
      }
      case 'zone': {
        ZONE_CHARS.lastIndex = i;
        const name = ZONE_CHARS.exec(s)![0];
        if (name === '') return false;
        const abbr = ABBREVIATIONS[name.toUpperCase()];
        const off = abbr !== undefined ? abbr * HOUR : parseOffset(name);
        if (off !== null) f.offset = off;
        else {
          const z = zoneFor(name);
          if (z === null) return false;
          f.zone = z;
        }
        i += name.length;
        break;
      }
      case 'epoch': {
        const neg = s.charCodeAt(i) === 45;
        if (neg) i++;
        const start = i;
        while (isDigit(s.charCodeAt(i))) i++;
        if (i === start || i - start > 15) return false;
        f.epoch = Number(s.slice(start, i)) * (neg ? -1 : 1);
        break;
      }
    }
  }
  return i === n;
}

/**
 * Compile a strftime-style format for reading. Numbers: %Y (4 digits), %y (2; 69-99 are
 * 19xx), %m %d %e %H %I %M %S (1-2 digits), %j (1-3); %f any fraction of a second, %3f/%6f/%9f
 * exactly that many digits; %b %B %h month and %a %A weekday names (full or three letters, any
 * case; weekdays are not checked); %p AM/PM; %z `Z`, `+HH:MM`, `+HHMM` or `+HH`; %Z a zone: an
 * offset, an IANA name, or one of the abbreviations above; %s epoch seconds (with %f for a
 * fraction); %F %T %D %R %% %n %t. Whitespace matches any run of whitespace; the whole text
 * must match.
 */
function compileFormat(fmt: string, zone: Zone, now: () => number): (s: string) => number | null {
  const steps = compileSteps(fmt);
  const has = (field: Field) => steps.some((st) => st.k === 'num' && st.field === field);
  const hasYear = has('Y') || has('y');
  const hasMonthDay = has('m') || has('d') || steps.some((st) => st.k === 'month');
  const hasYearDay = has('j');
  return (s) => {
    const f: Fields = { Y: 1970, y: -1, m: 1, d: 1, H: 0, I: -1, M: 0, S: 0, j: 0, frac: 0, pm: -1, offset: NaN, zone: null, epoch: NaN };
    if (!match(steps, s, f)) return null;
    if (f.epoch === f.epoch) {
      const neg = f.epoch < 0 || Object.is(f.epoch, -0); // `-0.5` is before the epoch
      if (neg) sub = -sub;
      return inRange(f.epoch * 1000 + (neg ? -f.frac : f.frac));
    }
    let hour = f.H;
    if (f.I >= 0) {
      if (f.I < 1 || f.I > 12) return null;
      hour = (f.I % 12) + (f.pm === 1 ? 12 : 0);
    } else if (f.pm === 1 && hour < 12) {
      hour += 12;
    }
    if (hour > 23 || f.M > 59 || f.S > 59) return null;
    const timeOfDay = hour * HOUR + f.M * MIN + f.S * 1000 + f.frac;
    const z = f.zone ?? zone;
    const place = (wall: number) => (f.offset === f.offset ? wall - f.offset : z.toUtc(wall));
    let year = f.Y;
    if (f.y >= 0) year = f.y < 69 ? 2000 + f.y : 1900 + f.y; // POSIX: 69-99 are 1969-1999
    if (hasYearDay && !hasMonthDay) {
      if (f.j < 1 || f.j > (daysInMonth(year, 2) === 29 ? 366 : 365)) return null;
      return place((daysFromCivil(year, 1, 1) + f.j - 1) * DAY + timeOfDay);
    }
    if (f.m < 1 || f.m > 12 || f.d < 1 || f.d > 31) return null;
    if (!hasYear && hasMonthDay) {
      if (f.offset === f.offset) return withGuessedYear(f.m, f.d, timeOfDay - f.offset, UTC, now);
      return withGuessedYear(f.m, f.d, timeOfDay, z, now);
    }
    if (f.d > daysInMonth(year, f.m)) return null;
    return place(daysFromCivil(year, f.m, f.d) * DAY + timeOfDay);
  };
}
