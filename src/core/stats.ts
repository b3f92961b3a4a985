// Counters for --stats. One instance per run, shared by the executor, the decoders' bad-input
// callback and compiled expressions (type errors). Nothing is dropped without being counted.

import { monotonicMs } from './clock.js';

/** One input partition's watermark as a window stage keeps it: the largest event time seen, and its state. */
export interface PartitionWatermark {
  readonly max: number;
  readonly state: 'active' | 'idle' | 'ended' | 'revoked';
}

/**
 * A window stage's watermarks per input partition. The stage hands Stats its own table once and
 * keeps it current; it is read only when the report is printed.
 */
export interface WatermarkTable {
  readonly allowMs: number;
  readonly partitions: ReadonlyMap<string, PartitionWatermark>;
}

export class Stats {
  recordsIn = 0;
  recordsOut = 0;
  /** input that could not be decoded or parsed (any --on-error policy) */
  bad = 0;
  /** values of the wrong type met by expressions (they gave null) */
  typeErrors = 0;
  /** records that failed an assert */
  assertFailures = 0;
  /** records that broke the --schema contract */
  schemaErrors = 0;
  /** records dropped as late by a window */
  late = 0;
  /** invalid UTF-8 sequences replaced with U+FFFD, and the records (lines) holding them */
  invalidUtf8 = 0;
  invalidUtf8Lines = 0;
  /** interrupted without --state: results written marked "final": false, and records held by sort, tail or top not written */
  partial = 0;
  withheld = 0;
  /** --state: checkpoints written by this process, the size of the last, their total time */
  checkpoints = 0;
  checkpointBytes = 0;
  checkpointMs = 0;
  /** reading has begun (a program error before it leaves nothing to report) */
  started = false;
  readonly startTime = monotonicMs();
  /** the first window stage's watermarks per input partition, if the program has one */
  watermarks: WatermarkTable | null = null;

  typeError = (): void => {
    this.typeErrors++;
  };

  elapsedMs(): number {
    return monotonicMs() - this.startTime;
  }

  /** The --stats report printed on stderr. */
  report(): string {
    const secs = this.elapsedMs() / 1000;
    const rate = secs > 0 ? Math.round(this.recordsIn / secs) : 0;
    const rows: [string, string][] = [
      ['records in', String(this.recordsIn)],
      ['records out', String(this.recordsOut)],
      ['bad input', String(this.bad)],
      ['type errors', String(this.typeErrors)],
    ];
    if (this.assertFailures > 0) rows.push(['assert failures', String(this.assertFailures)]);
    if (this.schemaErrors > 0) rows.push(['schema errors', String(this.schemaErrors)]);
    if (this.late > 0) rows.push(['late records', String(this.late)]);
    if (this.invalidUtf8 > 0) {
      const lines = this.invalidUtf8Lines;
      rows.push(['invalid UTF-8', `${this.invalidUtf8} replaced with U+FFFD${lines > 0 ? `, in ${lines} record${lines === 1 ? '' : 's'}` : ''}`]);
    }
    if (this.partial > 0) rows.push(['partial results', `${this.partial} (interrupted: written with "final": false)`]);
    if (this.withheld > 0) rows.push(['withheld records', `${this.withheld} (interrupted: held by sort, tail or top, not written)`]);
    if (this.checkpoints > 0) {
      rows.push(['checkpoints', `${this.checkpoints} (last ${this.checkpointBytes} bytes; ${this.checkpointMs.toFixed(1)} ms in all)`]);
    }
    rows.push(['elapsed', `${secs.toFixed(3)} s`], ['rate', `${rate} records/s`]);
    return table(rows) + table(this.watermarkRows());
  }

  /**
   * `watermark PARTITION  TIME` per input partition (its largest event time less the allowed
   * lateness; idle or revoked ones say so, ended is how every finite input finishes), when there
   * is more than one partition or one is idle: one file says nothing new.
   */
  private watermarkRows(): [string, string][] {
    const wm = this.watermarks;
    if (wm === null) return [];
    const parts = [...wm.partitions];
    if (parts.length < 2 && !parts.some(([, p]) => p.state === 'idle')) return [];
    return parts.map(([id, p]) => {
      const t = p.max - wm.allowMs;
      const time = Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : 'none';
      return [`watermark ${id}`, p.state === 'idle' || p.state === 'revoked' ? `${time} (${p.state})` : time];
    });
  }
}

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `sluice: ${k.padEnd(w)}  ${v}\n`).join('');
}
