// Property tests of watermarks per input partition: the real window stage (built by
// compileProgram, fed batches and partition changes as the executor would) against the
// reference model in window-model.ts, on random streams of 1–4 partitions interleaved at
// random, whole partition after whole partition, or round robin.
//
// 1. Exactly the model, for every window kind: same results in the same order, each returned by
//    the batch or partition change that made it due, same late count, with late records,
//    partitions that appear late, and assigned/ended/revoked/idle/active changes anywhere.
// 2. The same results whatever the interleaving: with disorder inside each partition bounded by
//    `allow`, every partition assigned first and ended after its last record, no record is late
//    and every interleaving gives the same windows with the same values (as a multiset: within
//    one window end, keys come in order of first appearance, which depends on the interleaving),
//    equal to the model's.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { programText, runSteps, type AggSpec, type Query, type WindowSpec } from './window-model.js';
import { arbExtraChanges, arbInterleaving, arbPartitioned, interleave, partitionRecords, type Interleaving } from './partition-streams.js';
import { batches, buildWindow, drive, driveTagged } from './window-stage.js';

const SEED = process.env.SLUICE_PROP_SEED ? { seed: Number(process.env.SLUICE_PROP_SEED) } : {};
const RUNS = Number(process.env.SLUICE_PROP_RUNS ?? 0) || undefined;

const ALL_AGGS: AggSpec[] = [
  { fn: 'count' }, { fn: 'sum', field: 'v' }, { fn: 'min', field: 'v' },
  { fn: 'max', field: 'v' }, { fn: 'first', field: 'v' }, { fn: 'last', field: 'v' },
];
/** aggregates that do not depend on the order records arrive in */
const ORDER_FREE: AggSpec[] = [{ fn: 'count' }, { fn: 'sum', field: 'v' }, { fn: 'min', field: 'v' }, { fn: 'max', field: 'v' }];

const arbBy = fc.constantFrom<string[]>(['k'], ['k'], [], ['k', 'j']);
const arbAllow = fc.constantFrom<number | undefined>(undefined, 0, 250, 1000, 3000);
const arbSizes = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 });

const arbTimeWindow = (allow: fc.Arbitrary<number | undefined>): fc.Arbitrary<WindowSpec> => fc.oneof(
  fc.record({ kind: fc.constant<'tumbling'>('tumbling'), size: fc.constantFrom(1000, 5000, 10_000), allow }),
  fc.record({ size: fc.constantFrom(1000, 5000, 10_000), slide: fc.constantFrom(500, 1000, 3000, 5000), allow })
    .filter((w) => w.slide <= w.size).map((w) => ({ kind: 'sliding' as const, ...w })),
  fc.record({ kind: fc.constant<'session'>('session'), gap: fc.constantFrom(500, 2000), allow }),
);
const arbCountWindow: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({ kind: fc.constant<'count'>('count'), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant<'count'>('count'), n: fc.integer({ min: 1, max: 4 }), every: fc.integer({ min: 1, max: 4 }) }),
);

function runEngine(program: string, steps: ReturnType<typeof interleave>, sizes: number[]): { output: string[]; late: number } {
  const { stage, stats } = buildWindow(program);
  const output = drive(stage, batches(steps, sizes).drives);
  return { output, late: stats.late };
}

const show = (steps: ReturnType<typeof interleave>) =>
  steps.map((s) => ('rec' in s ? `${s.partition} ${JSON.stringify(s.rec)}` : `${s.partition} <${s.change}>`)).join('\n');

describe('window stage with partitions = reference model', () => {
  it('every window kind: same results, same order, same late count', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: arbTimeWindow(arbAllow) }, { weight: 1, arbitrary: arbCountWindow }),
        arbBy, arbPartitioned(true), arbInterleaving, fc.boolean(), fc.boolean(), arbExtraChanges, arbSizes,
        (window, by, shape, how, assignFirst, endAfterLast, extra, sizes) => {
          const q: Query = { window, on: 't', by, aggs: ALL_AGGS };
          const program = programText(q);
          const steps = interleave(partitionRecords(shape), how, { assignFirst, endAfterLast, extra });
          const model = runSteps(q, steps);
          // each result tagged with the batch or change that returned it (the model: the step that made it due)
          const { drives, driveOf } = batches(steps, sizes);
          const { stage, stats } = buildWindow(program);
          const got = driveTagged(stage, drives).map(([d, l]) => `${d} ${l}`);
          const want = model.output.map((r, i) => `${model.at[i] === steps.length ? drives.length : driveOf[model.at[i]!]} ${JSON.stringify(r)}`);
          const ctx = `program: ${program}\nbatch sizes ${sizes.join(',')}\nsteps:\n${show(steps)}\n--- engine (late ${stats.late}):\n${got.join('\n')}\n` +
            `--- model (late ${model.late}):\n${want.join('\n')}\n`;
          expect(got, ctx).toEqual(want);
          expect(stats.late, `late count\n${ctx}`).toBe(model.late);
        },
      ),
      { numRuns: RUNS ?? 300, ...SEED },
    );
  });
});

describe('window stage with partitions: the same results whatever the interleaving', () => {
  it('disorder within partitions ≤ allow: no late record, the same windows and values for every interleaving', () => {
    const arbCase = arbPartitioned(false).chain((shape) => fc.record({
      shape: fc.constant(shape),
      // allow at least the largest jitter inside a partition
      window: arbTimeWindow(fc.constantFrom(shape.jitter, shape.jitter + 1000, shape.jitter === 0 ? undefined : shape.jitter)),
    }));
    fc.assert(
      fc.property(arbCase, arbBy, arbInterleaving, fc.array(fc.nat({ max: 1000 }), { minLength: 4, maxLength: 4 }), arbSizes, arbSizes, fc.boolean(),
        ({ shape, window }, by, how, wholeOrder, sizesA, sizesB, endAfterLast) => {
          const q: Query = { window, on: 't', by, aggs: ORDER_FREE };
          const program = programText(q);
          const parts = partitionRecords(shape);
          const ways: [Interleaving, number[]][] = [
            [how, sizesA],
            [{ kind: 'whole', order: wholeOrder }, sizesB],
            [{ kind: 'round-robin' }, sizesA],
            [{ kind: 'whole', order: [3, 2, 1, 0] }, [1]],
          ];
          const runs = ways.map(([way, sizes]) => {
            const steps = interleave(parts, way, { assignFirst: true, endAfterLast });
            return { way, steps, ...runEngine(program, steps, sizes) };
          });
          const model = runSteps(q, runs[0]!.steps);
          const want = model.output.map((r) => JSON.stringify(r)).sort();
          expect(model.late, `model late, program ${program}`).toBe(0);
          for (const r of runs) {
            const ctx = `program: ${program}\ninterleaving ${JSON.stringify(r.way)}\nsteps:\n${show(r.steps)}\n--- engine:\n${r.output.join('\n')}\n--- model (first interleaving, sorted):\n${want.join('\n')}\n`;
            expect(r.late, ctx).toBe(0);
            expect([...r.output].sort(), ctx).toEqual(want);
          }
        }),
      { numRuns: RUNS ?? 200, ...SEED },
    );
  });

  it('the windows are the same, but key order within a window end follows first appearance', () => {
    // a/b and k/0 both hold key x and y; whichever interleaving shows y first puts it first
    const program = 'window tumbling 10s on t | count() by k';
    const r = (t: number, k: string) => ({ t: 1714564800000 + t, k });
    const parts = [{ partition: 'k/0', recs: [r(1000, 'x'), r(2000, 'y')] }, { partition: 'k/1', recs: [r(1500, 'y'), r(2500, 'x')] }];
    const a = runEngine(program, interleave(parts, { kind: 'whole', order: [0, 1] }, { assignFirst: true, endAfterLast: true }), [1]);
    const b = runEngine(program, interleave(parts, { kind: 'whole', order: [1, 0] }, { assignFirst: true, endAfterLast: true }), [1]);
    expect(a.output.map((l) => JSON.parse(l).k)).toEqual(['x', 'y']);
    expect(b.output.map((l) => JSON.parse(l).k)).toEqual(['y', 'x']);
    expect([...a.output].sort()).toEqual([...b.output].sort());
  });
});
