import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { offsetName, parseOffset, UTC, zoneFor } from '../../src/time/zone.js';

/** the offset Intl reports, the slow way, as a reference model */
function intlOffset(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const s = Math.floor(ms / 1000) * 1000;
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - s;
}

describe('zones', () => {
  it('resolves UTC spellings to the UTC zone', () => {
    for (const s of ['UTC', 'utc', 'Z', 'GMT', 'Etc/UTC', '+00:00', '-0000', 'UTC+0']) expect(zoneFor(s)).toBe(UTC);
  });

  it('resolves offsets to fixed zones', () => {
    const z = zoneFor('+05:30')!;
    expect(z.fixed).toBe(19_800_000);
    expect(z.name).toBe('+05:30');
    expect(zoneFor('-7')!.name).toBe('-07:00');
    expect(zoneFor('UTC+2')!.fixed).toBe(7_200_000);
  });

  it('resolves IANA names canonically and rejects unknown ones', () => {
    expect(zoneFor('europe/paris')!.name).toBe('Europe/Paris');
    expect(zoneFor('Europe/Paris')!.fixed).toBeNull();
    expect(zoneFor('Mars/Olympus')).toBeNull();
    expect(zoneFor('')).toBeNull();
    expect(zoneFor('+25:00')).toBeNull();
    expect(zoneFor('local')).not.toBeNull();
  });

  it('offsetAt agrees with Intl, including hours that hold a transition', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo', 'Africa/Casablanca'];
    fc.assert(fc.property(fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }), fc.constantFrom(...zones), (ms, tz) =>
      zoneFor(tz)!.offsetAt(ms) === intlOffset(tz, ms)), { numRuns: 5000 });
    const sj = zoneFor('America/St_Johns')!;
    const at = Date.parse('2024-03-10T05:30:00Z');
    expect(sj.offsetAt(at - 1000)).toBe(-3.5 * 3_600_000);
    expect(sj.offsetAt(at)).toBe(-2.5 * 3_600_000);
  });

  it('toUtc inverts offsetAt outside gaps and overlaps', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...zones), (ms, tz) => {
      const z = zoneFor(tz)!;
      const wall = ms + z.offsetAt(ms);
      const back = z.toUtc(wall);
      return back === ms || (back < ms && back + z.offsetAt(back) === wall); // an overlap gives the earlier
    }), { numRuns: 5000 });
  });
});

describe('offsets', () => {
  it.each([
    ['Z', 0], ['+02:00', 7_200_000], ['+0200', 7_200_000], ['+02', 7_200_000], ['-7', -25_200_000], ['-03:30', -12_600_000],
    ['\u221205:00', -18_000_000], ['GMT+1', 3_600_000], ['utc-01:30', -5_400_000],
  ])('%j', (text, ms) => expect(parseOffset(text)).toBe(ms));

  it.each(['', '+', '02:00', '+2:00x', '+24:00', '+02:60', '+123', 'UTC', 'abc'])('rejects %j', (text) => expect(parseOffset(text)).toBeNull());

  it('writes offsets', () => {
    expect(offsetName(0)).toBe('+00:00');
    expect(offsetName(-12_600_000)).toBe('-03:30');
    expect(offsetName(20_700_000, false)).toBe('+0545');
  });
});
