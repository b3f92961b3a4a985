// The interval join (`join FILE on KEY within D on TS`) against a reference model: every pair of a
// left record and a FILE row with the same key text and |l.ts - r.ts| <= D, brute force over all
// pairs; under `left` and `outer`, each left record without such a row once, unmatched; under `right`
// and `outer`, each FILE row without such a record once, alone (or nested under `as`). Both sides come in
// event-time order (ties and gaps included), the left cut into random batches: the output must be
// the model's multiset, the same bytes whatever the batching, and the same after a checkpoint
// (snapshot, v8 round trip, restore into a fresh stage) at any batch boundary.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import v8 from 'node:v8';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeEvent, type Batch, type Value } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { Flush, StatefulStage } from '../../src/operators/types.js';
import { compileProgram } from '../../src/plan/compile.js';
import { runText } from '../../src/plan/run-text.js';

const SEED = process.env.SLUICE_PROP_SEED ? { seed: Number(process.env.SLUICE_PROP_SEED) } : {};
const T0 = 1714564800000;
const dir = mkdtempSync(joinPath(tmpdir(), 'sluice-ijoin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface L { k: number | string | null; t: number; n: number }
interface R { id: number | string | null; at: number; v: number }

/** Non-decreasing times from random gaps (0 gives ties). */
const times = (n: number) => fc.array(fc.constantFrom(0, 0, 300, 700, 1000, 2500, 6000), { minLength: n, maxLength: n })
  .map((gaps) => { let t = T0; return gaps.map((g) => (t += g)); });
const key = fc.constantFrom<number | string | null>(1, 2, 3, '1', '3', null);

const sides = fc.tuple(fc.nat(14), fc.nat(14)).chain(([nl, nr]) => fc.record({
  left: fc.tuple(times(nl), fc.array(key, { minLength: nl, maxLength: nl })).map(([ts, ks]) => ts.map((t, i): L => ({ k: ks[i]!, t, n: i }))),
  right: fc.tuple(times(nr), fc.array(key, { minLength: nr, maxLength: nr })).map(([ts, ks]) => ts.map((at, i): R => ({ id: ks[i]!, at, v: i }))),
}));

const text = (k: number | string | null) => (k === null ? undefined : String(k));

type Mode = 'inner' | 'left' | 'right' | 'outer';
const modes = fc.constantFrom<Mode>('inner', 'left', 'right', 'outer');

function model(left: L[], right: R[], b: number, mode: Mode, as: string | null): string[] {
  const out: string[] = [];
  const matched = new Set<R>();
  for (const l of left) {
    const ms = right.filter((r) => text(r.id) !== undefined && text(r.id) === text(l.k) && Math.abs(r.at - l.t) <= b);
    for (const r of ms) out.push(JSON.stringify(as === null ? { ...l, id: r.id, at: r.at, v: r.v } : { ...l, [as]: r }));
    for (const r of ms) matched.add(r);
    if (ms.length === 0 && (mode === 'left' || mode === 'outer')) out.push(JSON.stringify(as === null ? l : { ...l, [as]: null }));
  }
  if (mode === 'right' || mode === 'outer') {
    for (const r of right) if (!matched.has(r)) out.push(JSON.stringify(as === null ? r : { [as]: r }));
  }
  return out;
}

/** What end() gives, as one batch. */
const flushed = (f: Flush): Batch => (Array.isArray(f) ? f : [...(f as Iterable<Batch>)].flat());

/** Key order apart: each line as sorted JSON. */
const canonical = (line: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).sort()), (_k, v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v);

function rightFile(right: R[]): string {
  const f = joinPath(dir, `r${files++}.ndjson`);
  writeFileSync(f, right.map((r) => JSON.stringify(r) + '\n').join(''));
  return f;
}

const ndjson = (xs: object[]) => xs.map((x) => JSON.stringify(x) + '\n').join('');

describe('join FILE … within D on TS (interval join)', () => {
  it('gives the pairs of the brute-force model, whatever the batching', async () => {
    await fc.assert(fc.asyncProperty(
      sides, fc.constantFrom(0, 700, 3000), modes, fc.constantFrom<string | null>(null, 'p'),
      fc.integer({ min: 1, max: 80 }),
      async ({ left, right }, b, mode, as, chunk) => {
        const file = rightFile(right);
        const program = `join ${JSON.stringify(file)} on k = id within ${b}ms on t = at${as === null ? '' : ` as ${as}`} ${mode}`;
        const input = ndjson(left);
        const whole = await runText(program, input);
        const cut = await runText(program, input, { chunkSize: chunk });
        expect(cut.output).toBe(whole.output);
        const got = whole.output.split('\n').filter(Boolean).map(canonical).sort();
        expect(got).toEqual(model(left, right, b, mode, as).map(canonical).sort());
        expect(whole.stats.late).toBe(0);
      },
    ), { numRuns: 200, ...SEED });
  });

  it('restores from a checkpoint at any batch boundary to the output of a run never stopped', async () => {
    await fc.assert(fc.asyncProperty(
      sides, fc.constantFrom(0, 1000, 3000), modes, fc.nat(20), fc.integer({ min: 1, max: 5 }),
      async ({ left, right }, b, mode, cutAt, size) => {
        const file = rightFile(right);
        const program = `join ${JSON.stringify(file)} on k = id within ${b}ms on t = at as p ${mode}`;
        const events = left.map((l, i) => makeEvent(l as unknown as Value, undefined, { name: 'in' }, i + 1, 0));
        const batches: Batch[] = [];
        for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
        const lines = (bs: Batch[]) => bs.flat().map((e) => JSON.stringify(e.value));
        const straight = build(program);
        const expected = lines([...batches.map((x) => straight.push(x)), flushed(straight.end())]);
        let stage = build(program);
        const got: Batch[] = [];
        batches.forEach((x, i) => {
          if (i === Math.min(cutAt, batches.length)) {
            const saved = v8.deserialize(v8.serialize(stage.snapshot()));
            stage = build(program);
            stage.restore(saved);
          }
          got.push(stage.push(x));
        });
        got.push(flushed(stage.end()));
        expect(lines(got)).toEqual(expected);
      },
    ), { numRuns: 150, ...SEED });
  });

  it('keeps the input\'s watermark per partition: partitions interleaved in any way lose nothing', async () => {
    await fc.assert(fc.asyncProperty(
      sides, sides, fc.constantFrom(0, 1000, 3000), fc.array(fc.boolean(), { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), modes,
      async (a, other, b, picks, size, mode) => {
        const file = rightFile(a.right);
        const stage = build(`join ${JSON.stringify(file)} on k = id within ${b}ms on t = at as p ${mode}`);
        const late: unknown[] = [];
        lateSeen = late;
        // two input partitions, each in event-time order, merged in the order `picks` says
        const pa = a.left.map((l) => makeEvent(l as unknown as Value, undefined, { name: 'a' }, l.n + 1, 0));
        const pb = other.left.map((l) => makeEvent({ ...l, n: 100 + l.n } as unknown as Value, undefined, { name: 'b' }, l.n + 1, 0));
        const out: Batch = [];
        out.push(...stage.partition!({ kind: 'assigned', partition: 'a' }));
        out.push(...stage.partition!({ kind: 'assigned', partition: 'b' }));
        const merged = [];
        let i = 0;
        let j = 0;
        for (const pick of [...picks, ...Array<boolean>(pa.length + pb.length).fill(true)]) {
          if ((pick && i < pa.length) || j >= pb.length) { if (i < pa.length) merged.push(pa[i++]!); } else merged.push(pb[j++]!);
        }
        while (j < pb.length) merged.push(pb[j++]!);
        for (let x = 0; x < merged.length; x += size) out.push(...stage.push(merged.slice(x, x + size)));
        out.push(...flushed(stage.end()));
        expect(late).toEqual([]);
        const all = [...a.left, ...other.left.map((l) => ({ ...l, n: 100 + l.n }))];
        expect(out.map((e) => canonical(JSON.stringify(e.value))).sort()).toEqual(model(all, a.right, b, mode, 'p').map(canonical).sort());
      },
    ), { numRuns: 150, ...SEED });
  });

  it('holds only the rows within D of the two watermarks', async () => {
    const n = 20_000;
    const right = Array.from({ length: n }, (_, i): R => ({ id: i % 7, at: T0 + i * 1000, v: i }));
    const file = rightFile(right);
    const stage = build(`join ${JSON.stringify(file)} on k = id within 10s on t = at left`);
    let most = 0;
    let out = 0;
    for (let i = 0; i < n; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => makeEvent({ k: (i + j) % 7, t: T0 + (i + j) * 1000 + 500, n: i + j }, undefined, { name: 'in' }, i + j + 1, 0));
      out += stage.push(batch).length;
      most = Math.max(most, stage.stateSize!());
    }
    out += flushed(stage.end()).length;
    // each record matches the rows of its key within 10 s: 3 of them (at -6.5 s, +0.5 s, +7.5 s) or fewer at the ends
    expect(out).toBeGreaterThan(2.9 * n);
    // the rows within 10 s, and one 64 KiB chunk of FILE read ahead (about 1,300 rows): never the whole file
    expect(most).toBeLessThan(2500);
  });

  it('reads FILE only as far as the input\'s time needs', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: 1, at: T0 + i * 1000 }) + '\n').join('');
    const file = joinPath(dir, `far${files++}.ndjson`);
    // a bad row an hour of FILE's time past the input's last record: never read, so never reported
    writeFileSync(file, rows + '{"id":1,"at":\n');
    const r = await runText(`join ${JSON.stringify(file)} on k = id within 1s on t = at left`, ndjson([{ k: 1, t: T0 + 2000, n: 0 }]));
    expect(r.output.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stats.bad).toBe(0);
  });

  it('interrupted (no --state), right and outer withhold the rows not matched yet, and count them', () => {
    const file = rightFile([{ id: 1, at: T0, v: 0 }, { id: 2, at: T0 + 1000, v: 1 }, { id: 3, at: T0 + 60_000, v: 2 }]);
    for (const mode of ['right', 'outer', 'left'] as const) {
      const stats = new Stats();
      const warned: string[] = [];
      const { stages } = compileProgram(`join ${JSON.stringify(file)} on k = id within 1s on t = at ${mode}`, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, {
        bad: (_ev, reason) => { throw new Error(reason); }, late: () => undefined, assertFailed: () => undefined, warn: (m) => warned.push(m),
      });
      const stage = stages[0] as StatefulStage;
      const out = stage.push([makeEvent({ k: 1, t: T0 + 500, n: 0 }, undefined, { name: 'in' }, 1, 0)]);
      expect(out.map((e) => (e.value as { v: number }).v)).toEqual([0]);
      const r = stage.interrupt!();
      expect(flushed(r.out)).toEqual([]);
      // rows 1 (T0 + 1 s) and 2 (read ahead) are held unmatched: the input may still have matched them
      expect(stats.withheld).toBe(mode === 'left' ? 0 : 2);
      expect(warned).toHaveLength(mode === 'left' ? 0 : 1);
    }
  });

  it('counts and drops a record older than its side\'s watermark', async () => {
    const file = rightFile([{ id: 1, at: T0, v: 0 }, { id: 1, at: T0 + 5000, v: 1 }, { id: 1, at: T0 + 1000, v: 2 }]);
    const r = await runText(`join ${JSON.stringify(file)} on k = id within 1s on t = at left`, ndjson([{ k: 1, t: T0 + 5000, n: 0 }, { k: 1, t: T0, n: 1 }]));
    expect(r.stats.late).toBe(2);
    expect(r.output).toBe('{"k":1,"t":1714564805000,"n":0,"id":1,"at":1714564805000,"v":1}\n');
  });
});

let lateSeen: unknown[] = [];

function build(program: string): StatefulStage {
  const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, new Stats(), {
    bad: (_ev, reason) => { throw new Error(`bad input: ${reason}`); },
    late: (ev) => { lateSeen.push(ev.value); },
    assertFailed: () => undefined,
    warn: () => undefined,
  });
  return stages[0] as StatefulStage;
}
