// The main thread's side of an aggregate read on worker threads (--threads): each chunk's groups
// (the aggregate stage's snapshot, operators/aggregate.ts) are merged into one table in chunk
// order, so that groups keep their order of first appearance, and at the end of the input the
// table is folded into the main thread's own aggregate stage, whose end() then writes the results
// as it would have after reading every record itself. Only aggregates whose merge is exact are
// sent here (plan/thread-plan.ts MERGES_EXACTLY).

import { aggregates } from '../aggregates/index.js';
import type { Accumulator } from '../aggregates/types.js';
import type { AggregateArgs, SavedGroup } from '../operators/aggregate.js';
import type { StatefulStage } from '../operators/types.js';
import type { PartialMerge } from './threads.js';

interface AggregateSnapshot {
  table: [unknown, SavedGroup][];
  arrivals: number;
  lastTimestamp: number;
}

interface Merged {
  keys: SavedGroup['keys'];
  accs: Accumulator[];
}

export function partialMerge(args: AggregateArgs, stage: StatefulStage): PartialMerge {
  const specs = args.aggs.map((a) => aggregates.get(a.fn)!);
  const load = (states: unknown[]): Accumulator[] => states.map((st, i) => {
    const a = specs[i]!.fresh(args.aggs[i]!.params, args.aggs[i]!.arg ? 1 : 0);
    a.load(st);
    return a;
  });
  let table = new Map<unknown, Merged>();
  let lastTimestamp = 0;
  const fold = (into: Map<unknown, Merged>, snap: AggregateSnapshot) => {
    for (const [key, g] of snap.table) {
      const have = into.get(key);
      if (have === undefined) {
        into.set(key, { keys: g.keys, accs: load(g.accs) });
        continue;
      }
      const other = load(g.accs);
      for (let i = 0; i < have.accs.length; i++) have.accs[i]!.merge(other[i]!);
    }
  };
  return {
    add(partial) {
      const snap = partial as AggregateSnapshot;
      fold(table, snap);
      if (snap.table.length > 0) lastTimestamp = snap.lastTimestamp;
    },
    finish() {
      if (table.size === 0) return;
      // what the stage holds already (an input read on this thread before) came first
      const base = stage.snapshot() as AggregateSnapshot;
      const all = new Map<unknown, Merged>();
      fold(all, base);
      fold(all, { table: [...table].map(([k, g]) => [k, { keys: g.keys, accs: g.accs.map((a) => a.save()), dirty: true }]), arrivals: 0, lastTimestamp });
      table = new Map();
      stage.restore({
        table: [...all].map(([k, g]) => [k, { keys: g.keys, accs: g.accs.map((a) => a.save()), dirty: true }]),
        arrivals: base.arrivals,
        lastTimestamp: Math.max(base.lastTimestamp, lastTimestamp),
      } satisfies AggregateSnapshot);
    },
  };
}
