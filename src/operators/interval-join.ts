// The interval join (`join FILE on KEY within DURATION on TS`): two streams in event time, the
// records of the program's input (left) and the rows of FILE (right), read by this stage as the
// left side's time advances, so that the two are interleaved by event time and neither is held
// whole. A left record l and a right row r match when their keys have the same text and
// |l.ts - r.ts| <= DURATION (Flink's interval join with lower bound -DURATION and upper +DURATION).
//
// Watermarks: the other side's is the minimum over its partitions (a file is one, a topic has its
// own) of the largest event time each gave; the input's is kept per input partition (a Kafka
// partition, a file) and is the minimum over the active ones, as a window's (time/watermark.ts).
// Lateness is 0: a record older than its side's watermark is late (counted and dropped, or
// dead-lettered). Before a left record with time t is joined, the other side is read until its
// watermark passes t + DURATION (or it ends): then every row that can match the record is there
// and no row to come can, so the record's pairs are written at once, and under `left`/`outer` the
// record itself when it has none. A right row is kept until the input's watermark passes its time
// + DURATION, when no record to come can match it: under `right`/`outer` it is written then if no
// record matched it, and at the end of the input with the rest of the other side. The state is
// those rows and the other side's position, and it is read only as far as the input's time needs.
// Which rows are read when depends only on the records' times, not on how the input is cut into
// batches, so the output is the same bytes whatever the batching, and after a restore.
//
// FILE is read synchronously here. A Kafka topic (`join kafka://…/T …`) cannot be: push() is
// synchronous and operators do not import kafka, so the runtime opens it (BuildContext.rightInput,
// runtime/right-input.ts) and awaits ready(batch) before push(batch), in which the stage pulls the
// topic until its watermark passes the batch's latest time + DURATION. A signal stops that wait:
// the batch then waits in the state for the next run (no input record is otherwise held back).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UnavailableError, UsageError } from '../errors/errors.js';
import type { Expr } from '../lang/ast.js';
import { isRecord, partitionId, withValue, type Batch, type Event, type PartitionChange, type Rec, type Value } from '../core/event.js';
import { Watermarks, type SavedWatermarks } from '../time/watermark.js';
import { decoders, formatByExtension, sniffFormat } from '../formats/index.js';
import type { Decoder, InputFormat } from '../formats/types.js';
import { eventTimeReader } from './event-time.js';
import { keyText } from './join-table.js';
import type { BuildContext, Flush, StatefulStage } from './types.js';

export interface IntervalArgs {
  file: string;
  key: Expr;
  tableKey: string;
  withinMs: number;
  /** the left record's event time */
  ts: Expr;
  /** the right row's event-time field */
  tableTs: string;
  as: string | null;
  mode: 'inner' | 'left' | 'right' | 'outer';
}

interface Held {
  ev: Event;
  k: string;
  t: number;
  /** a left record has matched it (right and outer joins write the rows that none matched) */
  m?: boolean;
}

const CHUNK = 1 << 16;

/** FILE read in chunks cut at line ends, so that a position is a byte offset and a decoder's snapshot. */
class RightReader {
  private fd: number | null = null;
  private decoder: Decoder | null = null;
  private format: InputFormat | null = null;
  /** bytes read from the file and given to the decoder */
  offset = 0;
  ended = false;
  /** the file's size and change time when it was opened, for a restart to tell whether it changed */
  private stamp: { size: number; mtimeMs: number } | null = null;
  private readonly buf = Buffer.alloc(CHUNK);

  constructor(private readonly file: string, private readonly ctx: BuildContext) {}

  open(): number {
    if (this.fd !== null) return this.fd;
    try {
      this.fd = openSync(this.file, 'r');
      const st = fstatSync(this.fd);
      this.stamp = { size: st.size, mtimeMs: st.mtimeMs };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UnavailableError(`join: cannot read ${this.file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    return this.fd;
  }

  private makeDecoder(first: string): Decoder {
    this.format ??= formatByExtension(this.file) ?? sniffFormat(first);
    if (this.format !== 'ndjson' && this.format !== 'csv' && this.format !== 'tsv' && this.format !== 'json') {
      throw new UsageError(`join ${this.file}: the other side of an interval join is CSV, TSV, NDJSON or JSON, not ${this.format}`);
    }
    return decoders[this.format]({ name: this.file }, { infer: this.ctx.infer }, (raw, reason, line) => {
      this.ctx.bad({ value: null, raw, origin: undefined, source: { name: this.file }, line, offset: -1, partition: -1, key: null, headers: null, timestamp: 0 }, reason);
    }, () => 0);
  }

  /** The next rows (some, or none at the end of the file: then `ended`). */
  read(out: Event[]): void {
    const fd = this.open();
    while (out.length === 0 && !this.ended) {
      const n = readSync(fd, this.buf, 0, CHUNK, this.offset);
      if (n === 0) {
        this.decoder ??= this.makeDecoder('');
        this.decoder.end(out);
        this.ended = true;
        this.close();
        return;
      }
      // up to the last line end, so that no character is cut (a line longer than a chunk goes whole)
      let end = this.buf.lastIndexOf(10, n - 1) + 1;
      if (end === 0 && n === CHUNK) {
        const long = this.longLine(fd);
        this.decoder ??= this.makeDecoder(long);
        this.decoder.write(long, out);
        continue;
      }
      if (end === 0) end = n;
      const text = this.buf.toString('utf8', 0, end);
      this.offset += end;
      this.decoder ??= this.makeDecoder(text);
      this.decoder.write(text, out);
    }
  }

  private longLine(fd: number): string {
    const parts: Buffer[] = [];
    for (;;) {
      const b = Buffer.alloc(CHUNK);
      const n = readSync(fd, b, 0, CHUNK, this.offset);
      if (n === 0) break;
      const nl = b.indexOf(10);
      const end = nl >= 0 && nl < n ? nl + 1 : n;
      parts.push(b.subarray(0, end));
      this.offset += end;
      if (end < n || nl >= 0) break;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  snapshot(): unknown {
    return { offset: this.offset, ended: this.ended, format: this.format, decoder: this.decoder?.snapshot() ?? null, stamp: this.stamp };
  }

  restore(s: unknown): void {
    const st = s as { offset: number; ended: boolean; format: InputFormat | null; decoder: unknown; stamp: { size: number; mtimeMs: number } | null };
    const now = this.stamp;
    if (now !== null && st.stamp !== null && (now.size !== st.stamp.size || now.mtimeMs !== st.stamp.mtimeMs)) {
      if (now.size < st.offset) {
        throw new UsageError(`join ${this.file}: the file is shorter (${now.size} bytes) than the position the state holds (${st.offset}): it was replaced since the checkpoint; delete the state to start afresh`);
      }
      this.ctx.warn(`join ${this.file}: the file changed since the checkpoint; reading on at byte ${st.offset}, as if it had only grown`);
    }
    this.offset = st.offset;
    this.ended = st.ended;
    this.format = st.format;
    if (st.decoder !== null) {
      this.decoder = this.makeDecoder('');
      this.decoder.restore(st.decoder);
    }
  }
}

function put(o: Rec, k: string, v: Value): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function combine(rec: Rec, row: Rec | null, as: string | null): Rec {
  const o: Rec = {};
  for (const k of Object.keys(rec)) if (k !== as) put(o, k, rec[k]!);
  if (as !== null) put(o, as, row);
  else if (row !== null) for (const k of Object.keys(row)) if (!Object.hasOwn(rec, k)) put(o, k, row[k]!);
  return o;
}

/** Rows in arrival order, and by key: the oldest of each key is first in its list as in the queue. */
class HeldRows {
  queue: Held[] = [];
  head = 0;
  byKey = new Map<string, Held[]>();

  add(h: Held): void {
    this.queue.push(h);
    const l = this.byKey.get(h.k);
    if (l === undefined) this.byKey.set(h.k, [h]);
    else l.push(h);
  }
  get size(): number {
    return this.queue.length - this.head;
  }
  /** Take out the oldest rows while `due` says so. */
  *evict(due: (h: Held) => boolean): Generator<Held> {
    while (this.head < this.queue.length && due(this.queue[this.head]!)) {
      const h = this.queue[this.head++]!;
      const l = this.byKey.get(h.k)!;
      l.shift();
      if (l.length === 0) this.byKey.delete(h.k);
      yield h;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
  live(): Held[] {
    return this.queue.slice(this.head);
  }
  load(rows: Held[]): void {
    this.queue = [];
    this.head = 0;
    this.byKey.clear();
    for (const h of rows) this.add(h);
  }
}

/** A partition change of the other side, queued in order with its rows. */
type Pending = Event | PartitionChange;
const isChange = (x: Pending): x is PartitionChange => 'kind' in x;

/** The one partition of a FILE on the other side. */
const FILE_PARTITION = 'file';

export function intervalJoin(args: IntervalArgs, ctx: BuildContext, label: string): StatefulStage {
  const { withinMs: b, as, mode } = args;
  const keepLeft = mode === 'left' || mode === 'outer';
  const keepRight = mode === 'right' || mode === 'outer';
  const keyOf = ctx.compiler.value(args.key);
  const leftTime = eventTimeReader(args.ts, ctx, 'join');
  const rightTs: Expr = { kind: 'name', name: args.tableTs, span: args.ts.span };
  const rightTime = eventTimeReader(rightTs, ctx, 'join');
  const remote = args.file.startsWith('kafka:');
  // a topic is read by the runtime (operators do not import kafka), a file by this stage
  if (remote && ctx.rightInput === undefined) throw new UsageError(`join ${args.file}: a topic on the other side of a join is read by the sluice command, not here`);
  const feed = remote ? ctx.rightInput!(args.file) : null;
  const reader = remote ? null : new RightReader(args.file, ctx);
  // a missing FILE is found before the first record, as a missing input is
  reader?.open();
  // times read ahead of the join (what the topic must be read up to): a bad one is reported when it is joined
  const quiet = { ...ctx, bad: () => undefined };
  const leftTimeAhead = feed ? eventTimeReader(args.ts, quiet, 'join') : null;
  const rightTimeAhead = feed ? eventTimeReader(rightTs, quiet, 'join') : null;
  const right = new HeldRows();
  /** rows (and partition changes) of the other side read and not yet taken in (beyond what the left side needs so far) */
  let pending: Pending[] = [];
  /** the input's watermark: per input partition, the minimum over the active ones, as a window's */
  let marks = new Watermarks(0);
  /** the other side's: over its partitions (a topic's; a file is one), of the rows taken in */
  let rmarks = new Watermarks(0);
  /** a topic's watermark over every row read, pending ones included: how far it has been read */
  let ahead = new Watermarks(0);
  /** the topic has ended (-e) */
  let feedEnded = false;
  let feedOpened = false;
  /** where a restored topic resumes */
  let feedFrom: unknown = null;
  /**
   * Records of the input that came after a signal stopped the topic's reading: they cannot be joined
   * yet, so they wait in the state (a checkpoint keeps them) and are joined first by the next run.
   */
  let waiting: Event[] = [];
  /** the input has ended: every row taken in from now on is past any match */
  let draining = false;
  const sideName = remote ? args.file.replace(/^kafka:(\/\/[^/]*\/)?/, '') : args.file;

  /** A row that no record matched (right, outer): its own fields, or nested under `as` as a left join's record keeps its own. */
  const unmatched = (ev: Event): Event => (as === null ? ev : withValue(ev, combine({}, ev.value as Rec, as)));

  /** Take in one right row: hold it for the input's records to come. */
  const takeRight = (x: Pending, out: Batch) => {
    if (isChange(x)) { rmarks.change(x.kind, x.partition, Date.now()); return; }
    const ev = x;
    if (!isRecord(ev.value)) { ctx.bad(ev, 'join: a row of the other side must be an object'); return; }
    const t = rightTime(ev);
    if (t === null) return;
    const p = rmarks.partition(remote ? partitionId(ev) : FILE_PARTITION, Date.now());
    rmarks.activate(p);
    if (t < rmarks.value) { ctx.late(ev, `join: row at ${new Date(t).toISOString()} is older than ${sideName}'s watermark ${new Date(rmarks.value).toISOString()}`); return; }
    rmarks.observe(p, t);
    const k = keyText(Object.hasOwn(ev.value, args.tableKey) ? ev.value[args.tableKey] : undefined);
    // a row without a key can match nothing, but it still moves the right watermark; nor can a row
    // older than every left record still to come (left watermark - DURATION): neither is held
    if (k !== undefined && !draining && t + b >= marks.value) right.add({ ev, k, t });
    else if (keepRight) out.push(unmatched(ev));
  };

  const rightEnded = () => (reader ? reader.ended : feedEnded);

  /** Take in right rows until the right watermark passes `until` (or the other side ends). */
  const readRightUntil = (until: number, out: Batch) => {
    for (;;) {
      while (pending.length > 0 && rmarks.value <= until) takeRight(pending.shift()!, out);
      // a topic was read as far as the batch needs before it came (ready)
      if (rmarks.value > until || rightEnded() || reader === null) return;
      reader.read(pending as Event[]);
    }
  };

  /** Read the topic until its watermark passes `until` or it ends: then the batch's records can be joined. */
  const fill = async (until: number) => {
    if (!feedOpened) {
      feedOpened = true;
      await feed!.open(feedFrom);
    }
    while (!feedEnded && ahead.value <= until) {
      const got = await feed!.pull();
      if (got === null) {
        if (!feed!.stopped) feedEnded = true;
        break;
      }
      const now = Date.now();
      for (const c of got.changes) {
        pending.push(c);
        ahead.change(c.kind, c.partition, now);
      }
      for (const ev of got.events) {
        pending.push(ev);
        const t = isRecord(ev.value) ? rightTimeAhead!(ev) : null;
        if (t === null) continue;
        const p = ahead.partition(partitionId(ev), now);
        ahead.activate(p);
        ahead.observe(p, t);
      }
    }
  };

  /** How far the topic must be read for these records to be joined: their latest time + DURATION. */
  const untilOf = (batch: Batch): number => {
    let until = -Infinity;
    for (const ev of batch) {
      const t = leftTimeAhead!(ev);
      if (t !== null && t + b > until) until = t + b;
    }
    return until;
  };

  /** Let go of the rows that no record to come can match; right and outer write those none matched. */
  const expire = (due: (h: Held) => boolean, out: Batch) => {
    for (const h of right.evict(due)) if (keepRight && h.m !== true) out.push(unmatched(h.ev));
  };

  const takeLeft = (ev: Event, out: Batch) => {
    const t = leftTime(ev);
    if (t === null) return;
    const p = marks.partition(partitionId(ev), Date.now());
    marks.activate(p);
    if (t < marks.value) { ctx.late(ev, `join: record at ${new Date(t).toISOString()} is older than the watermark ${new Date(marks.value).toISOString()}`); return; }
    const wm = marks.observe(p, t);
    // every row that can match the record is in now, and no row to come can: the other side's
    // watermark has passed t + DURATION, or it has ended
    readRightUntil(t + b, out);
    expire((h) => h.t + b < wm, out);
    const k = isRecord(ev.value) ? keyText(keyOf(ev.value, ev)) : undefined;
    let matched = false;
    if (k !== undefined && isRecord(ev.value)) {
      for (const r of right.byKey.get(k) ?? []) {
        if (Math.abs(r.t - t) > b) continue;
        out.push(withValue(ev, combine(ev.value, r.ev.value as Rec, as)));
        r.m = true;
        matched = true;
      }
    }
    if (!matched && keepLeft) out.push(isRecord(ev.value) && as !== null ? withValue(ev, combine(ev.value, null, as)) : ev);
  };

  /** What the input's end lets go: every held row, and the rows pending. */
  const drained = (): Batch => {
    const out: Batch = [];
    expire(() => true, out);
    for (const x of pending) takeRight(x, out);
    pending = [];
    return out;
  };

  /** The input ended: right and outer write every row of FILE that no record matched, the rest of FILE included. */
  function* drainFile(): Generator<Batch> {
    draining = true;
    for (;;) {
      const out = drained();
      if (out.length > 0) yield out;
      if (reader!.ended) break;
      reader!.read(pending as Event[]);
    }
    reader!.close();
  }

  /**
   * The same for a topic: read on to its end under -e; a live topic gives what was read. Records a
   * stopped run left waiting are joined first, the topic read as far as they need.
   */
  async function* drainFeed(): AsyncGenerator<Batch> {
    try {
      if (feed!.finite && keepRight) await fill(Infinity);
      else if (waiting.length > 0) await fill(untilOf(waiting));
      const out: Batch = [];
      // records restored from a stopped run's checkpoint, joined before the rest goes
      for (const ev of waiting) takeLeft(ev, out);
      waiting = [];
      draining = true;
      for (const ev of drained()) out.push(ev);
      if (out.length > 0) yield out;
    } finally {
      await feed!.close();
    }
  }

  return {
    kind: 'stateful',
    // it keeps the other side's rows, never an input record: the output of a batch is complete when it is pushed
    holds: false,
    // after the input's end the other side's position and rows go on into a run over what was appended:
    // read afresh, it would write again every row that right and outer wrote at the end
    carries: true,
    label,
    ...(feed === null ? {} : {
      ready(batch: Batch): Promise<void> | null {
        const until = Math.max(untilOf(waiting), untilOf(batch));
        if (feedEnded || feed.stopped || (feedOpened && ahead.value > until)) return null;
        return fill(until);
      },
    }),
    push(batch: Batch): Batch {
      const out: Batch = [];
      if (feed?.stopped === true && !feedEnded) {
        for (const ev of batch) waiting.push(ev);
        return out;
      }
      if (waiting.length > 0) {
        for (const ev of waiting) takeLeft(ev, out);
        waiting = [];
      }
      for (const ev of batch) takeLeft(ev, out);
      return out;
    },
    interrupt() {
      // the input did not end: the rows right and outer would write now may still be matched, and
      // records that wait for the topic cannot be joined yet; neither is written
      let rows = 0;
      if (keepRight) for (const h of right.live()) if (h.m !== true) rows++;
      if (feed !== null) void feed.close();
      else reader!.close();
      // counted here rather than as sort's are, so that the message says what they are
      ctx.stats.withheld += waiting.length + rows;
      if (waiting.length > 0) ctx.warn(`interrupted: ${label}: ${waiting.length} record(s) waiting for ${sideName} not written`);
      if (rows > 0) ctx.warn(`interrupted: ${label}: ${rows} row(s) of ${sideName} not matched yet not written (the input did not end)`);
      return { out: [], partial: 0, withheld: 0 };
    },
    end(): Flush {
      if (feed !== null) {
        if (keepRight || waiting.length > 0) return drainFeed();
        void feed.close();
        return [];
      }
      // the input ended: the rest of FILE can match no record, and is read only when its rows are written
      if (keepRight) return drainFile();
      reader!.close();
      return [];
    },
    partition(change: PartitionChange): Batch {
      marks.change(change.kind, change.partition, Date.now());
      const out: Batch = [];
      if (keepRight) expire((h) => h.t + b < marks.value, out);
      return out;
    },
    stateSize: () => right.size + pending.length + waiting.length,
    snapshot: () => ({
      right: right.live(), pending, marks: marks.save(), rmarks: rmarks.save(),
      ...(feed === null ? { reader: reader!.snapshot() } : { feed: feed.position(), ahead: ahead.save(), feedEnded, waiting }),
    }),
    restore(s) {
      const st = s as { right: Held[]; pending: Pending[]; marks: SavedWatermarks; rmarks?: SavedWatermarks; rightMax?: number; reader?: unknown; feed?: unknown; ahead?: SavedWatermarks; feedEnded?: boolean; waiting?: Event[] };
      right.load(st.right);
      pending = [...st.pending];
      marks = new Watermarks(0);
      marks.load(st.marks, Date.now());
      rmarks = new Watermarks(0);
      if (st.rmarks !== undefined) rmarks.load(st.rmarks, Date.now());
      // a checkpoint of a version that kept FILE's latest time alone
      else if (st.rightMax !== undefined && st.rightMax > -Infinity) rmarks.observe(rmarks.partition(FILE_PARTITION, Date.now()), st.rightMax);
      if (feed !== null) {
        feedFrom = st.feed ?? null;
        ahead = new Watermarks(0);
        if (st.ahead !== undefined) ahead.load(st.ahead, Date.now());
        feedEnded = st.feedEnded === true;
        waiting = [...(st.waiting ?? [])];
      } else reader!.restore(st.reader);
    },
  };
}
