import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIso, splitFormat, strftime, strftimer } from '../../src/time/format.js';
import { parseTimestamp, timestampParser } from '../../src/time/timestamp.js';

const utc = (iso: string) => Date.parse(iso);

describe('formatIso', () => {
  it('writes UTC with millisecond precision', () => {
    expect(formatIso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatIso(utc('2024-05-01T12:00:00.123Z'))).toBe('2024-05-01T12:00:00.123Z');
    expect(formatIso(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(formatIso(utc('2024-02-29T23:59:59.999Z'))).toBe('2024-02-29T23:59:59.999Z');
  });

  it('truncates below the millisecond', () => {
    expect(formatIso(utc('2024-05-01T12:00:00.123Z') + 0.99)).toBe('2024-05-01T12:00:00.123Z');
    expect(formatIso(-0.5)).toBe('1969-12-31T23:59:59.999Z');
  });

  it('matches Date.prototype.toISOString over the whole Date range', () => {
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => formatIso(ms) === new Date(ms).toISOString()),
      { numRuns: 20_000 });
  });

  it('throws only for a non-finite number', () => {
    expect(() => formatIso(NaN)).toThrow(RangeError);
    expect(() => formatIso(Infinity)).toThrow(RangeError);
  });
});

describe('strftime', () => {
  const t = utc('2024-05-01T14:03:04.056Z'); // a Wednesday, day 122 of a leap year

  it.each([
    ['%Y-%m-%d %H:%M:%S', '2024-05-01 14:03:04'],
    ['%F %T', '2024-05-01 14:03:04'],
    ['%D %R', '05/01/24 14:03'],
    ['%y %e %j', '24  1 122'],
    ['%I:%M %p', '02:03 PM'],
    ['%a %A %b %B %h', 'Wed Wednesday May May May'],
    ['%s', '1714572184'],
    ['%f', '056000'],
    ['%3f|%6f|%9f|%1f', '056|056000|056000000|0'],
    ['%z %Z', '+0000 UTC'],
    ['100%% %n%t', '100% \n\t'],
    ['no specifiers', 'no specifiers'],
    ['', ''],
  ])('%j', (fmt, out) => {
    expect(strftime(t, fmt)).toBe(out);
  });

  it('12-hour clock edges', () => {
    expect(strftime(utc('2024-05-01T00:30:00Z'), '%I %p')).toBe('12 AM');
    expect(strftime(utc('2024-05-01T12:30:00Z'), '%I %p')).toBe('12 PM');
    expect(strftime(utc('2024-05-01T23:30:00Z'), '%I %p')).toBe('11 PM');
  });

  it('writes sub-millisecond digits', () => {
    const ms = parseTimestamp('2024-05-01T12:00:00.123456789Z')!;
    expect(strftime(ms, '%3f %6f')).toBe('123 123457');
    // a double near 2024 in epoch ms holds about 0.1 µs: nanosecond digits are approximate
    expect(strftime(ms, '%9f')).toMatch(/^1234567\d\d$/);
    expect(strftime(parseTimestamp('1970-01-01T00:00:00.123456789Z')!, '%9f')).toBe('123456789');
    expect(strftime(parseTimestamp('2024-05-01T12:00:00.123456Z')!, '%6f')).toBe('123456');
    expect(strftime(parseTimestamp('2024-05-01T12:00:00.999999Z')!, '%6f %S')).toBe('999999 00');
  });

  it('writes in a zone, across DST', () => {
    expect(strftime(utc('2024-01-15T12:00:00Z'), '%F %T %z %Z', 'Europe/Paris')).toBe('2024-01-15 13:00:00 +0100 Europe/Paris');
    expect(strftime(utc('2024-07-15T12:00:00Z'), '%F %T %z', 'Europe/Paris')).toBe('2024-07-15 14:00:00 +0200');
    expect(strftime(utc('2024-10-27T00:30:00Z'), '%T %z', 'Europe/Paris')).toBe('02:30:00 +0200');
    expect(strftime(utc('2024-10-27T01:30:00Z'), '%T %z', 'Europe/Paris')).toBe('02:30:00 +0100');
    expect(strftime(utc('2024-05-01T12:00:00Z'), '%T %z %Z', '+05:45')).toBe('17:45:00 +0545 +05:45');
    expect(strftime(utc('2024-05-01T12:00:00Z'), '%T %z', 'Asia/Kathmandu')).toBe('17:45:00 +0545');
    expect(strftime(utc('2024-05-01T12:00:00Z'), '%s', 'Asia/Tokyo')).toBe('1714564800');
  });

  it('agrees with Intl in every zone it is given', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Apia', 'UTC'];
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...zones), (ms, tz) => {
      const intl = new Intl.DateTimeFormat('sv-SE', {
        timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      }).format(ms);
      return strftime(ms, '%F %T', tz) === intl;
    }), { numRuns: 3000 });
  });

  it('rejects unknown specifiers and zones at compile time', () => {
    expect(() => strftimer('%Q')).toThrow(/unknown time format specifier '%Q'/);
    expect(() => strftimer('abc %')).toThrow(/lone '%'/);
    expect(() => strftimer('%F', 'Nowhere/Town')).toThrow(/unknown time zone/);
  });

  it('splits formats into literals and specifiers', () => {
    expect(splitFormat('a%Y-%3f%%%T')).toEqual([
      { lit: 'a' }, { spec: 'Y' }, { lit: '-' }, { spec: '3f' }, { lit: '%' }, { spec: 'H' }, { lit: ':' }, { spec: 'M' }, { lit: ':' }, { spec: 'S' },
    ]);
  });
});

describe('parsing with a format', () => {
  const parse = (text: unknown, format: string, tz?: string) => parseTimestamp(text as never, tz === undefined ? { format } : { format, tz });

  it.each([
    ['01/05/2024 13:04:05', '%d/%m/%Y %H:%M:%S', '2024-05-01T13:04:05Z'],
    ['1/5/2024 13:04:05', '%d/%m/%Y %H:%M:%S', '2024-05-01T13:04:05Z'],
    ['20240501T130405', '%Y%m%dT%H%M%S', '2024-05-01T13:04:05Z'],
    ['2024-05-01 13:04:05.25', '%F %T.%f', '2024-05-01T13:04:05.250Z'],
    ['2024-05-01 13:04:05.250', '%F %T.%3f', '2024-05-01T13:04:05.250Z'],
    ['2024-05-01 13:04:05 +0200', '%F %T %z', '2024-05-01T11:04:05Z'],
    ['2024-05-01 13:04:05 -02:30', '%F %T %z', '2024-05-01T15:34:05Z'],
    ['2024-05-01 13:04:05 Z', '%F %T %z', '2024-05-01T13:04:05Z'],
    ['2024-05-01 13:04:05 UTC', '%F %T %Z', '2024-05-01T13:04:05Z'],
    ['2024-05-01 13:04:05 PDT', '%F %T %Z', '2024-05-01T20:04:05Z'],
    ['2024-05-01 13:04:05 CEST', '%F %T %Z', '2024-05-01T11:04:05Z'],
    ['2024-05-01 13:04:05 +05:30', '%F %T %Z', '2024-05-01T07:34:05Z'],
    ['2024-05-01 13:04:05 Europe/Paris', '%F %T %Z', '2024-05-01T11:04:05Z'],
    ['2024-01-01 13:04:05 America/New_York', '%F %T %Z', '2024-01-01T18:04:05Z'],
    ['Wed, 01 May 2024 13:04:05 GMT', '%a, %d %b %Y %T %Z', '2024-05-01T13:04:05Z'],
    ['Wednesday 1 MAY 2024', '%A %d %B %Y', '2024-05-01T00:00:00Z'],
    ['September 3 24', '%B %e %y', '2024-09-03T00:00:00Z'],
    ['Sep  3 69', '%b %e %y', '1969-09-03T00:00:00Z'],
    ['2024 122', '%Y %j', '2024-05-01T00:00:00Z'],
    ['2023 365', '%Y %j', '2023-12-31T00:00:00Z'],
    ['1:04 pm', '%I:%M %p', '1970-01-01T13:04:00Z'],
    ['12:04 AM', '%I:%M %p', '1970-01-01T00:04:00Z'],
    ['12:04 PM', '%I:%M %p', '1970-01-01T12:04:00Z'],
    ['1714564800', '%s', '2024-05-01T12:00:00Z'],
    ['1714564800.5', '%s.%f', '2024-05-01T12:00:00.500Z'],
    ['-1.5', '%s.%f', '1969-12-31T23:59:58.500Z'],
    ['100% 2024', '100%% %Y', '2024-01-01T00:00:00Z'],
    ['[10/Oct/2000:13:55:36 -0700]', '[%d/%b/%Y:%H:%M:%S %z]', '2000-10-10T20:55:36Z'],
  ])('%j with %j', (text, fmt, iso) => {
    expect(parse(text, fmt)).toBe(utc(iso));
  });

  it('reads a number through its decimal text', () => {
    expect(parse(20240501, '%Y%m%d')).toBe(utc('2024-05-01T00:00:00Z'));
    expect(parse(1714564800, '%s')).toBe(utc('2024-05-01T12:00:00Z'));
  });

  it('applies tz unless the text has an offset or zone', () => {
    expect(parse('2024-07-01 12:00', '%Y-%m-%d %H:%M', 'Europe/Paris')).toBe(utc('2024-07-01T10:00:00Z'));
    expect(parse('2024-07-01 12:00 +0000', '%Y-%m-%d %H:%M %z', 'Europe/Paris')).toBe(utc('2024-07-01T12:00:00Z'));
    expect(parse('2024-07-01 12:00 UTC', '%Y-%m-%d %H:%M %Z', 'Europe/Paris')).toBe(utc('2024-07-01T12:00:00Z'));
  });

  it('uses the syslog year rule when the format has no year', () => {
    const now = () => utc('2024-01-05T00:00:00Z');
    expect(parseTimestamp('Dec 31 23:00:00', { format: '%b %d %T', now })).toBe(utc('2023-12-31T23:00:00Z'));
    expect(parseTimestamp('Jan 02 23:00:00', { format: '%b %d %T', now })).toBe(utc('2024-01-02T23:00:00Z'));
  });

  it.each([
    ['2024-13-01', '%Y-%m-%d'], ['2024-02-30', '%Y-%m-%d'], ['2023 366', '%Y %j'], ['2024 0', '%Y %j'],
    ['24-05-01', '%Y-%m-%d'], ['2024-05-01 ', '%Y-%m-%d'], [' 2024-05-01', '%Y-%m-%d'], ['2024-05-01x', '%Y-%m-%d'],
    ['2024-05-01', '%Y-%m-%d %H'], ['25:00', '%H:%M'], ['12:60', '%H:%M'], ['13:00 PM', '%I:%M %p'], ['0:00 AM', '%I:%M %p'],
    ['Foo 1 2024', '%b %d %Y'], ['2024-05-01 13:04:05 Nowhere/Town', '%F %T %Z'], ['2024-05-01 13:04:05 +2', '%F %T %z'],
    ['1.25', '%s.%3f'], ['abc', '%s'], ['', '%Y'], ['2024-05-01', '%Y-%m-%d%n'], ['99999999999999999', '%s'],
  ])('rejects %j with %j', (text, fmt) => {
    expect(parse(text, fmt)).toBeNull();
  });

  it('matches whitespace in the format against any run of whitespace', () => {
    expect(parse('Oct  1 2024', '%b %d %Y')).toBe(utc('2024-10-01T00:00:00Z'));
    expect(parse('Oct\t1 2024', '%b %e %Y')).toBe(utc('2024-10-01T00:00:00Z'));
    expect(parse('Oct1 2024', '%b %e %Y')).toBeNull();
  });

  it('gives null for non-text values and never throws', () => {
    const p = timestampParser({ format: '%F %T' });
    for (const v of [null, undefined, true, {}, [], NaN]) expect(p(v as never)).toBeNull();
  });

  it('rejects an invalid format at compile time', () => {
    expect(() => timestampParser({ format: '%Y-%Q' })).toThrow(/unknown time format specifier '%Q'/);
    expect(() => timestampParser({ format: '%Y %' })).toThrow(/lone '%'/);
  });

  it('round-trips strftime output', () => {
    const formats = ['%F %T.%3f %z', '%d/%b/%Y:%H:%M:%S.%3f %z', '%Y%m%d%H%M%S%3f%z', '%A, %B %d %Y %I:%M:%S.%3f %p %z', '%s.%3f', '%Y %j %T.%3f %z'];
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kathmandu', '-03:30'];
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...formats), fc.constantFrom(...zones),
      (ms, fmt, tz) => parseTimestamp(strftime(ms, fmt, tz), { format: fmt }) === ms,
    ), { numRuns: 5000 });
  });

  it('round-trips zone-less text through the same zone, outside DST overlaps', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
      const tz = 'Europe/Paris';
      const text = strftime(ms, '%F %T.%3f', tz);
      const back = parseTimestamp(text, { tz })!;
      // a wall time that occurs twice reads as the first: one hour earlier at most
      return back === ms || back === ms - 3_600_000;
    }), { numRuns: 5000 });
  });

  it('round-trips the default parser on CLF and ISO output in any zone', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom('UTC', 'Europe/Paris', 'America/Los_Angeles'), (ms, tz) => {
      const s = Math.floor(ms / 1000) * 1000;
      return parseTimestamp(strftime(s, '%d/%b/%Y:%H:%M:%S %z', tz)) === s &&
        parseTimestamp(strftime(ms, '%Y-%m-%dT%H:%M:%S.%3f%z', tz)) === ms;
    }), { numRuns: 3000 });
  });
});
