// Watermarks per input partition in the window stage (DESIGN §4): the minimum over active
// partitions, less allow, never going back; assigned / ended / revoked / idle / active changes;
// --idle-partition on the wall clock (explicit tick(now), the clock faked for push); the one
// warning about a partition that holds the watermark back; late reasons; the --stats table.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildWindow, drive, eventIn, jsonLines, type Rec } from './window-stage.js';

const B = 1714564800000; // 2024-05-01T12:00:00.000Z
const iso = (s: number) => new Date(B + s * 1000).toISOString();
/** a record at B + s seconds */
const at = (s: number, v = 0): Rec => ({ t: B + s * 1000, v });
const recs = (partition: string, ...secs: number[]) => ({ batch: secs.map((s) => ({ partition, rec: at(s) })) });
const win = (from: number, to: number, count: number) => JSON.stringify({ window_start: iso(from), window_end: iso(to), count });
const TUMBLING = 'window tumbling 10s on t | count()';
const assigned = (...ids: string[]) => ids.map((partition) => ({ change: { kind: 'assigned' as const, partition } }));
const T0 = B + 3_600_000; // the faked wall clock

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the watermark is the minimum over active partitions', () => {
  it('an assigned partition without data holds it back at −∞; its first record lets it go', () => {
    const { stage } = buildWindow(TUMBLING);
    expect(stage.partition!({ kind: 'assigned', partition: 'k/0' })).toEqual([]);
    expect(stage.partition!({ kind: 'assigned', partition: 'k/1' })).toEqual([]);
    expect(jsonLines(stage.push([eventIn('k/0', at(1)), eventIn('k/0', at(25))]))).toEqual([]);
    // k/1 reaches 21 s: min(25, 21) = 21 s, [0,10) and [10,20) fire
    expect(jsonLines(stage.push([eventIn('k/1', at(21))]))).toEqual([win(0, 10, 1)]);
  });

  it('a record behind another partition but not behind its own is on time', () => {
    const { stage, late } = buildWindow(TUMBLING);
    const out = drive(stage, [...assigned('k/0', 'k/1'), recs('k/0', 1, 35), recs('k/1', 2, 5, 12), recs('k/0', 40), recs('k/1', 14, 30)]);
    // one watermark over all input would drop 2, 5, 12 and 14 s (behind 35 s); per partition none is late
    expect(late).toEqual([]);
    expect(out).toEqual([win(0, 10, 3), win(10, 20, 2), win(30, 40, 2), win(40, 50, 1)]);
  });

  it('never goes back: a partition that appears later is behind it, not the other way round', () => {
    const { stage, late } = buildWindow(TUMBLING);
    expect(drive(stage, [recs('a.ndjson', 1, 25)], false)).toEqual([win(0, 10, 1)]);
    // b appears at 3 s: its record is checked against 25 s and is late; 22 s joins [20, 30)
    expect(drive(stage, [recs('b.ndjson', 3, 22)])).toEqual([win(20, 30, 2)]);
    expect(late.map((l) => l.value)).toEqual([at(3)]);
  });

  it('allow is taken off the minimum', () => {
    const { stage } = buildWindow('window tumbling 10s on t allow 5s | count()');
    expect(drive(stage, [...assigned('k/0', 'k/1'), recs('k/0', 1, 30), recs('k/1', 14)], false)).toEqual([]);
    expect(drive(stage, [recs('k/1', 15)], false)).toEqual([win(0, 10, 1)]);
  });
});

describe('ended, revoked, idle and active', () => {
  it('ended and revoked take a partition out of the minimum; what became due is returned', () => {
    for (const kind of ['ended', 'revoked'] as const) {
      const { stage, stats } = buildWindow(TUMBLING);
      expect(drive(stage, [...assigned('k/0', 'k/1'), recs('k/0', 1, 35), recs('k/1', 2)], false)).toEqual([]);
      expect(jsonLines(stage.partition!({ kind, partition: 'k/1' }))).toEqual([win(0, 10, 2)]);
      expect(stats.report()).toContain(`sluice: watermark k/1  ${iso(2)}${kind === 'revoked' ? ' (revoked)' : ''}\n`);
    }
  });

  it('with no active partition left the watermark stays where it is (the end of input fires the rest)', () => {
    const { stage, late } = buildWindow(TUMBLING);
    expect(drive(stage, [recs('a.ndjson', 1, 12), { change: { kind: 'ended', partition: 'a.ndjson' } }], false)).toEqual([win(0, 10, 1)]);
    // files read one after another: b starts from the watermark a left (12 s), as one watermark would
    expect(drive(stage, [{ change: { kind: 'assigned', partition: 'b.ndjson' } }, recs('b.ndjson', 5, 14, 31)], false)).toEqual([win(10, 20, 2)]);
    expect(late.map((l) => l.value)).toEqual([at(5)]);
    expect(jsonLines(stage.end())).toEqual([win(30, 40, 1)]);
  });

  it('active brings an idle partition back into the minimum', () => {
    const { stage } = buildWindow(TUMBLING);
    drive(stage, [recs('k/0', 1), recs('k/1', 2)], false);
    expect(jsonLines(stage.partition!({ kind: 'idle', partition: 'k/1' }))).toEqual([]);
    expect(stage.partition!({ kind: 'active', partition: 'k/1' })).toEqual([]);
    expect(drive(stage, [recs('k/0', 25)], false)).toEqual([]); // k/1 at 2 s holds it back again
    expect(drive(stage, [recs('k/1', 11)], false)).toEqual([win(0, 10, 2)]);
  });

  it('a record from a partition that was out brings it back, checked against the watermark as it is', () => {
    const { stage, late } = buildWindow(TUMBLING);
    drive(stage, [recs('k/0', 1), recs('k/1', 2), { change: { kind: 'idle', partition: 'k/1' } }, recs('k/0', 25)], false);
    expect(drive(stage, [recs('k/1', 3)], false)).toEqual([]);
    expect(late).toHaveLength(1);
    // the watermark (25 s) is above k/1's own time now: it names the partition that set it
    expect(late[0]!.reason).toBe(`late: event time ${iso(3)} from k/1 is 22000 ms behind the watermark ${iso(25)} (set by k/0); its windows have fired`);
    // k/1 is active again at 2 s: k/0 cannot move the watermark past it
    expect(drive(stage, [recs('k/0', 45)], false)).toEqual([]);
    expect(drive(stage, [recs('k/1', 41)], false)).toEqual([win(20, 30, 1)]);
  });

  it('a partition that comes back while none is active lifts the watermark to its own time', () => {
    const { stage } = buildWindow(TUMBLING);
    drive(stage, [...assigned('k/0', 'k/1'), recs('k/0', 1, 25), { change: { kind: 'idle', partition: 'k/0' } }, { change: { kind: 'idle', partition: 'k/1' } }], false);
    expect(jsonLines(stage.partition!({ kind: 'active', partition: 'k/0' }))).toEqual([win(0, 10, 1)]);
    drive(stage, [{ change: { kind: 'idle', partition: 'k/0' } }], false);
    // woken by a record instead: the record is checked against the watermark first (12 s joins [10, 20))
    const { stage: s2, late } = buildWindow(TUMBLING);
    drive(s2, [...assigned('k/0', 'k/1'), recs('k/0', 1, 25), { change: { kind: 'idle', partition: 'k/0' } }, { change: { kind: 'idle', partition: 'k/1' } }], false);
    expect(drive(s2, [recs('k/0', 12)], false)).toEqual([win(0, 10, 1), win(10, 20, 1)]);
    expect(late).toEqual([]);
  });

  it('count windows do not use time: partition changes give nothing and change nothing', () => {
    const { stage } = buildWindow('window count 2 on t | count()');
    expect(stage.partition!({ kind: 'assigned', partition: 'k/0' })).toEqual([]);
    expect(stage.tick).toBeUndefined();
    expect(drive(stage, [recs('k/1', 1, 2, 3)])).toEqual([
      JSON.stringify({ window_start: iso(1), window_end: iso(2), count: 2 }), JSON.stringify({ window_start: iso(3), window_end: iso(3), count: 1 }),
    ]);
  });

  it('sessions fire on the per-partition watermark', () => {
    const { stage } = buildWindow('window session 5s on t | count()');
    expect(drive(stage, [...assigned('k/0', 'k/1'), recs('k/0', 1, 3, 30), recs('k/1', 2)], false)).toEqual([]);
    expect(drive(stage, [recs('k/1', 9)], false)).toEqual([JSON.stringify({ window_start: iso(1), window_end: iso(8), count: 3 })]);
  });
});

describe('--idle-partition', () => {
  it('a partition without a record for that long goes idle at a tick and leaves the minimum', () => {
    const { stage, stats } = buildWindow(TUMBLING, { idlePartitionMs: 5000 });
    expect(stage.tick).toBeDefined();
    expect(stage.tickMs).toBeLessThanOrEqual(1250);
    drive(stage, [recs('k/1', 2)], false);
    vi.setSystemTime(T0 + 3000);
    drive(stage, [recs('k/0', 1, 25)], false);
    expect(stage.tick!(T0 + 4999)).toEqual([]);
    expect(jsonLines(stage.tick!(T0 + 5000))).toEqual([win(0, 10, 2)]); // k/1 idle: W = 25 s
    expect(stats.report()).toContain(`sluice: watermark k/1  ${iso(2)} (idle)\n`);
    // k/0 goes idle too: no active partition, the watermark stays at 25 s
    expect(stage.tick!(T0 + 8000)).toEqual([]);
    vi.setSystemTime(T0 + 9000);
    expect(drive(stage, [recs('k/1', 27)], false)).toEqual([]);
    expect(jsonLines(stage.end())).toEqual([win(20, 30, 2)]);
  });

  it('an assigned partition that never has data goes idle after the same time', () => {
    const { stage } = buildWindow(TUMBLING, { idlePartitionMs: 5000 });
    stage.partition!({ kind: 'assigned', partition: 'k/0' });
    stage.partition!({ kind: 'assigned', partition: 'k/1' });
    vi.setSystemTime(T0 + 4000);
    expect(drive(stage, [recs('k/0', 1, 12)], false)).toEqual([]);
    expect(jsonLines(stage.tick!(T0 + 5000))).toEqual([win(0, 10, 1)]);
  });

  it('without --idle-partition a time window has no tick (unless emit every or --idle)', () => {
    expect(buildWindow(TUMBLING).stage.tick).toBeUndefined();
    expect(buildWindow(TUMBLING, { idleMs: 1000 }).stage.tick).toBeDefined();
  });

  it('--idle still follows the wall clock on a quiet stream', () => {
    const { stage } = buildWindow(TUMBLING, { idleMs: 2000 });
    drive(stage, [recs('-', 1, 5)], false);
    expect(stage.tick!(T0 + 1999)).toEqual([]);
    expect(stage.tick!(T0 + 4000)).toEqual([]); // event time 5 s + 4 s = 9 s
    expect(jsonLines(stage.tick!(T0 + 5000))).toEqual([win(0, 10, 2)]);
  });
});

describe('a partition holding the watermark back is warned about once', () => {
  it('not for being far behind in event time (a backlog is read so), only when quiet for 30 s of wall clock; once', () => {
    const { stage, warnings } = buildWindow(TUMBLING);
    vi.setSystemTime(T0);
    drive(stage, [recs('k/1', 0), recs('k/0', 30, 60)], false);
    drive(stage, [recs('k/0', 6100)], false);
    expect(warnings).toEqual([]);
    vi.setSystemTime(T0 + 30_000);
    drive(stage, [recs('k/0', 6200)], false);
    expect(warnings).toEqual([
      `window: partition k/1 holds the watermark back (its event time is ${iso(0)}, another partition is at ${iso(6200)}): ` +
      'windows wait for it; if it stays quiet, --idle-partition DURATION lets the watermark go on without it',
    ]);
    drive(stage, [recs('k/0', 6300), recs('k/0', 6400)], false);
    expect(warnings).toHaveLength(1);
  });

  it('not while it has records in the batch, however far behind', () => {
    const { stage, warnings } = buildWindow(TUMBLING);
    stage.push([eventIn('k/1', at(0)), eventIn('k/0', at(500)), eventIn('k/1', at(1))]);
    expect(warnings).toEqual([]);
  });

  it('when it has had no record for 30 s of wall clock while others had (a partition without data too)', () => {
    const { stage, warnings } = buildWindow(TUMBLING);
    stage.partition!({ kind: 'assigned', partition: 'k/1' });
    vi.setSystemTime(T0 + 29_999);
    drive(stage, [recs('k/0', 1)], false);
    expect(warnings).toEqual([]);
    vi.setSystemTime(T0 + 30_000);
    drive(stage, [recs('k/0', 2)], false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^window: partition k\/1 holds the watermark back \(it has had no record yet, another partition is at .*--idle-partition DURATION/);
  });

  it('not with --idle-partition (the user chose), and not for one partition alone', () => {
    const a = buildWindow(TUMBLING, { idlePartitionMs: 3_600_000 });
    drive(a.stage, [recs('k/1', 0), recs('k/0', 500)], false);
    expect(a.warnings).toEqual([]);
    const b = buildWindow(TUMBLING);
    drive(b.stage, [recs('k/0', 0), recs('k/0', 500)], false);
    expect(b.warnings).toEqual([]);
  });
});

describe('late reasons and --stats', () => {
  it('one partition: the reason is as it always was, and --stats has no watermark lines', () => {
    const { stage, late, stats } = buildWindow(TUMBLING);
    drive(stage, [recs('-', 25, 3)]);
    expect(late.map((l) => l.reason)).toEqual([`late: event time ${iso(3)} is 22000 ms behind the watermark ${iso(25)}; its windows have fired`]);
    expect(stats.report()).not.toContain('watermark');
  });

  it('several: the reason names the record\'s partition and those holding the watermark', () => {
    const { stage, late, stats } = buildWindow('window tumbling 10s on t allow 1s | count()');
    drive(stage, [...assigned('k/0', 'k/1', 'k/2'), recs('k/0', 25, 26), recs('k/1', 25, 30), recs('k/2', 25), recs('k/1', 3)], false);
    expect(late.map((l) => l.reason)).toEqual([
      `late: event time ${iso(3)} from k/1 is 21000 ms behind the watermark ${iso(24)} (held by k/2); its windows have fired`,
    ]);
    expect(stats.report()).toMatch(new RegExp(
      `sluice: rate +\\S+ records/s\\nsluice: watermark k/0  ${iso(25)}\\nsluice: watermark k/1  ${iso(29)}\\nsluice: watermark k/2  ${iso(24)}\\n$`));
    // k/2 ends: W = 26 s − 1 s; k/0 ends: W = 30 s − 1 s (k/1); k/1 ends: W stays there
    stage.partition!({ kind: 'ended', partition: 'k/2' });
    stage.partition!({ kind: 'ended', partition: 'k/0' });
    stage.partition!({ kind: 'ended', partition: 'k/1' });
    drive(stage, [recs('x.ndjson', 1)], false);
    expect(late[1]!.reason).toBe(`late: event time ${iso(1)} from x.ndjson is 28000 ms behind the watermark ${iso(29)} (set by k/1, now ended); its windows have fired`);
    expect(stats.report()).toContain(`sluice: watermark k/2       ${iso(24)}\nsluice: watermark x.ndjson  ${iso(0)}\n`);
  });

  it('an assigned partition without data shows as none', () => {
    const { stage, stats } = buildWindow(TUMBLING);
    stage.partition!({ kind: 'assigned', partition: 'k/0' });
    drive(stage, [recs('k/1', 1)], false);
    expect(stats.report()).toContain('sluice: watermark k/0  none\nsluice: watermark k/1  ' + iso(1) + '\n');
  });
});
