// Time zones: UTC, fixed offsets (+02:00) and IANA names (Europe/Paris). IANA offsets come
// from Intl.DateTimeFormat, which is slow (a few µs a call), so each zone caches the offset
// per UTC hour; an hour that contains a transition is never cached and is computed exactly.
// Zones are themselves cached by name: resolving one is a compile-time cost, paid once.

import { daysFromCivil } from './calendar.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface Zone {
  /** 'UTC', a fixed offset like '+02:00', or the canonical IANA name */
  readonly name: string;
  /** the offset in ms when it never changes, else null */
  readonly fixed: number | null;
  /** ms to add to a UTC instant to get the wall clock in this zone */
  offsetAt(utcMs: number): number;
  /**
   * The instant at which the zone's wall clock reads `wallMs` (wall time written as if it
   * were UTC). A time that occurs twice (clocks going back) gives the earlier instant; a time
   * skipped by clocks going forward is moved forward by the gap (both as Temporal's
   * 'compatible' disambiguation and as most databases do).
   */
  toUtc(wallMs: number): number;
}

function fixedZone(name: string, offset: number): Zone {
  return { name, fixed: offset, offsetAt: () => offset, toUtc: (wall) => wall - offset };
}

export const UTC: Zone = fixedZone('UTC', 0);

/** The offset text `+HH:MM` for an offset in ms. */
export function offsetName(offsetMs: number, colon = true): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const mins = Math.round(Math.abs(offsetMs) / 60_000);
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  return sign + (h < 10 ? '0' : '') + h + (colon ? ':' : '') + (m < 10 ? '0' : '') + m;
}

/**
 * A numeric offset: `Z`, `+02:00`, `+0200`, `+02`, `-7` (hours up to 23, minutes up to 59),
 * optionally after `UTC`/`GMT` (`UTC+2`). Returns ms, or null when the text is not one.
 */
export function parseOffset(text: string): number | null {
  let s = text;
  if (s === 'Z' || s === 'z') return 0;
  const up = s.slice(0, 3).toUpperCase();
  if ((up === 'UTC' || up === 'GMT') && s.length > 3) s = s.slice(3);
  const sign = s.charCodeAt(0);
  if (sign !== 43 && sign !== 45 && sign !== 0x2212) return null; // + - and the Unicode minus
  const body = s.slice(1);
  const m = /^(\d\d):?(\d\d)$/.exec(body) ?? /^(\d):(\d\d)$/.exec(body) ?? /^(\d\d?)()$/.exec(body);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  const off = (h * 60 + min) * 60_000;
  return sign === 43 ? off : -off;
}

class IanaZone implements Zone {
  readonly fixed = null;
  private readonly fmt: Intl.DateTimeFormat;
  /** UTC hour number -> offset; NaN marks an hour with a transition inside */
  private readonly cache = new Map<number, number>();
  /** wall-clock hour number -> offset, when no transition is within a day of it; else NaN */
  private readonly wallCache = new Map<number, number>();
  private lastWallHour = NaN;
  private lastWallOffset = 0;

  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  private exact(utcMs: number): number {
    const t = Math.floor(utcMs / 1000) * 1000;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
    for (const p of this.fmt.formatToParts(t)) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value) % 24; break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
        default: break;
      }
    }
    if (bc) y = 1 - y;
    const wall = daysFromCivil(y, mo, d) * DAY + ((h * 60 + mi) * 60 + s) * 1000;
    return wall - t;
  }

  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR);
    let off = this.cache.get(hour);
    if (off === undefined) {
      const start = this.exact(hour * HOUR);
      off = start === this.exact(hour * HOUR + HOUR - 1000) ? start : NaN;
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(hour, off);
    }
    return off === off ? off : this.exact(utcMs);
  }

  toUtc(wallMs: number): number {
    const hour = Math.floor(wallMs / HOUR);
    if (hour === this.lastWallHour) return wallMs - this.lastWallOffset;
    let off = this.wallCache.get(hour);
    if (off === undefined) {
      const a = this.offsetAt(hour * HOUR - DAY);
      off = a === this.offsetAt(hour * HOUR + HOUR + DAY) ? a : NaN;
      if (this.wallCache.size >= 100_000) this.wallCache.clear();
      this.wallCache.set(hour, off);
    }
    if (off !== off) return this.toUtcNearTransition(wallMs);
    this.lastWallHour = hour;
    this.lastWallOffset = off;
    return wallMs - off;
  }

  private toUtcNearTransition(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY);
    const after = this.offsetAt(wallMs + DAY);
    if (before === after) return wallMs - before;
    const early = wallMs - before;
    const late = wallMs - after;
    const earlyOk = this.offsetAt(early) === before;
    const lateOk = this.offsetAt(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late);
    if (earlyOk) return early;
    if (lateOk) return late;
    return early; // in a gap: read with the offset from before it, which lands after it
  }
}

const zones = new Map<string, Zone | null>();

/**
 * Resolve a zone spec: `UTC`/`Z`/`GMT`, a fixed offset (`+02:00`, `-0700`, `UTC+2`), an IANA
 * name (`Europe/Paris`, case-insensitive as Intl allows), or `local` (the system zone).
 * Returns null for an unknown zone. Results are cached.
 */
export function zoneFor(spec: string): Zone | null {
  let z = zones.get(spec);
  if (z !== undefined) return z;
  z = resolve(spec);
  if (zones.size >= 1000) zones.clear();
  zones.set(spec, z);
  return z;
}

function resolve(spec: string): Zone | null {
  const s = spec.trim();
  const up = s.toUpperCase();
  if (up === 'UTC' || up === 'Z' || up === 'GMT' || up === 'UT') return UTC;
  const off = parseOffset(s);
  if (off !== null) return off === 0 ? UTC : fixedZone(offsetName(off), off);
  let name: string;
  try {
    name = s.toLowerCase() === 'local'
      ? new Intl.DateTimeFormat().resolvedOptions().timeZone
      : new Intl.DateTimeFormat('en-US', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (name === 'UTC' || name === 'Etc/UTC' || name === 'Etc/GMT' || name === 'GMT') return UTC;
  return new IanaZone(name);
}
