// Formatting instants: ISO-8601 for output (window_start, bucket) and strftime for users.
// Both work from integer calendar arithmetic instead of Date objects; a strftime format is
// compiled once into a list of small field writers, because expressions format per record.

import { civilFromMs, MONTHS, MONTH_ABBR, MS_PER_DAY, WEEKDAYS, WEEKDAY_ABBR } from './calendar.js';
import type { Civil } from './calendar.js';
import { offsetName, UTC, zoneFor } from './zone.js';
import type { Zone } from './zone.js';

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n;
}

function padYear(y: number): string {
  if (y >= 0 && y <= 9999) return y < 10 ? '000' + y : y < 100 ? '00' + y : y < 1000 ? '0' + y : '' + y;
  const a = String(Math.abs(y));
  return (y < 0 ? '-' : '+') + '0'.repeat(Math.max(0, 6 - a.length)) + a; // ISO expanded year
}

/**
 * `2024-05-01T12:00:00.000Z`: UTC, always millisecond precision, sub-millisecond digits
 * truncated. Years outside 0000-9999 use the expanded form `+012345-…` as Date does.
 * Throws RangeError for a non-finite number (callers pass parsed, finite times).
 */
export function formatIso(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`formatIso: not a time: ${ms}`);
  const t = Math.floor(ms);
  const days = Math.floor(t / MS_PER_DAY);
  let rest = t - days * MS_PER_DAY;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  if (days !== lastDays) {
    lastDays = days;
    lastDate = isoDate(days);
  }
  return lastDate + TWO[h]! + ':' + TWO[mi]! + ':' + TWO[s]! + '.' + pad3(rest - s * 1000) + 'Z';
}

const TWO = Array.from({ length: 60 }, (_, i) => pad2(i));
let lastDays = NaN;
let lastDate = '';

/** `YYYY-MM-DDT` for days since the epoch. */
function isoDate(days: number): string {
  const c = civilFromMs(days * MS_PER_DAY);
  return padYear(c.year) + '-' + pad2(c.month) + '-' + pad2(c.day) + 'T';
}

export type FormatPart = { lit: string } | { spec: string };

const SHORTHANDS: { [spec: string]: string } = { F: '%Y-%m-%d', T: '%H:%M:%S', D: '%m/%d/%y', R: '%H:%M' };

/**
 * Split a strftime-style format into literal text and specifiers (`Y`, `3f`, …), expanding
 * the shorthands %F %T %D %R and the escapes %% %n %t. Specifiers are checked by the caller.
 */
export function splitFormat(fmt: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') { lit += c; continue; }
    let spec = fmt[++i];
    if (spec === undefined) throw new Error(`time format '${fmt}' ends with a lone '%' (write %% for a percent sign)`);
    if (spec >= '1' && spec <= '9' && fmt[i + 1] === 'f') spec += fmt[++i];
    if (spec === '%') { lit += '%'; continue; }
    if (spec === 'n') { lit += '\n'; continue; }
    if (spec === 't') { lit += '\t'; continue; }
    const short = SHORTHANDS[spec];
    if (short !== undefined) {
      for (const p of splitFormat(short)) {
        if ('lit' in p) lit += p.lit;
        else { if (lit) parts.push({ lit }); lit = ''; parts.push(p); }
      }
      continue;
    }
    if (lit) parts.push({ lit });
    lit = '';
    parts.push({ spec });
  }
  if (lit) parts.push({ lit });
  return parts;
}

type Writer = (c: Civil, sub: number, utcMs: number, offset: number) => string;

function fraction(digits: number): Writer {
  const scale = 10 ** (digits - 3);
  const max = 10 ** digits - 1;
  return (_c, sub) => {
    // millisecond digits truncate (as formatIso does); finer digits round to nearest, since a
    // double near today's epoch milliseconds only holds about 0.1 µs
    const n = digits <= 3 ? Math.floor(sub * scale) : Math.min(max, Math.round(sub * scale));
    const s = String(n);
    return s.length < digits ? '0'.repeat(digits - s.length) + s : s;
  };
}

function capitalize(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function writerFor(spec: string, zone: Zone, fmt: string): Writer {
  switch (spec) {
    case 'Y': return (c) => padYear(c.year);
    case 'y': return (c) => pad2(((c.year % 100) + 100) % 100);
    case 'm': return (c) => pad2(c.month);
    case 'd': return (c) => pad2(c.day);
    case 'e': return (c) => (c.day < 10 ? ' ' : '') + c.day;
    case 'H': return (c) => pad2(c.hour);
    case 'I': return (c) => pad2(c.hour % 12 === 0 ? 12 : c.hour % 12);
    case 'p': return (c) => (c.hour < 12 ? 'AM' : 'PM');
    case 'M': return (c) => pad2(c.minute);
    case 'S': return (c) => pad2(c.second);
    case 'j': return (c) => pad3(c.yearDay);
    case 'b': case 'h': return (c) => MONTH_ABBR[c.month - 1]!;
    case 'B': return (c) => capitalize(MONTHS[c.month - 1]!);
    case 'a': return (c) => WEEKDAY_ABBR[c.weekday]!;
    case 'A': return (c) => capitalize(WEEKDAYS[c.weekday]!);
    case 's': return (_c, _sub, utc) => String(Math.floor(utc / 1000));
    case 'z': return (_c, _sub, _utc, off) => offsetName(off, false);
    case 'Z': return () => zone.name;
    case 'f': return fraction(6);
    default:
      if (spec.length === 2 && spec[1] === 'f') return fraction(Number(spec[0]));
      throw new Error(`unknown time format specifier '%${spec}' in '${fmt}'`);
  }
}

/**
 * Compile a strftime format for a zone (default UTC) into a formatter of epoch milliseconds.
 * Specifiers: %Y %y %m %d %e %H %I %p %M %S %f (6 digits) %1f…%9f %j %b %h %B %a %A %s %z
 * (+0200) %Z (the zone's name: UTC, +02:00, or the IANA name) %F %T %D %R %n %t %%.
 * Throws Error for an unknown specifier or zone.
 */
export function strftimer(fmt: string, tz?: string): (ms: number) => string {
  const zone = tz === undefined ? UTC : zoneFor(tz);
  if (zone === null) throw new Error(`unknown time zone '${tz}'`);
  const parts = splitFormat(fmt).map((p): string | Writer => ('lit' in p ? p.lit : writerFor(p.spec, zone, fmt)));
  const fixed = zone.fixed;
  return (ms) => {
    if (!Number.isFinite(ms)) throw new RangeError(`strftime: not a time: ${ms}`);
    const off = fixed ?? zone.offsetAt(ms);
    const wall = ms + off;
    const c = civilFromMs(wall);
    const sub = ms - Math.floor(ms / 1000) * 1000; // offsets are whole seconds
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(c, sub, ms, off);
    return out;
  };
}

const compiled = new Map<string, (ms: number) => string>();

/** strftime for one-off calls; compiled formats are cached. See `strftimer`. */
export function strftime(ms: number, fmt: string, tz?: string): string {
  const key = tz === undefined ? fmt : fmt + '\u0000' + tz;
  let f = compiled.get(key);
  if (f === undefined) {
    f = strftimer(fmt, tz);
    if (compiled.size >= 256) compiled.clear();
    compiled.set(key, f);
  }
  return f(ms);
}
