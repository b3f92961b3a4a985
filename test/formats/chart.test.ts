import { describe, expect, it } from 'vitest';
import { encodeChart, renderChart } from '../../src/formats/chart.js';
import { displayWidth, renderTable } from '../../src/formats/table.js';
import { encode } from './helpers.js';

const lines = (s: string) => s.split('\n').slice(0, -1);

describe('chart: bars for an aggregate by key', () => {
  it('scales bars to the largest value so that the longest fills the width', () => {
    const text = renderChart([{ k: 'a', n: 4 }, { k: 'bb', n: 2 }, { k: 'c', n: 1 }], 20);
    // 2 + 2 (label) + 1 (value) + 2 = 7 columns before the bar: 13 left for it
    expect(lines(text)).toEqual(['    n', 'a   4  █████████████', 'bb  2  ██████▌', 'c   1  ███▎']);
    for (const l of lines(text)) expect(displayWidth(l)).toBeLessThanOrEqual(20);
  });

  it('takes the first numeric column after the key as the value, rounded for reading, and labels with the keys', () => {
    const text = renderChart([{ service: 'api', region: 'eu', avg: 61.041666666666664, count: 3 }, { service: 'web', region: 'us', avg: 30.5, count: 9 }], 40);
    expect(lines(text)[0]).toBe('          avg');
    expect(lines(text)[1]).toBe(`api eu  61.04  ${'█'.repeat(25)}`);
    expect(lines(text)[2]).toBe(`web us   30.5  ${'█'.repeat(12)}▌`);
  });

  it('draws a numeric key such as a status code as a label, and zero, negative and null values as no bar', () => {
    const text = renderChart([{ status: 500, count: 2 }, { status: 404, count: 0 }, { status: 200, count: null }, { status: 1, count: -3 }], 30);
    expect(lines(text)).toEqual(['     count', '500      2  ' + '█'.repeat(18), '404      0', '200', '1       -3']);
  });

  it('a single aggregate without key is one bar', () => {
    expect(renderChart([{ count: 60 }], 12)).toBe('count\n   60  █████\n');
  });

  it('falls back to a table when there is nothing to draw', () => {
    expect(renderChart([{ a: 'x' }, { a: 'y' }], 40)).toBe(renderTable([{ a: 'x' }, { a: 'y' }]));
    expect(renderChart([1, 2], 40)).toBe(renderTable([1, 2]));
    expect(encode(encodeChart({ passRaw: false }), [])).toBe('');
  });
});

describe('chart: a sparkline per key over windows', () => {
  const w = (i: number) => `2024-05-01T12:0${i}:00.000Z`;

  it('one character per window in window order, scaled to each key min..max, blank where a key had none', () => {
    const recs = [
      { window_start: w(0), window_end: w(1), k: 'a', n: 1 },
      { window_start: w(0), window_end: w(1), k: 'b', n: 5 },
      { window_start: w(1), window_end: w(2), k: 'a', n: 8 },
      { window_start: w(2), window_end: w(3), k: 'a', n: 4.5 },
      { window_start: w(2), window_end: w(3), k: 'b', n: 5 },
    ];
    expect(lines(renderChart(recs, 80))).toEqual([`n over 3 windows from ${w(0)} to ${w(2)}`, 'a  ▁█▅  1..8', 'b  ▄ ▄  5..5']);
  });

  it('keeps the latest windows that fit in the width (scaled and ranged on those), and cuts the title', () => {
    const recs = Array.from({ length: 9 }, (_, i) => ({ window_start: w(i), k: 'a', n: i }));
    const text = renderChart(recs, 12);
    expect(lines(text)).toEqual(['n over 3 wi…', 'a  ▁▅█  6..8']);
  });

  it('epoch-millisecond windows sort as numbers', () => {
    const recs = [{ window_start: 10000, k: 'a', n: 2 }, { window_start: 9000, k: 'a', n: 1 }];
    expect(lines(renderChart(recs, 80))[1]).toBe('a  ▁█  1..2');
  });
});
