// Limits on the state a stage holds (issues #15.6 and #16.10): --max-state counts groups, the heap
// watch stops a stage before V8 runs out of heap; both are LimitError (exit 75) naming the stage.

import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { HeapWatch } from '../../src/core/memory.js';
import { makeEvent, type Batch } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import { EXIT, LimitError } from '../../src/errors/errors.js';
import type { StatefulStage } from '../../src/operators/types.js';
import { compileProgram } from '../../src/plan/compile.js';

const noop = () => undefined;
const source = { name: 'test' };

function stage(program: string, opts: { maxState?: number; heap?: HeapWatch }): StatefulStage {
  const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null, ...opts }, new Stats(), {
    bad: noop, late: noop, assertFailed: noop, warn: noop,
  });
  return stages[0] as StatefulStage;
}

const batch = (from: number, n: number, value: (i: number) => object): Batch =>
  Array.from({ length: n }, (_, k) => makeEvent(value(from + k) as never, undefined, source, from + k + 1, 0));

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe('--max-state', () => {
  it('counts the groups a window stage holds, and what fired no longer counts', () => {
    // 2 keys in 1 s windows, 200 windows in turn: never more than 4 groups at once
    const s = stage('window tumbling 1s on ts | count() by k', { maxState: 4 });
    const out = s.push(batch(0, 400, (i) => ({ ts: 1714564800000 + i * 500, k: i % 2 ? 'a' : 'b' })));
    expect(out.length + s.end().length).toBe(400);
    expect(s.stateSize!()).toBe(0);
  });

  it('stops a stage with more groups: LimitError, exit 75, the stage and the figure named', () => {
    const s = stage('window sliding 10s every 1s on ts | count() by k', { maxState: 25 });
    // each record is in 10 windows: the third key makes 30 groups
    const e = thrown(() => s.push(batch(0, 3, (i) => ({ ts: 1714564800000, k: `k${i}` }))));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).exitCode).toBe(EXIT.overLimit);
    expect((e as LimitError).message).toBe(
      'window sliding 10s every 1s on ts | count() by k: more than 25 groups held (--max-state 25; a group is a key, in each window it is in); ' +
        'raise --max-state, or make fewer keys or windows',
    );
  });

  it('counts sessions once merged, and the groups a restored stage holds', () => {
    const program = 'window session 10s on ts allow 10s | count() by u';
    const s = stage(program, { maxState: 3 });
    const t = (sec: number) => Date.UTC(2024, 4, 1, 12, 0, sec);
    s.push(batch(0, 1, () => ({ ts: t(0), u: 'a' })));
    s.push(batch(1, 1, () => ({ ts: t(18), u: 'a' })));
    s.push(batch(2, 1, () => ({ ts: t(5), u: 'b' })));
    expect(s.stateSize!()).toBe(3);
    // bridges a's two sessions: one group less
    s.push(batch(3, 1, () => ({ ts: t(9), u: 'a' })));
    expect(s.stateSize!()).toBe(2);
    const saved = v8.deserialize(v8.serialize(s.snapshot()));
    const r = stage(program, { maxState: 3 });
    r.restore(saved);
    expect(r.stateSize!()).toBe(2);
    r.push(batch(4, 1, () => ({ ts: t(13), u: 'c' })));
    expect(thrown(() => r.push(batch(5, 1, () => ({ ts: t(14), u: 'd' }))))).toBeInstanceOf(LimitError);
  });
});

describe('the heap watch', () => {
  it('says nothing while the live heap is under its share of the limit, garbage or not', () => {
    const watch = new HeapWatch(v8.getHeapStatistics().used_heap_size * 4);
    let garbage: object[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    expect(garbage.length).toBe(200_000);
    garbage = null;
    expect(watch.full()).toBeNull();
  });

  it('stops an aggregate whose groups fill the heap, naming the stage and its groups', () => {
    // a limit a little above what is in use now: the groups of 200 000 keys do not fit in it
    const watch = new HeapWatch(v8.getHeapStatistics().used_heap_size + 16 * 1048576);
    const s = stage('count() by user', { heap: watch });
    const e = thrown(() => {
      for (let i = 0; i < 400_000; i += 1000) s.push(batch(i, 1000, (j) => ({ user: `user${j}` })));
    });
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).message).toMatch(/^count\(\) by user: out of memory: \d+ groups held, the heap is at \d+ MB of its \d+ MB limit; /);
    expect(s.stateSize!()).toBeLessThan(400_000);
  });
});

describe('the memory of a group', () => {
  it('count() by user holds under 160 bytes of heap per key besides the key string (about 230 when each group had an array of keys and one of accumulators)', async () => {
    const { default: vm } = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const n = 100_000;
    const s = stage('count() by user', {});
    // the key strings live before and after: what is measured is what the stage adds to them
    const users = Array.from({ length: n }, (_, i) => `user${i}`);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let b = 0; b < n; b += 1000) s.push(batch(b, 1000, (i) => ({ user: users[i] })));
    gc();
    const perKey = (process.memoryUsage().heapUsed - before) / n;
    expect(users.length).toBe(n);
    expect(s.stateSize!()).toBe(n);
    expect(perKey).toBeLessThan(160);
  });
});
