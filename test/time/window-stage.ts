// Building a window stage through the same compiler the CLI uses (compileProgram) and driving
// it by hand: batches of events from named input partitions, partition changes, wall-clock
// ticks, snapshots. Shared by the partition, checkpoint and property tests in test/time/.

import v8 from 'node:v8';
import { makeEvent, type Batch, type Event, type Source } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { PartitionChange, StatefulStage } from '../../src/operators/types.js';
import { compileProgram } from '../../src/plan/compile.js';

export type Rec = Record<string, unknown>;

export interface WindowRun {
  stage: StatefulStage;
  stats: Stats;
  /** late records: the value and the reason given */
  late: { value: unknown; reason: string }[];
  warnings: string[];
}

export interface BuildOptions {
  idleMs?: number | null;
  idlePartitionMs?: number | null;
  out?: 'iso' | 'epoch_ms';
}

/** The program's window stage (a window fused with its aggregate), built as the CLI builds it. */
export function buildWindow(program: string, opts: BuildOptions = {}): WindowRun {
  const stats = new Stats();
  const run: Omit<WindowRun, 'stage'> = { stats, late: [], warnings: [] };
  const { stages } = compileProgram(
    program,
    { infer: true, time: { out: opts.out ?? 'iso' }, idleMs: opts.idleMs ?? null, idlePartitionMs: opts.idlePartitionMs ?? null },
    stats,
    {
      bad: (_ev, reason) => { throw new Error(`bad input in a window test: ${reason}`); },
      late: (ev, reason) => { stats.late++; run.late.push({ value: ev.value, reason }); },
      assertFailed: () => undefined,
      warn: (m) => { run.warnings.push(m); },
    },
  );
  if (stages.length !== 1 || stages[0]!.kind !== 'stateful') throw new Error(`expected one fused window stage for ${program}`);
  return { ...run, stage: stages[0] as StatefulStage };
}

const sources = new Map<string, Source>();

/**
 * An event of input partition `id`: `topic/N` is a Kafka partition (source topic, partition N),
 * anything else a file of that name. Events of one partition share their Source object, as the
 * executor's do, unless `fresh` asks for a new one (the stage must not rely on identity).
 */
export function eventIn(id: string, value: Rec, fresh = false): Event {
  const m = /^(.+)\/(\d+)$/.exec(id);
  let source = sources.get(id);
  if (source === undefined || fresh) {
    source = m ? { name: m[1]!, topic: m[1]! } : { name: id };
    if (!fresh) sources.set(id, source);
  }
  const ev = makeEvent(value as Event['value'], JSON.stringify(value), source, 1, 0);
  if (m) ev.partition = Number(m[2]);
  return ev;
}

/** A step of a driven run: a batch of records from partitions, or a partition change. */
export type Drive = { batch: { partition: string; rec: Rec }[] } | { change: PartitionChange };

/** Output values as JSON lines, the way the ndjson encoder writes them. */
export const jsonLines = (b: Batch): string[] => b.map((ev) => JSON.stringify(ev.value));

/** Feed the steps to the stage; the end of input too unless `end` is false. */
export function drive(stage: StatefulStage, steps: Drive[], end = true): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if ('change' in s) out.push(...jsonLines(stage.partition!(s.change)));
    else out.push(...jsonLines(stage.push(s.batch.map((r) => eventIn(r.partition, r.rec)))));
  }
  if (end) out.push(...jsonLines(stage.end()));
  return out;
}

/** A checkpoint's way through disk: v8.serialize and back. */
export const roundTrip = (state: unknown): unknown => v8.deserialize(v8.serialize(state));

/**
 * The steps of a partitioned input as the executor would hand them over: consecutive records in
 * batches whose sizes cycle through `sizes` (a change always ends a batch), changes one by one.
 * `driveOf[i]` is the index of the drive step that carries step i.
 */
export function batches(steps: ({ partition: string; rec: Rec } | { partition: string; change: PartitionChange['kind'] })[], sizes: number[]): { drives: Drive[]; driveOf: number[] } {
  const drives: Drive[] = [];
  const driveOf: number[] = [];
  let batch: { partition: string; rec: Rec }[] = [];
  let n = 0;
  const size = () => Math.max(1, sizes.length > 0 ? sizes[n % sizes.length]! : Infinity);
  const flush = () => {
    if (batch.length > 0) drives.push({ batch });
    batch = [];
    n++;
  };
  for (const s of steps) {
    if ('change' in s) {
      flush();
      driveOf.push(drives.length);
      drives.push({ change: { kind: s.change, partition: s.partition } });
    } else {
      driveOf.push(drives.length);
      batch.push(s);
      if (batch.length >= size()) flush();
    }
  }
  flush();
  return { drives, driveOf };
}

/** Like drive(), with each output line tagged by the drive step that returned it (drives.length: end()). */
export function driveTagged(stage: StatefulStage, steps: Drive[]): [number, string][] {
  const out: [number, string][] = [];
  steps.forEach((s, i) => {
    const lines = 'change' in s ? jsonLines(stage.partition!(s.change)) : jsonLines(stage.push(s.batch.map((r) => eventIn(r.partition, r.rec))));
    for (const l of lines) out.push([i, l]);
  });
  for (const l of jsonLines(stage.end())) out.push([steps.length, l]);
  return out;
}
