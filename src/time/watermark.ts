// Watermarks per input partition (DESIGN §4), as Flink keeps them per source split. Each
// partition (a Kafka partition; a file or stdin is one) keeps the largest event time it has
// shown. The stage's watermark is the minimum of that over the *active* partitions, less the
// allowed lateness, and it never goes back: W = max(W, min over active − allow).
//
// - A partition is known once assigned (it then holds W back at −∞ until it has data) or once
//   its first record arrives.
// - `ended`, `revoked` and `idle` take it out of the minimum; `active`, `assigned` or a record
//   of its own bring it back (the record is still checked against W as it is).
// - With no active partition W stays where it is: a file read after one that ended starts
//   from the watermark the first one left, as one watermark over all input would.
// - --idle follows the wall clock on a quiet stream: follow() raises W to an estimate.
//
// Per record this is a compare and a store; the minimum is searched again only when the
// partition that had it moves on. The partition table is also what --stats prints: Stats holds
// this object as its WatermarkTable and reads it only for the report.

import type { WatermarkTable } from '../core/stats.js';

export type PartitionState = 'active' | 'idle' | 'ended' | 'revoked';

export interface PartitionMark {
  readonly id: string;
  /** the largest event time seen in the partition (−∞: none yet) */
  max: number;
  state: PartitionState;
  /** wall clock of its last record or of when it was assigned (for --idle-partition; not checkpointed) */
  lastWall: number;
  /** the number of the batch that held its last record (for the warning; not checkpointed) */
  lastBatch: number;
  /** it has been warned about once for holding the watermark back */
  warned: boolean;
}

export interface SavedWatermarks {
  partitions: [id: string, max: number, state: PartitionState, warned: boolean][];
  mark: number;
  maxSeen: number;
  setBy: string | null;
}

/**
 * When a partition "holds the watermark back for long" (one warning each, suggesting
 * --idle-partition): it is the lowest of two or more active partitions and has had no record for
 * STALL_WALL_MS of wall clock while others had. Event time alone is no sign: reading a backlog,
 * a consumer fetches one partition minutes of event time ahead of another as a matter of course.
 */
export const STALL_WALL_MS = 30_000;

/** Who set or holds the watermark, when it is not the record's own partition's doing. */
export const WALL_CLOCK = '';

export class Watermarks implements WatermarkTable {
  readonly partitions = new Map<string, PartitionMark>();
  private readonly list: PartitionMark[] = [];
  private mark = -Infinity;
  /** the lowest max among active partitions (Infinity: none active) */
  private low = Infinity;
  /** a partition became active when none was: the watermark may move up to it once its record is in */
  private woke = false;
  /** the largest event time seen in any partition, or followed under --idle */
  maxSeen = -Infinity;
  /** the partition whose time last moved the watermark (WALL_CLOCK: --idle), null before it moved */
  setBy: string | null = null;

  constructor(readonly allowMs: number) {}

  /** The stage's watermark (−∞ until every active partition has data). */
  get value(): number {
    return this.mark;
  }

  /** The partition `id`, known from now on (when new: active, at −∞ until it has data). */
  partition(id: string, now: number): PartitionMark {
    let p = this.partitions.get(id);
    if (p === undefined) {
      p = { id, max: -Infinity, state: 'active', lastWall: now, lastBatch: -1, warned: false };
      this.partitions.set(id, p);
      this.list.push(p);
      this.low = -Infinity;
    }
    return p;
  }

  /**
   * A record of p arrived: it takes part in the minimum again if it was out. The watermark does
   * not move before the record is checked against it: observe() settles it.
   */
  activate(p: PartitionMark): void {
    if (p.state === 'active') return;
    p.state = 'active';
    // joining others can only lower the minimum; joining none makes it p's time
    if (this.low === Infinity) this.woke = true;
    if (p.max < this.low) this.low = p.max;
  }

  /** An event time from the active partition p; returns the watermark after it. */
  observe(p: PartitionMark, t: number): number {
    if (t > p.max) {
      const lowest = p.max === this.low;
      p.max = t;
      if (t > this.maxSeen) this.maxSeen = t;
      if (lowest) this.recompute();
    }
    if (this.woke) this.recompute();
    return this.mark;
  }

  /** A change in the input's partitions; returns the watermark after it. */
  change(kind: 'assigned' | 'active' | 'ended' | 'revoked' | 'idle', id: string, now: number): number {
    const p = this.partition(id, now);
    if (kind === 'assigned' || kind === 'active') {
      this.activate(p);
      p.lastWall = now;
      if (this.woke) this.recompute();
    } else this.leave(p, kind);
    return this.mark;
  }

  /** --idle-partition: active partitions without a record for `quietMs` go idle; returns the watermark. */
  idleAfter(quietMs: number, now: number): number {
    for (const p of this.list) if (p.state === 'active' && now - p.lastWall >= quietMs) this.leave(p, 'idle');
    return this.mark;
  }

  /** --idle: a quiet stream's event time is taken to have reached `t`; returns the watermark. */
  follow(t: number): number {
    if (t > this.maxSeen) this.maxSeen = t;
    if (t - this.allowMs > this.mark) {
      this.mark = t - this.allowMs;
      this.setBy = WALL_CLOCK;
    }
    return this.mark;
  }

  /**
   * The active partitions at the lowest time when they hold the watermark where it is (it would
   * move if they did); empty when it is above them (set earlier: see setBy).
   */
  holders(): string[] {
    if (this.low === Infinity || this.low - this.allowMs < this.mark) return [];
    return this.list.filter((p) => p.state === 'active' && p.max === this.low).map((p) => p.id);
  }

  /**
   * Active partitions that newly hold the watermark back for long (see STALL_WALL_MS), after
   * batch number `batch` at wall clock `now`; each is returned once.
   */
  stalled(batch: number, now: number): PartitionMark[] {
    let active = 0;
    let high = -Infinity;
    for (const p of this.list) {
      if (p.state !== 'active') continue;
      active++;
      if (p.max > high) high = p.max;
    }
    if (active < 2 || high === this.low) return [];
    const out: PartitionMark[] = [];
    for (const p of this.list) {
      if (p.state !== 'active' || p.warned || p.max !== this.low || p.lastBatch === batch) continue;
      if (now - p.lastWall >= STALL_WALL_MS) {
        p.warned = true;
        out.push(p);
      }
    }
    return out;
  }

  save(): SavedWatermarks {
    return { partitions: this.list.map((p) => [p.id, p.max, p.state, p.warned]), mark: this.mark, maxSeen: this.maxSeen, setBy: this.setBy };
  }

  /** Load what save() wrote, into a table that has seen nothing; wall clocks start at `now`. */
  load(s: SavedWatermarks, now: number): void {
    this.partitions.clear();
    this.list.length = 0;
    for (const [id, max, state, warned] of s.partitions) {
      const p: PartitionMark = { id, max, state, lastWall: now, lastBatch: -1, warned };
      this.partitions.set(id, p);
      this.list.push(p);
    }
    this.mark = s.mark;
    this.maxSeen = s.maxSeen;
    this.setBy = s.setBy;
    this.low = this.lowest();
    this.woke = false;
  }

  private leave(p: PartitionMark, kind: 'ended' | 'revoked' | 'idle'): void {
    const was = p.state;
    p.state = kind;
    if (was === 'active' && p.max === this.low) this.recompute();
  }

  private lowest(): number {
    let low = Infinity;
    for (const q of this.list) if (q.state === 'active' && q.max < low) low = q.max;
    return low;
  }

  private recompute(): void {
    this.woke = false;
    let low = Infinity;
    let by: PartitionMark | null = null;
    for (const q of this.list) {
      if (q.state === 'active' && q.max < low) {
        low = q.max;
        by = q;
      }
    }
    this.low = low;
    if (by !== null && low - this.allowMs > this.mark) {
      this.mark = low - this.allowMs;
      this.setBy = by.id;
    }
  }
}
