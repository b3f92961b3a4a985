import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { humanDuration, progressText, Redraw, StatusLine } from '../../src/render/live.js';

describe('StatusLine', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('shows nothing for the first 0.5 s, then redraws at most 10 times a second when the text changes', () => {
    const out: string[] = [];
    let n = 0;
    const line = new StatusLine((t) => out.push(t), () => `n=${n}`);
    line.start();
    vi.advanceTimersByTime(499);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['\r\x1b[Kn=0']);
    vi.advanceTimersByTime(300); // unchanged: not drawn again
    expect(out).toHaveLength(1);
    n = 5;
    vi.advanceTimersByTime(1000);
    expect(out).toEqual(['\r\x1b[Kn=0', '\r\x1b[Kn=5']);
    line.stop();
    expect(out.at(-1)).toBe('\r\x1b[K');
    vi.advanceTimersByTime(1000);
    expect(out).toHaveLength(3);
  });

  it('erases itself before any other message, so a warning is never garbled', () => {
    const out: string[] = [];
    const line = new StatusLine((t) => out.push(t), () => 'progress');
    line.start();
    line.message('sluice: before\n'); // nothing shown yet: nothing to erase
    vi.advanceTimersByTime(500);
    line.message('sluice: warning\n');
    vi.advanceTimersByTime(100);
    expect(out).toEqual(['sluice: before\n', '\r\x1b[Kprogress', '\r\x1b[K', 'sluice: warning\n', '\r\x1b[Kprogress']);
    line.stop();
  });

  it('cuts the line to the terminal width', () => {
    const out: string[] = [];
    const line = new StatusLine((t) => out.push(t), () => 'x'.repeat(100), { delayMs: 0, columns: () => 30 });
    line.start();
    vi.advanceTimersByTime(0);
    expect(out[0]).toBe(`\r\x1b[K${'x'.repeat(28)}…`);
    line.stop();
  });
});

describe('Redraw', () => {
  it('moves up over the previous drawing and erases to the end of the screen', () => {
    const r = new Redraw();
    expect(r.draw('a\nb\n', 80, 24)).toBe('a\nb\n');
    expect(r.draw('c\nd\ne\n', 80, 24)).toBe('\x1b[2A\r\x1b[Jc\nd\ne\n');
    expect(r.erase()).toBe('\x1b[3A\r\x1b[J');
    expect(r.erase()).toBe('');
  });

  it('keeps within the screen: lines cut to the width, and no more lines than rows − 1', () => {
    const r = new Redraw();
    expect(r.draw(`${'x'.repeat(20)}\n1\n2\n3\n4\n`, 15, 4)).toBe(`${'x'.repeat(14)}…\n1\n… 3 more lines\n`);
    expect(r.erase()).toBe('\x1b[3A\r\x1b[J');
  });
});

describe('progress text', () => {
  it('bytes of the total, records, rate and ETA', () => {
    expect(progressText({ bytes: 1_000_000, total: 4_000_000, records: 1234, elapsedMs: 2000 }))
      .toBe('sluice: 1.0 MB of 4.0 MB (25%), 1234 records, 500.0 kB/s, ETA 6s');
  });

  it('without a total (a compressed file): no percentage and no ETA', () => {
    expect(progressText({ bytes: 500, total: null, records: 3, elapsedMs: 1000 })).toBe('sluice: 500 B, 3 records, 500 B/s');
  });

  it('durations for people', () => {
    expect(humanDuration(12_400)).toBe('12s');
    expect(humanDuration(185_000)).toBe('3m05s');
    expect(humanDuration(3_720_000)).toBe('1h02m');
  });
});
