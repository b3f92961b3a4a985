// Hand-written checks of the reference window model (test/time/window-model.ts): tiny streams
// whose answers are worked out by hand from the spec, plus a few self-consistency properties.
// The comparisons with the real engine are in window-properties.test.ts.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { candidates, programText, runModel, type AggSpec, type Query, type Rec, type WindowSpec } from './window-model.js';

const B = 1714564800000; // 2024-05-01T12:00:00.000Z, a multiple of 10 s and of 3 s
const iso = (offsetMs: number) => new Date(B + offsetMs).toISOString();
const ALL: AggSpec[] = [
  { fn: 'count' }, { fn: 'sum', field: 'v' }, { fn: 'min', field: 'v' },
  { fn: 'max', field: 'v' }, { fn: 'first', field: 'v' }, { fn: 'last', field: 'v' },
];
const q = (window: WindowSpec, by: string[] = ['k'], aggs: AggSpec[] = ALL): Query => ({ window, on: 't', by, aggs });
/** events from [offset ms, key, v] */
const ev = (...rows: [number, string, number][]): Rec[] => rows.map(([o, k, v]) => ({ t: B + o, k, v }));
const win = (s: number, e: number, k: string, count: number, sum: number, min: number, max: number, first: number, last: number): Rec => ({
  window_start: iso(s), window_end: iso(e), k, count, sum_v: sum, min_v: min, max_v: max, first_v: first, last_v: last,
});

describe('program text', () => {
  it('writes the window clause and the aggregates', () => {
    expect(programText(q({ kind: 'tumbling', size: 10_000 }))).toBe(
      'window tumbling 10s on t | count(), sum(v), min(v), max(v), first(v), last(v) by k');
    expect(programText(q({ kind: 'sliding', size: 5000, slide: 250, allow: 0 }, [], [{ fn: 'count' }]))).toBe(
      'window sliding 5s every 250ms on t allow 0ms | count()');
    expect(programText(q({ kind: 'session', gap: 500, allow: 3000 }, ['k', 'j'], [{ fn: 'count' }]))).toBe(
      'window session 500ms on t allow 3s | count() by k, j');
    expect(programText(q({ kind: 'count', n: 3, every: 2 }, ['k'], [{ fn: 'count' }]))).toBe(
      'window count 3 every 2 on t | count() by k');
  });
});

describe('tumbling', () => {
  it('drops a record whose only window already fired, and counts it', () => {
    const r = runModel(q({ kind: 'tumbling', size: 10_000 }), ev([0, 'a', 1], [5000, 'a', 2], [12_000, 'a', 3], [3000, 'a', 4]));
    expect(r.late).toBe(1);
    expect(r.output).toEqual([win(0, 10_000, 'a', 2, 3, 1, 2, 1, 2), win(10_000, 20_000, 'a', 1, 3, 3, 3, 3, 3)]);
  });

  it('fires a window as soon as the watermark reaches its end exactly', () => {
    // t = 10 s makes W = 10 s = end of [0, 10 s): it fires; 9.999 s is then late
    const r = runModel(q({ kind: 'tumbling', size: 10_000 }), ev([0, 'a', 1], [10_000, 'a', 2], [9999, 'a', 3]));
    expect(r.late).toBe(1);
    expect(r.output.map((x) => [x.window_start, x.count])).toEqual([[iso(0), 1], [iso(10_000), 1]]);
  });

  it('allow keeps windows open for that much longer', () => {
    const r = runModel(q({ kind: 'tumbling', size: 10_000, allow: 3000 }), ev([0, 'a', 1], [12_000, 'a', 2], [9999, 'a', 3], [13_000, 'a', 4], [1, 'a', 5]));
    // W after 12 s = 9 s: [0,10) still open, 9.999 s joins it; after 13 s W = 10 s: it fires; 0.001 s is late
    expect(r.late).toBe(1);
    expect(r.output).toEqual([win(0, 10_000, 'a', 2, 4, 1, 3, 1, 3), win(10_000, 20_000, 'a', 2, 6, 2, 4, 2, 4)]);
  });

  it('orders windows of equal bounds by the first appearance of the key in that window', () => {
    const r = runModel(q({ kind: 'tumbling', size: 1000 }, ['k'], [{ fn: 'count' }]),
      ev([0, 'a', 0], [1500, 'b', 0], [1600, 'a', 0], [1700, 'b', 0], [5000, 'a', 0]));
    expect(r.output).toEqual([
      { window_start: iso(0), window_end: iso(1000), k: 'a', count: 1 },
      { window_start: iso(1000), window_end: iso(2000), k: 'b', count: 2 },
      { window_start: iso(1000), window_end: iso(2000), k: 'a', count: 1 },
      { window_start: iso(5000), window_end: iso(6000), k: 'a', count: 1 },
    ]);
  });

  it('first/last follow arrival order, not event time', () => {
    const r = runModel(q({ kind: 'tumbling', size: 10_000 }), ev([5000, 'a', 7], [1000, 'a', 8], [3000, 'a', 9]));
    expect(r.output).toEqual([win(0, 10_000, 'a', 3, 24, 7, 9, 7, 9)]);
    expect(Object.keys(r.output[0]!)).toEqual(['window_start', 'window_end', 'k', 'count', 'sum_v', 'min_v', 'max_v', 'first_v', 'last_v']);
  });
});

describe('sliding', () => {
  it('puts a record in every window whose [start, start+size) holds it', () => {
    expect(candidates({ kind: 'sliding', size: 10_000, slide: 5000 }, B + 7000)).toEqual([[B, B + 10_000], [B + 5000, B + 15_000]]);
    expect(candidates({ kind: 'sliding', size: 10_000, slide: 5000 }, B + 10_000)).toEqual([[B + 5000, B + 15_000], [B + 10_000, B + 20_000]]);
    // a slide that does not divide the size: starts 3, 6, 9 s hold 10 s; 0 s does not ([0,10) excludes 10)
    expect(candidates({ kind: 'sliding', size: 10_000, slide: 3000 }, B + 10_000)).toEqual(
      [[B + 3000, B + 13_000], [B + 6000, B + 16_000], [B + 9000, B + 19_000]]);
    expect(candidates({ kind: 'sliding', size: 10_000, slide: 3000 }, B + 9999)).toEqual(
      [[B, B + 10_000], [B + 3000, B + 13_000], [B + 6000, B + 16_000], [B + 9000, B + 19_000]]);
  });

  it('fires each window separately; a late record joins only the windows still open', () => {
    const r = runModel(q({ kind: 'sliding', size: 10_000, slide: 5000 }), ev([7000, 'a', 1], [12_000, 'a', 2], [6000, 'a', 4], [2000, 'a', 8]));
    // after 12 s: W = 12 s, [0,10) fires with {7 s}; 6 s joins only [5,15); 2 s (windows [-5,5), [0,10)) is late
    expect(r.late).toBe(1);
    expect(r.output).toEqual([
      win(0, 10_000, 'a', 1, 1, 1, 1, 1, 1),
      win(5000, 15_000, 'a', 3, 7, 1, 4, 1, 4),
      win(10_000, 20_000, 'a', 1, 2, 2, 2, 2, 2),
    ]);
  });
});

describe('session', () => {
  it('a record bridging two open sessions merges them', () => {
    const r = runModel(q({ kind: 'session', gap: 2000, allow: 5000 }), ev([0, 'a', 1], [3000, 'a', 2], [1500, 'a', 4]));
    // [0,2) and [3,5) are apart; [1.5,3.5) overlaps both -> [0,5) with all three records
    expect(r.late).toBe(0);
    expect(r.output).toEqual([win(0, 5000, 'a', 3, 7, 1, 4, 1, 4)]);
  });

  it('a gap of exactly GAP starts a new session', () => {
    const r = runModel(q({ kind: 'session', gap: 2000, allow: 60_000 }, ['k'], [{ fn: 'count' }]), ev([0, 'a', 0], [2000, 'a', 0], [3999, 'a', 0]));
    expect(r.output).toEqual([
      { window_start: iso(0), window_end: iso(2000), k: 'a', count: 1 },
      { window_start: iso(2000), window_end: iso(5999), k: 'a', count: 2 },
    ]);
  });

  it('is per key', () => {
    const r = runModel(q({ kind: 'session', gap: 2000, allow: 60_000 }, ['k'], [{ fn: 'count' }]), ev([0, 'a', 0], [1000, 'b', 0], [1500, 'a', 0]));
    // end order: b's [1, 3) before a's [0, 3.5)
    expect(r.output).toEqual([
      { window_start: iso(1000), window_end: iso(3000), k: 'b', count: 1 },
      { window_start: iso(0), window_end: iso(3500), k: 'a', count: 2 },
    ]);
  });

  it('late iff it overlaps no open session and t + GAP <= W', () => {
    const r = runModel(q({ kind: 'session', gap: 2000 }, ['k'], [{ fn: 'count' }]),
      ev([0, 'a', 0], [10_000, 'b', 0], [8000, 'a', 0], [8001, 'a', 0], [9000, 'b', 0]));
    // W = 10 s: a@0 fired. a@8 s: 8+2 = 10 <= W, no open a-session -> late. a@8.001 s: new session [8.001, 10.001).
    // b@9 s overlaps open b-session [10, 12) -> joins, merged [9, 12).
    expect(r.late).toBe(1);
    expect(r.output).toEqual([
      { window_start: iso(0), window_end: iso(2000), k: 'a', count: 1 },
      { window_start: iso(8001), window_end: iso(10_001), k: 'a', count: 1 },
      { window_start: iso(9000), window_end: iso(12_000), k: 'b', count: 2 },
    ]);
  });

  it('a fired session is gone: a later overlapping record starts a new one', () => {
    const r = runModel(q({ kind: 'session', gap: 2000 }, ['k'], [{ fn: 'count' }]), ev([0, 'a', 0], [2500, 'b', 0], [1000, 'a', 0]));
    // after b@2.5 s, W = 2.5 s: [0,2) of a fired. a@1 s: [1,3) overlaps nothing open, 3 > W -> new session
    expect(r.late).toBe(0);
    expect(r.output).toEqual([
      { window_start: iso(0), window_end: iso(2000), k: 'a', count: 1 },
      { window_start: iso(1000), window_end: iso(3000), k: 'a', count: 1 },
      { window_start: iso(2500), window_end: iso(4500), k: 'b', count: 1 },
    ]);
  });
});

describe('count', () => {
  const rows = ev([0, 'a', 1], [1, 'a', 2], [2, 'b', 3], [3, 'a', 4], [4, 'a', 5], [5, 'b', 6], [6, 'a', 7]);
  it('emits every N records of a key, and the partial windows at the end in window-end order', () => {
    const r = runModel(q({ kind: 'count', n: 3 }), rows);
    expect(r.late).toBe(0);
    expect(r.output).toEqual([
      win(0, 3, 'a', 3, 7, 1, 4, 1, 4),
      win(2, 5, 'b', 2, 9, 3, 6, 3, 6),
      win(4, 6, 'a', 2, 12, 5, 7, 5, 7),
    ]);
  });

  it('partial windows with the same end and start keep key first-appearance order', () => {
    const r = runModel(q({ kind: 'count', n: 3 }, ['k'], [{ fn: 'count' }]), ev([0, 'b', 0], [0, 'a', 0]));
    expect(r.output.map((x) => x.k)).toEqual(['b', 'a']);
  });

  it('every M emits the last min(N, seen) records at every M-th record, and once more at the end if needed', () => {
    const r = runModel(q({ kind: 'count', n: 3, every: 2 }), rows);
    expect(r.output).toEqual([
      win(0, 1, 'a', 2, 3, 1, 2, 1, 2), // a's 2nd
      win(1, 4, 'a', 3, 11, 2, 5, 2, 5), // a's 4th
      win(2, 5, 'b', 2, 9, 3, 6, 3, 6), // b's 2nd
      win(3, 6, 'a', 3, 16, 4, 7, 4, 7), // end: a got a 5th record
    ]);
  });

  it('window_start/window_end are the times of the first and last record (arrival order)', () => {
    const r = runModel(q({ kind: 'count', n: 2 }, [], [{ fn: 'count' }]), ev([5000, 'a', 0], [1000, 'a', 0]));
    expect(r.output).toEqual([{ window_start: iso(5000), window_end: iso(1000), count: 2 }]);
  });
});

describe('model self-consistency', () => {
  const arbEvents = fc.array(
    fc.record({ o: fc.integer({ min: 0, max: 60_000 }), k: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: -5, max: 5 }) }),
    { maxLength: 80 },
  ).map((xs) => xs.map(({ o, k, v }) => ({ t: B + o, k, v })));
  const total = (out: Rec[]) => out.reduce((n, r) => n + (r.count as number), 0);

  it('tumbling and session: every record is counted once or is late', () => {
    fc.assert(fc.property(arbEvents, fc.constantFrom<WindowSpec>(
      { kind: 'tumbling', size: 1000 }, { kind: 'tumbling', size: 5000, allow: 3000 },
      { kind: 'session', gap: 500 }, { kind: 'session', gap: 2000, allow: 3000 }), (events, w) => {
      const r = runModel(q(w, ['k'], [{ fn: 'count' }]), events);
      expect(total(r.output) + r.late).toBe(events.length);
    }));
  });

  it('in time order nothing is late, and windows come out in end order', () => {
    fc.assert(fc.property(arbEvents, fc.constantFrom<WindowSpec>(
      { kind: 'tumbling', size: 1000 }, { kind: 'sliding', size: 5000, slide: 2000 }, { kind: 'session', gap: 2000 }), (events, w) => {
      const sorted = [...events].sort((x, y) => x.t - y.t);
      const r = runModel(q(w, ['k'], [{ fn: 'count' }]), sorted);
      expect(r.late).toBe(0);
      const ends = r.output.map((x) => Date.parse(x.window_end as string));
      expect(ends).toEqual([...ends].sort((x, y) => x - y));
    }));
  });

  it('sliding with a slide dividing the size: each on-time record is in size/slide windows', () => {
    fc.assert(fc.property(arbEvents, (events) => {
      const sorted = [...events].sort((x, y) => x.t - y.t);
      const r = runModel(q({ kind: 'sliding', size: 6000, slide: 2000 }, ['k'], [{ fn: 'count' }]), sorted);
      expect(total(r.output)).toBe(3 * events.length);
    }));
  });

  it('sliding with slide = size is tumbling', () => {
    fc.assert(fc.property(arbEvents, (events) => {
      const a = runModel(q({ kind: 'sliding', size: 5000, slide: 5000, allow: 1000 }), events);
      const b = runModel(q({ kind: 'tumbling', size: 5000, allow: 1000 }), events);
      expect(a).toEqual(b);
    }));
  });

  it('count N: every record is in exactly one window', () => {
    fc.assert(fc.property(arbEvents, fc.integer({ min: 1, max: 5 }), (events, n) => {
      expect(total(runModel(q({ kind: 'count', n }, ['k'], [{ fn: 'count' }]), events).output)).toBe(events.length);
    }));
  });
});
