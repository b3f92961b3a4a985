// The snapshot/restore contract of every stateful stage, as a property: a program checkpointed at
// a random batch boundary (through v8.serialize, as the state file does) and restored into freshly
// built stages writes exactly what one uninterrupted run writes, including late and bad records.

import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeEvent, type Batch, type Event, type Source } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import { compileProgram } from '../../src/plan/compile.js';
import type { Stage } from '../../src/operators/types.js';

const PROGRAMS = [
  'count(), sum(v), avg(v), min(v), max(v), first(v), last(v) by k',
  'distinct(v), approx_distinct(v), p50(v), p99(v), stddev(v), var(v), collect(v), top(v, 2), rate() by k',
  'window tumbling 5s on ts allow 2s | count(), sum(v) by k',
  'window sliding 10s every 5s on ts | count(), max(v), p90(v) by k',
  'window session 3s on ts allow 1s | count(), first(v), last(v) by k',
  'window count 3 | sum(v) by k',
  'window count 4 every 2 | sum(v), collect(v)',
  'window tumbling 5s on ts emit changes | count() by k',
  'dedupe k',
  'running running_sum(v), running_count(), prev(v), delta(v) by k',
  'where v > 0 | running running_sum(v) as s | window count 3 | max(s)',
  'dedupe k within 4s on ts',
  'sort v desc, k',
  'top 3 by v',
  'tail 4',
  'head 7',
  'sample 0.5',
  'where v > 0 | dedupe k, v | count() by k',
  'set w = v * 2 | window tumbling 5s on ts | sum(w) by k | sort sum_w desc',
  'window tumbling 4s on ts allow 1s | count() by k | where count > 1 | tail 3',
];

const SOURCE: Source = { name: 'in.ndjson' };
const BASE = 1714564800000;

interface Run {
  out: string[];
  notes: string[];
}

function build(program: string, notes: string[]): Stage[] {
  return compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, new Stats(), {
    bad: (ev, r) => notes.push(`bad ${ev.line}: ${r}`),
    late: (ev, r) => notes.push(`late ${ev.line}: ${r}`),
    assertFailed: (ev, m) => notes.push(`assert ${ev.line}: ${m}`),
    warn: (m) => notes.push(`warn ${m}`),
  }).stages;
}

/** The executor's data path, reduced: each batch through every stage, flushes at the end. */
function push(stages: Stage[], b: Batch, from = 0): Batch {
  for (let i = from; i < stages.length && b.length > 0; i++) b = stages[i]!.push(b);
  return b;
}

function end(stages: Stage[], out: Batch): void {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!;
    if (s.kind !== 'stateful') continue;
    // end() may give its batches one after another (sort, aggregate): all of them, in order
    const f = s.end();
    for (const b of Array.isArray(f) ? [f] : (f as Iterable<Batch>)) out.push(...push(stages, b, i + 1));
  }
}

function text(b: Batch): string[] {
  return b.map((e) => JSON.stringify(e.value));
}

function runAll(program: string, batches: Event[][]): Run {
  const notes: string[] = [];
  const stages = build(program, notes);
  const out: Batch = [];
  for (const b of batches) out.push(...push(stages, b));
  end(stages, out);
  return { out: text(out), notes };
}

function runRestored(program: string, batches: Event[][], cut: number): Run {
  const notes: string[] = [];
  const first = build(program, notes);
  const out: Batch = [];
  for (const b of batches.slice(0, cut)) out.push(...push(first, b));
  const saved = deserialize(serialize(first.map((s) => (s.kind === 'stateful' ? s.snapshot() : null)))) as unknown[];
  const second = build(program, notes);
  second.forEach((s, i) => { if (s.kind === 'stateful') s.restore(saved[i]); });
  // the first pipeline is gone, as after a crash: nothing it still holds may leak into the output
  for (const b of batches.slice(cut)) out.push(...push(second, b));
  end(second, out);
  return { out: text(out), notes };
}

const arbRecords = fc.array(
  fc.record({ dt: fc.integer({ min: -3000, max: 2500 }), k: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: -5, max: 9 }) }),
  { maxLength: 120 },
);

describe('checkpoint and restore at any batch boundary equals one uninterrupted run', () => {
  for (const program of PROGRAMS) {
    it(program, () => {
      fc.assert(fc.property(arbRecords, fc.array(fc.nat({ max: 12 }), { maxLength: 30 }), fc.nat(), (recs, sizes, cutSeed) => {
        let clock = BASE;
        const events = recs.map((r, i) => {
          clock += Math.max(0, r.dt) + 100;
          const ts = clock + Math.min(0, r.dt);
          return makeEvent({ ts, k: r.k, v: r.v }, undefined, SOURCE, i + 1, ts);
        });
        // cut into batches of random sizes (empty ones too)
        const batches: Event[][] = [];
        let at = 0;
        for (const n of sizes) { batches.push(events.slice(at, at + n)); at += n; }
        batches.push(events.slice(at));
        const cut = cutSeed % (batches.length + 1);
        const whole = runAll(program, batches.map((b) => b.map((e) => ({ ...e }))));
        const restored = runRestored(program, batches.map((b) => b.map((e) => ({ ...e }))), cut);
        expect(restored.out).toEqual(whole.out);
        expect(restored.notes).toEqual(whole.notes);
      }), { numRuns: 60 });
    });
  }
});
