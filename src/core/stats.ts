// Counters for --stats. One instance per run, shared by the executor, the decoders' bad-input
// callback and compiled expressions (type errors). Nothing is dropped without being counted.

export class Stats {
  recordsIn = 0;
  recordsOut = 0;
  /** input that could not be decoded or parsed (any --on-error policy) */
  bad = 0;
  /** values of the wrong type met by expressions (they gave null) */
  typeErrors = 0;
  /** records that failed an assert */
  assertFailures = 0;
  /** records dropped as late by a window */
  late = 0;
  /** --state: checkpoints written by this process, the size of the last, their total time */
  checkpoints = 0;
  checkpointBytes = 0;
  checkpointMs = 0;
  /** reading has begun (a program error before it leaves nothing to report) */
  started = false;
  readonly startTime = performance.now();

  typeError = (): void => {
    this.typeErrors++;
  };

  elapsedMs(): number {
    return performance.now() - this.startTime;
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
    if (this.late > 0) rows.push(['late records', String(this.late)]);
    if (this.checkpoints > 0) {
      rows.push(['checkpoints', `${this.checkpoints} (last ${this.checkpointBytes} bytes; ${this.checkpointMs.toFixed(1)} ms in all)`]);
    }
    rows.push(['elapsed', `${secs.toFixed(3)} s`], ['rate', `${rate} records/s`]);
    const w = Math.max(...rows.map(([k]) => k.length));
    return rows.map(([k, v]) => `sluice: ${k.padEnd(w)}  ${v}`).join('\n') + '\n';
  }
}
