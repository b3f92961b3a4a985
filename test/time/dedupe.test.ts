// dedupe KEY within DURATION on FIELD: event-time deduplication, through the whole engine.
// The output must depend only on the records and their order, never on how the input was cut
// into batches (a pipe delivers it in arbitrary pieces).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runText } from '../../src/plan/run-text.js';

const BASE = 1714564800000; // 2024-05-01T12:00:00.000Z
const nd = (rows: { t: number; k: string; n: number }[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');
const ns = (output: string) => output.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);

describe('dedupe within, on event time', () => {
  it('passes a key again once DURATION has gone by since it last passed', async () => {
    const input = nd([
      { t: BASE, k: 'a', n: 1 }, { t: BASE + 30_000, k: 'a', n: 2 }, { t: BASE + 59_999, k: 'a', n: 3 },
      { t: BASE + 60_000, k: 'a', n: 4 }, { t: BASE + 61_000, k: 'b', n: 5 }, { t: BASE + 119_999, k: 'a', n: 6 },
      { t: BASE + 120_000, k: 'a', n: 7 },
    ]);
    expect(ns((await runText('dedupe k within 1m on t', input)).output)).toEqual([1, 4, 5, 7]);
  });

  it('an out-of-order record meets the same memory whatever the batches (the sweep is per record)', async () => {
    // a passes at 0; b at 5m makes a forgettable; a at 0:30 arrives late
    const input = nd([{ t: BASE, k: 'a', n: 1 }, { t: BASE + 300_000, k: 'b', n: 2 }, { t: BASE + 30_000, k: 'a', n: 3 }]);
    const whole = await runText('dedupe k within 1m on t', input);
    const lineByLine = await runText('dedupe k within 1m on t', input, { chunkSize: 1 });
    expect(ns(lineByLine.output)).toEqual(ns(whole.output));
  });

  it('chunk sizes 1, one line and 64 KiB give the same bytes on random disordered streams', async () => {
    const arbRows = fc.array(fc.record({ dt: fc.integer({ min: -90_000, max: 90_000 }), k: fc.constantFrom('a', 'b', 'c') }), { maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(arbRows, fc.constantFrom('10s', '1m'), async (rows, within) => {
        let clock = BASE;
        const input = nd(rows.map((r, n) => {
          clock += Math.max(0, r.dt);
          return { t: r.dt < 0 ? clock + r.dt : clock, k: r.k, n };
        }));
        const program = `dedupe k within ${within} on t`;
        const firstLine = input.indexOf('\n') + 1;
        const [a, b, c] = await Promise.all([1, Math.max(1, firstLine), 65_536].map((chunkSize) => runText(program, input, { chunkSize })));
        expect(b!.output).toBe(a!.output);
        expect(c!.output).toBe(a!.output);
      }),
      { numRuns: 60 },
    );
  });
});
