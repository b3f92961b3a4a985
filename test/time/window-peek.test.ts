// peek(): what the live table shows of the open windows. It changes nothing: a run that peeks
// after every batch writes exactly what a run that never peeks writes (emit every and rate()
// included, whose dirty flags and spans peek must leave alone), and what it shows is each open
// window's groups as the results would be if the window fired now.

import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/event.js';
import { buildWindow, eventIn, jsonLines } from './window-stage.js';

const t = (s: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString();
const recs = [[1, 'a'], [3, 'b'], [4, 'a'], [11, 'a'], [12, 'b'], [25, 'b'], [26, 'a']].map(([s, k]) => ({ ts: t(s as number), k, v: s }));

function run(program: string, peekEach: boolean): { out: string[]; peeks: unknown[][] } {
  const { stage } = buildWindow(program);
  const out: string[] = [];
  const peeks: unknown[][] = [];
  for (const r of recs) {
    out.push(...jsonLines(stage.push([eventIn('f', r)]) as Batch));
    if (stage.tick) out.push(...jsonLines(stage.tick(Date.now() + 60_000)));
    if (peekEach) peeks.push(stage.peek!());
  }
  out.push(...jsonLines(stage.end() as Batch));
  return { out, peeks };
}

describe('window peek', () => {
  for (const program of [
    'window tumbling 10s on ts | count(), sum(v), rate() by k',
    'window sliding 10s every 5s on ts emit every 1s | count(), last(v) by k',
    'window session 5s on ts | count(), collect(v) by k',
    'window count 2 | count(), sum(v) by k',
  ]) {
    it(`changes nothing: ${program}`, () => {
      expect(run(program, true).out).toEqual(run(program, false).out);
    });
  }

  it('shows the open windows as they would fire now', () => {
    const { peeks } = run('window tumbling 10s on ts | count(), sum(v) by k', true);
    expect(peeks[2]).toEqual([
      { window_start: t(0), window_end: t(10), k: 'a', count: 2, sum_v: 5 },
      { window_start: t(0), window_end: t(10), k: 'b', count: 1, sum_v: 3 },
    ]);
    // 12:00:11 fired the first window: only the second is open
    expect(peeks[4]).toEqual([
      { window_start: t(10), window_end: t(20), k: 'a', count: 1, sum_v: 11 },
      { window_start: t(10), window_end: t(20), k: 'b', count: 1, sum_v: 12 },
    ]);
  });
});
