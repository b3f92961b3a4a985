// Bytes of heap per group: `count() by user` (and other programs) over N distinct keys, measured
// with process.memoryUsage().heapUsed after a full GC, before and after the stage took the
// records. Bundled and run by bench/keys-memory.mjs (needs --expose-gc).

import { compileProgram } from '../src/plan/compile.js';
import { Stats } from '../src/core/stats.js';
import { makeEvent, type Batch } from '../src/core/event.js';
import type { StatefulStage } from '../src/operators/types.js';

declare const gc: () => void;
const keep: unknown[] = [];

export function measure(program: string, n: number, value: (i: number) => { [k: string]: unknown }): { bytesPerKey: number; ms: number } {
  const stats = new Stats();
  const noop = () => undefined;
  const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, {
    bad: noop, late: noop, assertFailed: noop, warn: noop,
  });
  const stage = stages[0] as StatefulStage;
  // held from outside this frame, so the stage is alive at the second gc()
  keep.push(stage);
  const source = { name: 'bench' };
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const batch: Batch = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) batch.push(makeEvent(value(j) as never, undefined, source, j + 1, 0));
    stage.push(batch);
  }
  const ms = performance.now() - t0;
  gc();
  const after = process.memoryUsage().heapUsed;
  keep.pop();
  return { bytesPerKey: (after - before) / n, ms };
}
