// Random input with partitions for the window property tests: each partition's own records
// (its clock moves on, a record may lie behind it by a bounded jitter, a few lie far behind),
// and the ways to interleave them — random merges, whole partitions one after another, round
// robin — with partition changes (assigned up front, ended after a partition's last record,
// idle/active/revoked anywhere) and random batch boundaries.

import fc from 'fast-check';
import type { PartitionChangeKind, Rec, Step } from './window-model.js';

export const BASE = 1714564800000; // 2024-05-01T12:00:00.000Z

/** Kafka-like and file-like partition ids: the stage must treat both alike. */
export const PARTITION_IDS = ['k/0', 'k/1', 'a.ndjson', 'k/2'];

interface RecOp {
  step: number; // clock steps (of `grain` ms)
  back: number; // how far behind the clock, ms (bounded by the stream's jitter)
  far: boolean; // way behind: late unless allow is large
  key: number;
  j: number;
  v: number;
}

export interface PartitionedShape {
  grain: 1 | 250 | 1000;
  keys: number;
  /** the largest jitter behind a partition's own clock, ms */
  jitter: 0 | 1000 | 3000;
  /** each partition's records: its first clock offset (partitions start apart) and its ops */
  partitions: { start: number; ops: RecOp[] }[];
}

const arbRecOp = (far: boolean): fc.Arbitrary<RecOp> => fc.record({
  step: fc.nat({ max: 6 }),
  back: fc.nat({ max: 3000 }),
  far: far ? fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 15, arbitrary: fc.constant(false) }) : fc.constant(false),
  key: fc.nat({ max: 3 }),
  j: fc.nat({ max: 1 }),
  v: fc.integer({ min: -9, max: 20 }),
});

/** Streams of 1–4 partitions; `far` allows records far behind their partition (late records). */
export const arbPartitioned = (far: boolean, maxRecords = 60): fc.Arbitrary<PartitionedShape> => fc.record({
  grain: fc.constantFrom<PartitionedShape['grain']>(1, 250, 1000),
  keys: fc.integer({ min: 1, max: 4 }),
  jitter: fc.constantFrom<PartitionedShape['jitter']>(0, 1000, 3000),
  partitions: fc.array(fc.record({ start: fc.nat({ max: 40 }), ops: fc.array(arbRecOp(far), { maxLength: maxRecords, size: 'medium' }) }), { minLength: 1, maxLength: 4 }),
});

/** Each partition's records in its own order. */
export function partitionRecords(s: PartitionedShape): { partition: string; recs: Rec[] }[] {
  const unit = s.grain === 1 ? 137 : s.grain;
  const snap = (ms: number) => Math.floor(ms / s.grain) * s.grain;
  return s.partitions.map((p, i) => {
    let clock = BASE + p.start * unit;
    const recs = p.ops.map((o) => {
      clock += o.step * unit;
      let t = clock - snap(o.back % (s.jitter + 1));
      if (o.far) t = clock - 60_000 - snap(o.back);
      return { t, k: 'abcd'[o.key % s.keys], j: 'xy'[o.j], v: o.v };
    });
    return { partition: PARTITION_IDS[i]!, recs };
  });
}

/** How to interleave the partitions. */
export type Interleaving =
  | { kind: 'random'; picks: number[] }
  | { kind: 'whole'; order: number[] } // whole partitions one after another
  | { kind: 'round-robin' };

export const arbInterleaving: fc.Arbitrary<Interleaving> = fc.oneof(
  fc.record({ kind: fc.constant<'random'>('random'), picks: fc.array(fc.nat({ max: 1000 }), { maxLength: 300 }) }),
  fc.record({ kind: fc.constant<'whole'>('whole'), order: fc.array(fc.nat({ max: 1000 }), { minLength: 4, maxLength: 4 }) }),
  fc.constant<Interleaving>({ kind: 'round-robin' }),
);

export interface ChangeOptions {
  /** every partition is assigned before any record (as a Kafka consumer's partitions are) */
  assignFirst: boolean;
  /** `ended` right after a partition's last record */
  endAfterLast: boolean;
  /** other changes at random places: [position among the records, partition index, kind] */
  extra?: [number, number, PartitionChangeKind][];
}

/** The steps of one interleaving of the partitions' records, with changes. */
export function interleave(parts: { partition: string; recs: Rec[] }[], how: Interleaving, changes: ChangeOptions): Step[] {
  const queues = parts.map((p) => ({ partition: p.partition, recs: [...p.recs] }));
  const total = queues.reduce((n, q) => n + q.recs.length, 0);
  const order: number[] = [];
  if (how.kind === 'whole') {
    const idx = queues.map((_, i) => i).sort((a, b) => (how.order[a] ?? 0) - (how.order[b] ?? 0) || a - b);
    for (const i of idx) for (let n = 0; n < queues[i]!.recs.length; n++) order.push(i);
  } else {
    const left = queues.map((q) => q.recs.length);
    let r = 0;
    for (let n = 0; n < total; n++) {
      const live = left.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
      const i = how.kind === 'round-robin' ? live[n % live.length]! : live[(how.picks[n] ?? r++) % live.length]!;
      left[i]!--;
      order.push(i);
    }
  }
  const steps: Step[] = [];
  if (changes.assignFirst) for (const q of queues) steps.push({ partition: q.partition, change: 'assigned' });
  const extra = [...(changes.extra ?? [])].sort((a, b) => a[0] - b[0]);
  let e = 0;
  order.forEach((i, n) => {
    while (e < extra.length && extra[e]![0] <= n) {
      const [, pi, kind] = extra[e++]!;
      steps.push({ partition: queues[pi % queues.length]!.partition, change: kind });
    }
    const q = queues[i]!;
    steps.push({ partition: q.partition, rec: q.recs.shift()! });
    if (changes.endAfterLast && q.recs.length === 0) steps.push({ partition: q.partition, change: 'ended' });
  });
  for (; e < extra.length; e++) steps.push({ partition: queues[extra[e]![1] % queues.length]!.partition, change: extra[e]![2] });
  return steps;
}

export const arbExtraChanges: fc.Arbitrary<[number, number, PartitionChangeKind][]> = fc.array(
  fc.tuple(fc.nat({ max: 250 }), fc.nat({ max: 3 }), fc.constantFrom<PartitionChangeKind>('idle', 'active', 'revoked', 'ended', 'assigned')),
  { maxLength: 6 },
);
