// The unit that moves through the pipeline: a record value plus the metadata that travels
// beside it (readable in expressions as @file, @line, @offset, ...). Events are plain
// objects of one fixed shape so that V8 keeps them monomorphic on the hot path; a batch is
// simply an array of them.

import { mayBeInexact } from './numbers.js';

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export type Rec = { [key: string]: Value };

export interface Source {
  /** the input's name as the user gave it: a path, '-' for stdin, or topic */
  readonly name: string;
  readonly topic?: string;
}

export interface Event {
  value: Value;
  /** the input line exactly as read, kept while the record is unchanged (for pass-through output) */
  raw: string | undefined;
  /**
   * the JSON text the record was decoded from, kept after a change only when it may hold a number
   * that a double cannot hold, so that encoders can write that number's text (see numbers.ts)
   */
  origin: string | undefined;
  source: Source;
  /** 1-based line number in the source (first line of the record for multi-line formats) */
  line: number;
  /** Kafka offset, or -1 */
  offset: number;
  /** Kafka partition, or -1 */
  partition: number;
  key: string | null;
  headers: { [name: string]: string } | null;
  /** Kafka message time or arrival time, epoch milliseconds */
  timestamp: number;
}

export type Batch = Event[];

/** An event; `origin` is given by decoders of JSON (the text is then `raw` too). */
export function makeEvent(value: Value, raw: string | undefined, source: Source, line: number, timestamp: number, origin?: string): Event {
  return { value, raw, origin, source, line, offset: -1, partition: -1, key: null, headers: null, timestamp };
}

/** A copy of the event carrying a new value; the raw text no longer describes it. */
export function withValue(ev: Event, value: Value): Event {
  return {
    value, raw: undefined, origin: keptOrigin(ev), source: ev.source, line: ev.line, offset: ev.offset,
    partition: ev.partition, key: ev.key, headers: ev.headers, timestamp: ev.timestamp,
  };
}

/** The origin text worth keeping once the raw text goes: only text that may hold an inexact number. */
export function keptOrigin(ev: Event): string | undefined {
  const o = ev.origin;
  if (o === undefined || ev.raw === undefined) return o; // already looked at when the raw text went
  return mayBeInexact(o, ev.value) ? o : undefined;
}

/**
 * A change in the input partitions that a stage reads (a Kafka partition, or a file: one
 * partition each). Watermarks are kept per partition: `assigned` adds one that holds the
 * watermark back until it has data, `ended` (end of a file, or of a partition under -e),
 * `revoked` (a rebalance took it away) and `idle` (no record for --idle-partition) take one out
 * of the minimum; `active` brings an idle one back.
 */
export interface PartitionChange {
  kind: 'assigned' | 'ended' | 'revoked' | 'idle' | 'active';
  /** the partition's id, as partitionId() gives it */
  partition: string;
}

/**
 * The input partition an event came from, for watermarks and checkpoints: `topic/partition` for
 * Kafka, the input's name for a file or stdin (a file is one partition).
 */
export function partitionId(ev: Pick<Event, 'source' | 'partition'>): string {
  return ev.partition >= 0 ? `${ev.source.topic ?? ev.source.name}/${ev.partition}` : ev.source.name;
}

/** Where an event came from, for messages: `file:line` or `topic/partition@offset`. */
export function location(ev: Pick<Event, 'source' | 'line' | 'offset' | 'partition'>): string {
  if (ev.partition >= 0) return `${ev.source.topic ?? ev.source.name}/${ev.partition}@${ev.offset}`;
  return `${ev.source.name === '-' ? '(stdin)' : ev.source.name}:${ev.line}`;
}

export function isRecord(v: Value | undefined): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
