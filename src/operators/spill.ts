// sort past a memory budget, as GNU sort does: when the records sort holds pass the budget
// (--sort-buffer), they are sorted and written to a temporary file as a sorted run; at the end the
// runs and what is still in memory are merged. Runs are consecutive stretches of the input and a
// tie goes to the earlier run, so the merged order is the stable order. A run is a file of
// length-prefixed blocks, each a JSON array of records as compact tuples (value, raw text and
// metadata; the source by its number in a table kept in memory), read back a block at a time; the
// sort keys are computed again on reading. JSON is used rather than v8.serialize, which took three
// times as long and made twice the bytes. More than FAN_IN runs are first merged FAN_IN at a time into longer runs, so
// the open files stay few. The temporary directory goes when the merge ends, when the stage is
// interrupted, and when the process exits (SIGKILL excepted).

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputError } from '../errors/errors.js';
import type { Maybe } from '../lang/values.js';
import type { Batch, Event, Source, Value } from '../core/event.js';
import { inexactNumbers, mayBeInexact, stringifyExact } from '../core/numbers.js';

export interface Keyed {
  ev: Event;
  k: Maybe[];
}

export type KeyCompare = (a: Maybe[], b: Maybe[]) => number;

/** Records per serialized block of a run, and per batch the merge gives. */
const BLOCK = 2048;
/** Runs merged at once. */
const FAN_IN = 32;

/** Default --sort-buffer: 512 MiB (estimated). */
export const DEFAULT_SORT_BUFFER = 512 * 1024 * 1024;

/**
 * The memory a held record takes, estimated from its text: the raw line when the record still
 * has it, else its JSON, measured on every 64th record and averaged (sort's push is not the hot path of where/select).
 */
export class SizeEstimate {
  private measured = 0;
  private chars = 0;
  private seen = 0;

  bytes(ev: Event): number {
    if (ev.raw !== undefined) return 4 * ev.raw.length + 200;
    if (this.seen++ % 64 === 0) {
      this.chars += JSON.stringify(ev.value)?.length ?? 4;
      this.measured++;
    }
    return 4 * (this.chars / this.measured) + 200;
  }
}

/**
 * A record in a run: value, raw text (null: none), source number, line, offset, partition, key,
 * headers, timestamp, origin (null: none, true: the raw text), and whether the value is stored as
 * its exact JSON text (when the origin holds a number a double cannot hold: 1e400 is Infinity,
 * which JSON would write as null).
 */
type Stored = [Value, string | null, number, number, number, number, string | null, { [name: string]: string } | null, number, string | true | null, 0 | 1];

export class SortRuns {
  private dir: string | null = null;
  /** the sources of the records spilled, by number */
  private readonly sources: Source[] = [];
  private readonly sourceNo = new Map<Source, number>();
  private files: string[] = [];
  private made = 0;
  /** records written to runs */
  records = 0;
  private readonly onExit = () => this.remove();

  /** `keyOf` computes a record's sort keys again when it is read back */
  constructor(private readonly keyOf: (ev: Event) => Maybe[]) {}

  get count(): number {
    return this.files.length;
  }

  /** Write records already sorted as a run. */
  write(sorted: readonly Keyed[]): void {
    const file = this.newFile();
    this.writeRun(file, memoryBlocks(sorted));
    this.files.push(file);
    this.records += sorted.length;
  }

  /**
   * The runs and `last` (sorted, the latest stretch of input) merged, in batches; the runs are
   * deleted once read.
   */
  *merge(last: readonly Keyed[], cmp: KeyCompare): Generator<Batch> {
    try {
      while (this.files.length > FAN_IN) {
        // the earliest runs first: the merged run stands where they stood
        const file = this.newFile();
        this.writeRun(file, mergeKeyed(this.files.slice(0, FAN_IN).map((f) => this.fileBlocks(f)), cmp));
        for (const f of this.files.splice(0, FAN_IN, file)) rmSync(f, { force: true });
      }
      const sources = [...this.files.map((f) => this.fileBlocks(f)), memoryBlocks(last)];
      for (const block of mergeKeyed(sources, cmp)) yield block.map((h) => h.ev);
    } finally {
      this.remove();
    }
  }

  /** Every record of the runs, run after run (for a checkpoint: restored, they are sorted again, stably). */
  readAll(): Keyed[] {
    const all: Keyed[] = [];
    for (const f of this.files) for (const block of this.fileBlocks(f)) for (const h of block) all.push(h);
    return all;
  }

  /** Delete the runs and their directory. */
  remove(): void {
    if (this.dir === null) return;
    rmSync(this.dir, { recursive: true, force: true });
    process.off('exit', this.onExit);
    this.dir = null;
    this.files = [];
    this.records = 0;
  }

  private newFile(): string {
    if (this.dir === null) {
      try {
        this.dir = mkdtempSync(join(tmpdir(), 'sluice-sort-'));
      } catch (e) {
        throw new OutputError(`sort: cannot make a temporary directory in ${tmpdir()} to spill to: ${(e as Error).message} (set TMPDIR, or a larger --sort-buffer)`);
      }
      process.on('exit', this.onExit);
    }
    return join(this.dir, `run-${this.made++}`);
  }

  private writeRun(file: string, blocks: Iterable<readonly Keyed[]>): void {
    let fd = -1;
    try {
      fd = openSync(file, 'w');
      const head = Buffer.alloc(4);
      for (const block of blocks) {
        const body = Buffer.from(JSON.stringify(block.map((h) => this.store(h.ev))));
        head.writeUInt32LE(body.length, 0);
        writeAll(fd, head);
        writeAll(fd, body);
      }
    } catch (e) {
      throw new OutputError(`sort: cannot write its temporary file ${file}: ${(e as Error).message} (set TMPDIR to a disk with room, or a larger --sort-buffer); no output was written`);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  private store(ev: Event): Stored {
    let n = this.sourceNo.get(ev.source);
    if (n === undefined) {
      n = this.sources.length;
      this.sources.push(ev.source);
      this.sourceNo.set(ev.source, n);
    }
    const o = ev.origin;
    const exact = o !== undefined && (ev.raw === undefined || mayBeInexact(o, ev.value)) ? inexactNumbers(o) : null;
    const value = exact !== null ? stringifyExact(ev.value, exact.texts) : ev.value;
    const origin = o === undefined ? null : o === ev.raw ? true : o;
    return [value, ev.raw ?? null, n, ev.line, ev.offset, ev.partition, ev.key, ev.headers, ev.timestamp, origin, exact !== null ? 1 : 0];
  }

  private *fileBlocks(file: string): Generator<Keyed[]> {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(4);
      while (readFull(fd, head)) {
        const body = Buffer.alloc(head.readUInt32LE(0));
        readFull(fd, body);
        const stored = JSON.parse(body.toString('utf8')) as Stored[];
        yield stored.map((r) => {
          const raw = r[1] ?? undefined;
          const ev: Event = {
            value: r[10] === 1 ? (JSON.parse(r[0] as string) as Value) : r[0], raw,
            origin: r[9] === true ? raw : (r[9] ?? undefined), source: this.sources[r[2]]!, line: r[3],
            offset: r[4], partition: r[5], key: r[6], headers: r[7], timestamp: r[8],
          };
          return { ev, k: this.keyOf(ev) };
        });
      }
    } finally {
      closeSync(fd);
    }
  }
}

function writeAll(fd: number, buf: Uint8Array): void {
  for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
}

function readFull(fd: number, buf: Buffer): boolean {
  let at = 0;
  while (at < buf.length) {
    const n = readSync(fd, buf, at, buf.length - at, null);
    if (n === 0) {
      if (at === 0) return false;
      throw new Error('a sort run ended inside a block');
    }
    at += n;
  }
  return true;
}

function* memoryBlocks(sorted: readonly Keyed[]): Generator<Keyed[]> {
  for (let i = 0; i < sorted.length; i += BLOCK) yield sorted.slice(i, i + BLOCK);
}

/** A source being merged: its current block and the place in it. */
interface Cursor {
  blocks: Iterator<Keyed[]>;
  block: Keyed[];
  at: number;
  /** its place among the sources: ties go to the lower one */
  order: number;
}

/** k-way merge of sorted sources (a binary heap by key, then source order), in blocks of BLOCK. */
function* mergeKeyed(sources: Iterator<Keyed[]>[], cmp: KeyCompare): Generator<Keyed[]> {
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor) => {
    const c = cmp(a.block[a.at]!.k, b.block[b.at]!.k);
    return c < 0 || (c === 0 && a.order < b.order);
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) return;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  sources.forEach((blocks, order) => {
    const first = nextBlock(blocks);
    if (first !== null) {
      heap.push({ blocks, block: first, at: 0, order });
      up(heap.length - 1);
    }
  });
  let out: Keyed[] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    out.push(top.block[top.at++]!);
    if (top.at === top.block.length) {
      const next = nextBlock(top.blocks);
      if (next === null) {
        const last = heap.pop()!;
        if (heap.length > 0) heap[0] = last;
      } else {
        top.block = next;
        top.at = 0;
      }
    }
    if (heap.length > 0) down(0);
    if (out.length === BLOCK) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function nextBlock(blocks: Iterator<Keyed[]>): Keyed[] | null {
  for (;;) {
    const r = blocks.next();
    if (r.done) return null;
    if (r.value.length > 0) return r.value;
  }
}
