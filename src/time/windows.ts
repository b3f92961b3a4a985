// Window arithmetic, the pure part of event time (DESIGN §4). Windows are half-open intervals
// [start, end) in epoch milliseconds, aligned to the Unix epoch in UTC (as Flink does with
// offset 0). The assigners (tumbling.ts, sliding.ts, session.ts, count-windows.ts) and the
// per-partition watermark (watermark.ts) are built on it.

export interface Interval {
  start: number;
  end: number;
}

/** The tumbling window holding t: [k·size, (k+1)·size). */
export function tumblingStart(t: number, size: number): number {
  return Math.floor(t / size) * size;
}

/** Starts of every sliding window [s, s+size) holding t, s a multiple of slide; earliest first. */
export function slidingStarts(t: number, size: number, slide: number): number[] {
  const last = Math.floor(t / slide) * slide;
  const out: number[] = [];
  for (let s = last; s > t - size; s -= slide) out.push(s);
  return out.reverse();
}

/** Half-open intervals overlap. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * The most sliding windows one record may join (SIZE / SLIDE, rounded up): a spec beyond it is
 * refused when the program is compiled, since each record would cost that many updates and the
 * open windows that many groups per key (`sliding 1h every 1ms` is 3 600 000 per record).
 */
export const MAX_WINDOWS_PER_RECORD = 10_000;

/** How many sliding windows of `size` every `slide` hold a point in time, at most. */
export function windowsPerRecord(size: number, slide: number): number {
  return Math.ceil(size / slide);
}
