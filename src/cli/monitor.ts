// Watching a long job: `--stats-every DURATION` writes one line per interval on stderr (logfmt or
// NDJSON), and `--metrics HOST:PORT` serves the same figures as Prometheus metrics over HTTP.
// Both read the run's Stats when asked; nothing is added to the path of a record. prom-client
// is loaded only with --metrics (metrics.ts, a chunk of its own).

import type { Stats } from '../core/stats.js';

/** The figures of one moment, as the interval line and the metrics show them. */
export interface Snapshot {
  /** wall-clock time, epoch ms */
  time: number;
  elapsedMs: number;
  recordsIn: number;
  recordsOut: number;
  bad: number;
  late: number;
  typeErrors: number;
  /** per input partition: its watermark (largest event time less the allowed lateness), epoch ms, or null before its first record */
  watermarks: [string, number | null][];
  /** wall clock less the largest event time seen: how far behind the events the job is; null without a window's event time */
  eventLagMs: number | null;
  /** per Kafka partition (`topic/partition`): messages not read yet */
  kafkaLag: [string, number][];
}

/** Where the Kafka lag comes from: the Kafka inputs (none: no lag). */
export type LagSource = () => [string, number][];

export function snapshot(stats: Stats, now: number = Date.now(), lag: LagSource = () => []): Snapshot {
  const wm = stats.watermarks;
  const watermarks: [string, number | null][] = [];
  let latest = -Infinity;
  if (wm !== null) {
    for (const [id, p] of wm.partitions) {
      const t = p.max - wm.allowMs;
      watermarks.push([id, validTime(t) ? t : null]);
      if (validTime(p.max)) latest = Math.max(latest, p.max);
    }
  }
  return {
    time: now,
    elapsedMs: stats.elapsedMs(),
    recordsIn: stats.recordsIn,
    recordsOut: stats.recordsOut,
    bad: stats.bad,
    late: stats.late,
    typeErrors: stats.typeErrors,
    watermarks,
    eventLagMs: Number.isFinite(latest) ? Math.max(0, now - latest) : null,
    kafkaLag: lag(),
  };
}

function validTime(t: number): boolean {
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15;
}

export type StatsFormat = 'logfmt' | 'ndjson';

/** One interval line: the counts so far, and the rates over the interval since `prev`. */
export function intervalLine(s: Snapshot, prev: Snapshot | null, format: StatsFormat): string {
  const secs = prev === null ? s.elapsedMs / 1000 : (s.elapsedMs - prev.elapsedMs) / 1000;
  const rate = (now: number, before: number) => (secs > 0 ? Math.round((now - before) / secs) : 0);
  const fields: [string, string | number | null][] = [
    ['time', new Date(s.time).toISOString()],
    ['elapsed_s', Number((s.elapsedMs / 1000).toFixed(3))],
    ['records_in', s.recordsIn],
    ['records_out', s.recordsOut],
    ['in_per_s', rate(s.recordsIn, prev?.recordsIn ?? 0)],
    ['out_per_s', rate(s.recordsOut, prev?.recordsOut ?? 0)],
    ['bad', s.bad],
    ['late', s.late],
    ['type_errors', s.typeErrors],
    ['event_lag_ms', s.eventLagMs],
  ];
  const wm = s.watermarks.map(([id, t]): [string, string | null] => [id, t === null ? null : new Date(t).toISOString()]);
  if (format === 'ndjson') {
    const rec: Record<string, unknown> = Object.fromEntries(fields);
    if (wm.length > 0) rec.watermarks = Object.fromEntries(wm);
    if (s.kafkaLag.length > 0) rec.kafka_lag = Object.fromEntries(s.kafkaLag);
    return JSON.stringify(rec) + '\n';
  }
  const all: [string, string | number | null][] = [
    ...fields, ...wm.map(([id, t]): [string, string | null] => [`watermark.${id}`, t]), ...s.kafkaLag.map(([id, n]): [string, number] => [`kafka_lag.${id}`, n]),
  ];
  return all.map(([k, v]) => `${logfmtKey(k)}=${v === null ? '' : logfmtValue(String(v))}`).join(' ') + '\n';
}

function logfmtKey(k: string): string {
  return k.replace(/[\s="\x00-\x1f\x7f]/g, '_');
}

function logfmtValue(v: string): string {
  return /^[^\s="\\\x00-\x1f\x7f]+$/.test(v) ? v : JSON.stringify(v);
}

/** Write an interval line every `everyMs` until stopped; the timer never keeps the process alive. */
export function statsEvery(stats: Stats, everyMs: number, format: StatsFormat, write: (text: string) => void, lag?: LagSource): () => void {
  let prev: Snapshot | null = null;
  const timer = setInterval(() => {
    const s = snapshot(stats, Date.now(), lag);
    write(intervalLine(s, prev, format));
    prev = s;
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
