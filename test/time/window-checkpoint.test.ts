// Checkpoints of the window stage: snapshot() between batches, through v8.serialize and back,
// restore() into a freshly built stage of the same program, and on with the rest of the input.
// The output (every byte and when it comes), the late count, the warnings and the watermark
// table must be those of a run that was never stopped — for every window kind, with and
// without `by`, with `allow`, `emit changes` and `emit every`, with partitions and their
// changes, and with wall-clock ticks (--idle, --idle-partition, emit every) at fixed clock values.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { StatefulStage } from '../../src/operators/types.js';
import { programText, type WindowSpec } from './window-model.js';
import { arbExtraChanges, arbInterleaving, arbPartitioned, interleave, partitionRecords } from './partition-streams.js';
import { batches, buildWindow, eventIn, jsonLines, roundTrip, type BuildOptions, type Drive, type WindowRun } from './window-stage.js';

const SEED = process.env.SLUICE_PROP_SEED ? { seed: Number(process.env.SLUICE_PROP_SEED) } : {};
const RUNS = Number(process.env.SLUICE_PROP_RUNS ?? 0) || undefined;
const T0 = 1714564800000 + 86_400_000; // the faked wall clock; Date.now() stays here

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const arbWindow: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({ kind: fc.constant<'tumbling'>('tumbling'), size: fc.constantFrom(1000, 5000), allow: fc.constantFrom(undefined, 0, 1000, 3000) }),
  fc.record({ size: fc.constantFrom(1000, 5000), slide: fc.constantFrom(500, 1000, 3000), allow: fc.constantFrom(undefined, 1000) })
    .filter((w) => w.slide <= w.size).map((w) => ({ kind: 'sliding' as const, ...w })),
  fc.record({ kind: fc.constant<'session'>('session'), gap: fc.constantFrom(500, 2000), allow: fc.constantFrom(undefined, 0, 1000) }),
  fc.record({ kind: fc.constant<'count'>('count'), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant<'count'>('count'), n: fc.integer({ min: 1, max: 4 }), every: fc.integer({ min: 1, max: 3 }) }),
);

/** The window clause with an emit mode, and aggregates whose state is more than a number. */
function program(w: WindowSpec, by: string[], emit: string): string {
  const clause = programText({ window: w, on: 't', by: [], aggs: [{ fn: 'count' }] }).split(' | ')[0]!;
  const aggs = 'count(), sum(v), first(v), last(v), collect(v), avg(v), p50(v), distinct(j), rate()';
  return `${clause}${emit ? ` ${emit}` : ''} | ${aggs}${by.length ? ` by ${by.join(', ')}` : ''}`;
}

/** A step of the run: drive steps, ticks (ms after T0), and where to checkpoint. */
type Step = Drive | { tick: number } | { checkpoint: 'restore' | 'continue' };

interface Outcome {
  output: string[];
  late: number;
  warnings: string[];
  watermarks: string[];
}

function run(text: string, opts: BuildOptions, steps: Step[]): Outcome {
  let current: WindowRun = buildWindow(text, opts);
  const runs = [current];
  const output: string[] = [];
  const tag = (i: number, lines: string[]) => { for (const l of lines) output.push(`${i} ${l}`); };
  steps.forEach((s, i) => {
    const stage: StatefulStage = current.stage;
    if ('checkpoint' in s) {
      const state = roundTrip(stage.snapshot());
      if (s.checkpoint === 'restore') {
        current = buildWindow(text, opts);
        current.stage.restore(state);
        runs.push(current);
      }
    } else if ('tick' in s) tag(i, stage.tick ? jsonLines(stage.tick(T0 + s.tick)) : []);
    else if ('change' in s) tag(i, jsonLines(stage.partition!(s.change)));
    else tag(i, jsonLines(stage.push(s.batch.map((r) => eventIn(r.partition, r.rec)))));
  });
  tag(steps.length, jsonLines(current.stage.end()));
  const wm = current.stats.watermarks;
  return {
    output,
    late: runs.reduce((n, r) => n + r.stats.late, 0),
    warnings: runs.flatMap((r) => r.warnings),
    watermarks: wm ? [...wm.partitions].map(([id, p]) => `${id} ${p.max} ${p.state}`) : [],
  };
}

describe('window checkpoints', () => {
  it('a stage restored from a snapshot goes on exactly as one that never stopped', () => {
    fc.assert(
      fc.property(
        arbWindow,
        fc.constantFrom<string[]>([], ['k'], ['k', 'j']),
        fc.constantFrom('', 'emit changes', 'emit every 1s'),
        fc.record({ idleMs: fc.constantFrom(null, 2000), idlePartitionMs: fc.constantFrom(null, 3000) }),
        arbPartitioned(true, 40), arbInterleaving, fc.boolean(), fc.boolean(), arbExtraChanges,
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        // after which drive steps to tick (and how far the clock has gone), and to checkpoint
        fc.array(fc.tuple(fc.nat({ max: 200 }), fc.integer({ min: 1, max: 3 })), { maxLength: 10 }),
        fc.array(fc.tuple(fc.nat({ max: 200 }), fc.boolean()), { minLength: 1, maxLength: 5 }),
        (w, by, emit, opts, shape, how, assignFirst, endAfterLast, extra, sizes, ticks, checkpoints) => {
          const text = program(w, by, emit);
          const { drives } = batches(interleave(partitionRecords(shape), how, { assignFirst, endAfterLast, extra }), sizes);
          const plain: Step[] = [];
          let clock = 0;
          for (let i = 0; i <= drives.length; i++) {
            for (const [at, step] of ticks) if (at % (drives.length + 1) === i) plain.push({ tick: (clock += step * 1000) });
            if (i < drives.length) plain.push(drives[i]!);
          }
          const stopped: Step[] = [];
          plain.forEach((s, i) => {
            for (const [at, restore] of checkpoints) if (at % (plain.length + 1) === i) stopped.push({ checkpoint: restore ? 'restore' : 'continue' });
            stopped.push(s);
          });
          for (const [at, restore] of checkpoints) if (at % (plain.length + 1) === plain.length) stopped.push({ checkpoint: restore ? 'restore' : 'continue' });
          // the same outputs, each after the same drive step (checkpoint steps take no place)
          const renumber = (o: Outcome, steps: Step[]): Outcome => {
            const index: number[] = [];
            let n = 0;
            for (const s of steps) index.push('checkpoint' in s ? n : n++);
            index.push(n);
            return { ...o, output: o.output.map((l) => { const sp = l.indexOf(' '); return `${index[Number(l.slice(0, sp))]}${l.slice(sp)}`; }) };
          };
          const want = renumber(run(text, opts, plain), plain);
          const got = renumber(run(text, opts, stopped), stopped);
          const ctx = `program: ${text} ${JSON.stringify(opts)}\nsteps:\n${stopped.map((s) => JSON.stringify(s)).join('\n')}`;
          expect(got.output, ctx).toEqual(want.output);
          expect(got.late, ctx).toBe(want.late);
          expect(got.warnings, ctx).toEqual(want.warnings);
          expect(got.watermarks, ctx).toEqual(want.watermarks);
        },
      ),
      { numRuns: RUNS ?? 250, ...SEED },
    );
  });

  it('--idle after a restore adds the wall clock to the event time of the last batch, as before the stop', () => {
    const text = 'window tumbling 10s on t | count()';
    const a = buildWindow(text, { idleMs: 2000 }).stage;
    a.push([eventIn('-', { t: 1714564801000 })]);
    expect(a.tick!(T0 + 5000)).toEqual([]); // event time taken to be 1 s + 5 s
    const b = buildWindow(text, { idleMs: 2000 }).stage;
    b.restore(roundTrip(a.snapshot()));
    for (const s of [a, b]) {
      expect(s.tick!(T0 + 8000)).toEqual([]); // 1 s + 8 s, not 6 s + 8 s
      expect(jsonLines(s.tick!(T0 + 9000))).toHaveLength(1);
    }
  });

  it('the snapshot is plain data that v8 writes, and survives a second round trip', () => {
    const { stage } = buildWindow('window session 2s on t allow 1s emit changes | count(), collect(v), p50(v) by k');
    stage.partition!({ kind: 'assigned', partition: 'k/0' });
    stage.push([eventIn('k/0', { t: 1714564800000, k: 'a', v: 1 }), eventIn('k/1', { t: 1714564801000, k: 'b', v: 2 })]);
    const once = roundTrip(stage.snapshot());
    const again = buildWindow('window session 2s on t allow 1s emit changes | count(), collect(v), p50(v) by k').stage;
    again.restore(once);
    expect(roundTrip(again.snapshot())).toEqual(once);
  });

  it('refuses the state of another kind of window', () => {
    const state = roundTrip(buildWindow('window count 2 on t | count()').stage.snapshot());
    expect(() => buildWindow('window tumbling 1s on t | count()').stage.restore(state)).toThrow(/not that of a tumbling window/);
  });
});
