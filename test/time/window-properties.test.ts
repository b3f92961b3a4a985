// Property tests: the real window engine (run through runText: parser, compiler, operators,
// executor) against the independent reference model in window-model.ts, for every window
// kind, on random keyed streams with disorder, late records and boundary-aligned times.
// Also: the engine's output does not depend on how the input is chunked.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runText } from '../../src/plan/run-text.js';
import { programText, runModel, type AggSpec, type Query, type Rec, type WindowSpec } from './window-model.js';

const BASE = 1714564800000; // 2024-05-01T12:00:00.000Z
const AGGS: AggSpec[] = [
  { fn: 'count' }, { fn: 'sum', field: 'v' }, { fn: 'min', field: 'v' },
  { fn: 'max', field: 'v' }, { fn: 'first', field: 'v' }, { fn: 'last', field: 'v' },
];
// SLUICE_PROP_SEED=n replays a failure; SLUICE_PROP_RUNS=n runs every property n times
const SEED = process.env.SLUICE_PROP_SEED ? { seed: Number(process.env.SLUICE_PROP_SEED) } : {};
const RUNS = Number(process.env.SLUICE_PROP_RUNS ?? 0) || undefined;

// ---------------------------------------------------------------------------------------------
// streams

/** One step of the generator: how far the clock moves, and how this record's time relates to it. */
interface Op {
  step: number; // in grains
  shape: 'now' | 'jitter' | 'far';
  back: number; // ms before the clock (jitter: up to a few windows; far: way behind)
  key: number;
  j: number;
  v: number;
}

const arbOp: fc.Arbitrary<Op> = fc.record({
  step: fc.nat({ max: 6 }),
  shape: fc.oneof(
    { weight: 14, arbitrary: fc.constant<'now'>('now') },
    { weight: 5, arbitrary: fc.constant<'jitter'>('jitter') },
    { weight: 1, arbitrary: fc.constant<'far'>('far') },
  ),
  back: fc.nat({ max: 30_000 }),
  key: fc.nat({ max: 3 }),
  j: fc.nat({ max: 1 }),
  v: fc.integer({ min: -9, max: 20 }),
});

interface StreamShape {
  /** time resolution: coarse grains put many records exactly on window boundaries */
  grain: 1 | 250 | 500 | 1000;
  /** how many distinct keys (1–4) */
  keys: number;
  /** maximum jitter backwards, ms */
  jitter: 1000 | 5000 | 20_000;
  ops: Op[];
}

const arbShape: fc.Arbitrary<StreamShape> = fc.record({
  grain: fc.constantFrom<StreamShape['grain']>(1, 250, 500, 1000),
  keys: fc.integer({ min: 1, max: 4 }),
  jitter: fc.constantFrom<StreamShape['jitter']>(1000, 5000, 20_000),
  ops: fc.array(arbOp, { maxLength: 200, size: 'max' }),
});

function events(s: StreamShape): Rec[] {
  let clock = BASE;
  const unit = s.grain === 1 ? 137 : s.grain; // with 1 ms grain, steps are odd-sized
  const snap = (ms: number) => Math.floor(ms / s.grain) * s.grain;
  return s.ops.map((o) => {
    clock += o.step * unit;
    let t = clock;
    if (o.shape === 'jitter') t = clock - snap(o.back % (s.jitter + 1));
    else if (o.shape === 'far') t = clock - 60_000 - snap(o.back);
    return { t, k: 'abcd'[o.key % s.keys], j: 'xy'[o.j], v: o.v };
  });
}

const toNdjson = (rs: Rec[]): string => rs.map((r) => JSON.stringify(r) + '\n').join('');

// ---------------------------------------------------------------------------------------------
// queries

const arbAllow = fc.constantFrom<number | undefined>(undefined, 0, 250, 1000, 3000);
const arbBy = fc.oneof(
  { weight: 6, arbitrary: fc.constant(['k']) },
  { weight: 1, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.constant(['k', 'j']) },
);

const arbTumbling: fc.Arbitrary<WindowSpec> = fc.record({
  kind: fc.constant<'tumbling'>('tumbling'),
  size: fc.constantFrom(1000, 5000, 10_000),
  allow: arbAllow,
});

const arbSliding: fc.Arbitrary<WindowSpec> = fc
  .record({
    size: fc.constantFrom(1000, 5000, 10_000),
    slide: fc.constantFrom(250, 500, 1000, 2000, 3000, 5000, 10_000),
    allow: arbAllow,
  })
  // slide > size would leave gaps between windows: sluice rejects it (see the test below)
  .filter((w) => w.slide <= w.size)
  .map((w) => ({ kind: 'sliding' as const, ...w }));

const arbSession: fc.Arbitrary<WindowSpec> = fc.record({
  kind: fc.constant<'session'>('session'),
  gap: fc.constantFrom(500, 2000),
  allow: arbAllow,
});

const arbCount: fc.Arbitrary<WindowSpec> = fc.record({
  kind: fc.constant<'count'>('count'),
  n: fc.integer({ min: 1, max: 5 }),
});

const arbCountEvery: fc.Arbitrary<WindowSpec> = fc.record({
  kind: fc.constant<'count'>('count'),
  n: fc.integer({ min: 1, max: 5 }),
  every: fc.integer({ min: 1, max: 5 }),
});

const query = (window: WindowSpec, by: string[]): Query => ({ window, on: 't', by, aggs: AGGS });

// ---------------------------------------------------------------------------------------------
// comparison

/** Parse NDJSON and re-serialise each record, so that the comparison includes key order. */
const lines = (ndjson: string): string[] =>
  ndjson.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.stringify(JSON.parse(l)));

const compare = (window: WindowSpec, by: string[], shape: StreamShape): Promise<void> =>
  compareEvents(window, by, events(shape));

async function compareEvents(window: WindowSpec, by: string[], evs: Rec[]): Promise<void> {
  const q = query(window, by);
  const program = programText(q);
  const model = runModel(q, evs);
  const engine = await runText(program, toNdjson(evs));
  const got = lines(engine.output);
  const want = model.output.map((r) => JSON.stringify(r));
  // spelled out, because fast-check's report keeps only the message of the failing assertion
  const ctx = `program: ${program}\ninput:\n${toNdjson(evs)}--- engine (late ${engine.stats.late}):\n${got.join('\n')}\n` +
    `--- model (late ${model.late}):\n${want.join('\n')}\n`;
  expect(got, ctx).toEqual(want);
  expect(engine.stats.late, `late count\n${ctx}`).toBe(model.late);
  expect(engine.stats.bad, ctx).toBe(0);
}

const kinds: [string, fc.Arbitrary<WindowSpec>, number][] = [
  ['tumbling', arbTumbling, 150],
  ['sliding', arbSliding, 80],
  ['session', arbSession, 150],
  ['count', arbCount, 100],
  ['count every', arbCountEvery, 100],
];

describe('window engine = reference model', () => {
  for (const [name, arbWindow, numRuns] of kinds) {
    it(`${name}: same results, same order, same late count`, async () => {
      await fc.assert(
        fc.asyncProperty(arbWindow, arbBy, arbShape, (w, by, shape) => compare(w, by, shape)),
        { numRuns: RUNS ?? numRuns, ...SEED },
      );
    });
  }
});

describe('window engine = reference model: fixed cases', () => {
  const at = (ms: number, k: string, v = 0): Rec => ({ t: BASE + ms, k, v });
  it.each<[string, WindowSpec, string[], Rec[]]>([
    // two sessions with the same bounds: b's session got its first record before a's, so b
    // comes first ("the order in which the key first appeared in that window"), even though
    // key a appeared first in the stream (tumbling windows already order this way)
    ['session ties: key order of first appearance in that window', { kind: 'session', gap: 500 }, ['k'],
      [at(0, 'a'), at(1000, 'b'), at(1000, 'a')]],
    ['tumbling ties: key order of first appearance in that window', { kind: 'tumbling', size: 1000 }, ['k'],
      [at(0, 'a'), at(1500, 'b'), at(1600, 'a')]],
    ['session bridge', { kind: 'session', gap: 2000, allow: 5000 }, ['k'],
      [at(0, 'a', 1), at(3000, 'a', 2), at(1500, 'a', 4)]],
    ['session late at exactly t + GAP = W', { kind: 'session', gap: 2000 }, ['k'],
      [at(0, 'a'), at(10_000, 'b'), at(8000, 'a'), at(8001, 'a'), at(9000, 'b')]],
    ['sliding, slide not dividing size, partly late record', { kind: 'sliding', size: 10_000, slide: 3000 }, ['k'],
      [at(9999, 'a', 1), at(12_000, 'a', 2), at(9999, 'a', 3), at(1000, 'a', 4)]],
    ['session ties after a late record', { kind: 'session', gap: 500 }, ['k'],
      [at(1000, 'a'), at(500, 'b'), at(1000, 'c'), at(1548, 'b'), at(1548, 'c')]],
    ['count partial at the end', { kind: 'count', n: 3 }, ['k'],
      [at(0, 'a', 1), at(1, 'a', 2), at(2, 'b', 3), at(3, 'a', 4), at(4, 'a', 5), at(5, 'b', 6), at(6, 'a', 7)]],
    ['count every, more at the end', { kind: 'count', n: 3, every: 2 }, ['k'],
      [at(0, 'a', 1), at(1, 'a', 2), at(2, 'b', 3), at(3, 'a', 4), at(4, 'a', 5), at(5, 'b', 6), at(6, 'a', 7)]],
  ])('%s', async (_name, w, by, evs) => {
    await compareEvents(w, by, evs);
  });
});

describe('window engine: sliding windows with gaps', () => {
  it('rejects a slide longer than the window (a record between windows would belong to none)', async () => {
    await expect(runText('window sliding 5s every 10s on t | count()', '{"t":1714564807000}\n')).rejects.toThrow(/slide must not be longer than the window/);
  });
});

describe('window engine: chunking does not change the output', () => {
  const arbAny = fc.oneof(arbTumbling, arbSliding, arbSession, arbCount, arbCountEvery);
  it('chunk sizes 1, one line, 64 KiB give the same bytes and the same late count', async () => {
    await fc.assert(
      fc.asyncProperty(arbAny, arbBy, arbShape, async (w, by, shape) => {
        const program = programText(query(w, by));
        const input = toNdjson(events(shape));
        const firstLine = input.indexOf('\n') + 1;
        const runs = await Promise.all(
          [1, Math.max(1, firstLine), 65_536].map((chunkSize) => runText(program, input, { chunkSize })),
        );
        const [a, b, c] = runs.map((r) => ({ output: r.output, late: r.stats.late }));
        expect(b, `program: ${program}`).toEqual(a);
        expect(c, `program: ${program}`).toEqual(a);
      }),
      { numRuns: RUNS ?? 60, ...SEED },
    );
  });
});
