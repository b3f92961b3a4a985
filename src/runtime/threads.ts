// Reading one big file on several cores (--threads N). The main thread reads the file in big
// chunks cut after their last '\n', numbers them and hands each to whichever of the N threads has
// room: a worker thread that has started and holds fewer than two, else itself (N − 1 workers; the
// bytes are transferred, not copied, and come back for reuse). So a worker still starting up, or
// slowed by other work on its core, takes fewer chunks instead of holding the others up. Each
// thread decodes its chunk and runs the program's stateless stages over it (plan/thread-run.ts;
// the worker entry is plan/thread-worker.ts), and gives back the encoded output, cut where bad input was found, with line numbers counted from the chunk's
// start. Results are taken strictly in chunk order: the executor writes each piece of output,
// then handles the bad input after it with its --on-error policy, exactly where one thread would
// have met it, and every `file:line` is the chunk's first line plus the relative one. So the
// bytes on stdout and stderr, the exit status and the --stats counts are those of one thread.
//
// What runs here is chosen before reading (plan/thread-plan.ts): regular files, an ndjson input,
// programs whose stages keep no state. An input that turns out not to suit (too small for
// `auto`, compressed, UTF-16, classic Mac line ends, another format) is read on the main thread.

import { Worker } from 'node:worker_threads';
import { open, type FileHandle } from 'node:fs/promises';
import type { DecodeOptions } from '../formats/types.js';
import { LimitError } from '../errors/errors.js';
import type { Columns } from './thread-columns.js';
import type { Event } from '../core/event.js';

/** What a worker sends back for one chunk. */
export interface ChunkResult {
  seq: number;
  /** output and counts of the records between two bad inputs: segments[i], then bads[i], …, then the last segment */
  segments: ChunkSegment[];
  /** bad input, `line` counted from the chunk's first line (1) */
  bads: { raw: string; reason: string; line: number }[];
  /** lines in the chunk */
  lines: number;
  /** when the chunk was decoded (the records' arrival time), epoch milliseconds */
  now: number;
  /** the top-level keys (null: not an object) of the chunk's first records, for the misspelt-field watch; null when not asked */
  keys: (string[] | null)[] | null;
  /** invalid UTF-8 sequences replaced with U+FFFD, and the records holding them */
  invalidUtf8: number;
  invalidUtf8Lines: number;
  /** a program ending in a plain aggregate: the aggregate stage's snapshot of this chunk's groups */
  partial?: unknown;
  /** the chunk's bytes, given back (transferred) by a worker for the next chunk read: no new buffer per chunk */
  bytes?: ArrayBuffer;
  /** an unexpected failure in the worker (a bug): its message */
  error?: string;
  /** or a limit reached in the worker (LimitError): its message */
  limit?: string;
}

export interface ChunkSegment {
  text: string;
  /** 'decode' mode: the segment's records, for the main thread to run the program over */
  cols?: Columns;
  /** or the records themselves, from the main thread's own runner (lines counted from the chunk's first) */
  events?: Event[];
  /** records decoded, records written, type errors met */
  in: number;
  out: number;
  typeErrors: number;
}

/** A chunk's result, its bad input numbered in the file and located. */
export interface ReadyChunk extends ChunkResult {
  bads: { raw: string; reason: string; line: number; where: string }[];
  /** the line number in the file of the chunk's first line */
  base: number;
}

/** A message to a worker: one chunk. */
export interface ChunkJob {
  seq: number;
  bytes: ArrayBuffer;
  length: number;
  /** send the keys of the first records (the field watch is still looking) */
  keys: boolean;
  /**
   * the main thread runs this chunk and takes its result at once (it is the next in order): in
   * 'decode' mode its records may stay objects; a result that waits for earlier chunks is kept as
   * columns, which hold no object per record for the garbage collector to move
   */
  direct?: boolean;
}

export interface ParallelOptions {
  threads: number;
  /** the worker's module (plan/thread-worker.ts, built to dist/plan/thread-worker.js) */
  worker: URL;
  /** what every worker gets once: the program and its options (plan/thread-plan.ts ThreadProgram) */
  data: object;
  /** bytes per chunk */
  chunkBytes: number;
  /** wait until every worker has started before reading (tests: small inputs then reach the workers too) */
  waitForWorkers: boolean;
  /** a smaller file is read on the main thread (0: every file) */
  minBytes: number;
  /** the input formats the workers decode */
  formats: readonly string[];
  /** the field watch is still looking (keys of first records wanted) */
  watching(): boolean;
  /** 'decode' mode: the fields of the records the workers send back (thread-columns.ts), for this thread to run the program over; null: the workers run it */
  columns: readonly string[] | null;
  /** a program ending in a plain aggregate: where the chunks' partial groups are merged (threads-merge.ts) */
  aggregate: PartialMerge | null;
  /**
   * The main thread's own chunk runner (plan/thread-run.ts), made from the same data as a
   * worker's: the main thread, mostly waiting otherwise, is then the first of the N threads, and
   * only N − 1 workers start (each costs a Node start-up and a warm-up of its own)
   */
  local: ((data: object) => LocalRunner) | null;
}

export interface LocalRunner {
  run(job: ChunkJob): ChunkResult;
  reset(): void;
}

export interface PartialMerge {
  /** a chunk's groups, in chunk order */
  add(partial: unknown): void;
  /** the input is read (or reading stopped): fold what was merged into the main thread's aggregate stage */
  finish(): void;
}

const HEAD = 1 << 20;

/**
 * The chunks of a file read in parallel, in order; null when this file is read on the main thread
 * (then nothing was started). Breaking out of the loop stops the workers.
 */
export async function openParallel(
  path: string, name: string, opts: ParallelOptions, decode: DecodeOptions, formatFor: (firstText: string) => string,
): Promise<AsyncGenerator<ReadyChunk> | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null; // the main thread's reader reports it as it always does
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size < opts.minBytes) { await fh.close(); return null; }
    const head = Buffer.allocUnsafe(Math.min(HEAD, st.size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const first = head.subarray(0, bytesRead);
    const format = suits(first) ? formatFor(new TextDecoder('utf-8', { ignoreBOM: true }).decode(first)) : null;
    if (format === null || !opts.formats.includes(format)) { await fh.close(); return null; }
    return chunks(fh, { ...opts.data, format, name, decode }, name, opts);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Plain UTF-8 text with '\n' (or CRLF) line ends: not compressed, no byte-order mark, not classic Mac. */
function suits(b: Buffer): boolean {
  if (b.length >= 2 && ((b[0] === 0x1f && b[1] === 0x8b) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return false;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return false;
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return false;
  const lf = b.indexOf(10);
  const cr = b.indexOf(13);
  // the first line end decides how lines end (formats/line-splitter.ts): a lone '\r' means classic Mac
  if (cr >= 0 && (lf < 0 || cr < lf) && b[cr + 1] !== 10) return false;
  return true;
}

/** What a worker thread sends once it has compiled the program: it takes chunks from now on. */
export const READY = 'ready';

/** A worker thread and the chunks it holds. */
interface Slot {
  worker: Worker;
  /** compiled the program (until then the main thread keeps the chunks to itself) */
  ready: boolean;
  /** chunks sent and not yet answered */
  held: number;
}

/** chunks a ready worker holds at once: one it runs, one waiting, so that it never waits for the main thread */
const HELD = 2;

async function* chunks(fh: FileHandle, data: object, name: string, opts: ParallelOptions): AsyncGenerator<ReadyChunk> {
  const n = Math.max(1, opts.threads);
  const slots: Slot[] = [];
  const done = new Map<number, ChunkResult>();
  let failure: unknown = null;
  /** wakes the loop below when it waits for a worker */
  let wake: (() => void) | null = null;
  const signal = () => {
    if (wake) { const w = wake; wake = null; w(); }
  };
  const fail = (e: unknown) => {
    failure ??= e;
    signal();
  };
  const local = opts.local?.(data) ?? null;
  for (let i = local !== null ? 1 : 0; i < n; i++) {
    const slot: Slot = { worker: new Worker(opts.worker, { workerData: data }), ready: false, held: 0 };
    slot.worker.on('message', (r: ChunkResult | typeof READY) => {
      if (r === READY) { slot.ready = true; signal(); return; }
      slot.held--;
      if (r.bytes !== undefined) { free.push(r.bytes); r.bytes = undefined; }
      if (r.limit !== undefined) { fail(new LimitError(r.limit)); return; }
      if (r.error !== undefined) { fail(new Error(`thread: ${r.error}`)); return; }
      done.set(r.seq, r);
      signal();
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => { if (code !== 0) fail(new Error(`a worker thread exited with status ${code}`)); });
    slots.push(slot);
  }

  /** chunk buffers given back by the workers, of `size` bytes (a chunk with a longer line gets its own) */
  const free: ArrayBuffer[] = [];
  const size = opts.chunkBytes + (opts.chunkBytes >> 2);
  let pos = 0;
  let carry: Buffer[] = [];
  let eof = false;
  /** The next chunk: whole lines (the last one of the file may lack its '\n'); null at the end. */
  const next = async (): Promise<{ buf: ArrayBuffer; length: number } | null> => {
    for (;;) {
      const held = carry.reduce((s, c) => s + c.length, 0);
      const want = held + opts.chunkBytes;
      const buf = want <= size ? Buffer.from(free.pop() ?? new ArrayBuffer(size)) : Buffer.allocUnsafeSlow(want);
      let at = 0;
      for (const c of carry) { c.copy(buf, at); at += c.length; }
      const { bytesRead } = await fh.read(buf, held, opts.chunkBytes, pos);
      pos += bytesRead;
      const end = held + bytesRead;
      if (bytesRead === 0) {
        carry = [];
        return end > 0 ? { buf: buf.buffer, length: end } : null;
      }
      const cut = buf.lastIndexOf(10, end - 1);
      if (cut < 0) {
        // a line longer than a chunk: read on until its end
        carry = [buf.subarray(0, end)];
        continue;
      }
      carry = cut + 1 < end ? [Buffer.from(buf.subarray(cut + 1, end))] : [];
      return { buf: buf.buffer, length: cut + 1 };
    }
  };

  // Chunks go where there is room, in file order: to a ready worker holding fewer than HELD, else
  // to the main thread itself (a worker still starting up gets none). Results come back in any
  // order and are taken strictly in chunk order; at most `ahead` chunks are read and not yet taken,
  // which bounds the memory of results waiting for an earlier chunk.
  const ahead = 4 * n;
  let sent = 0;
  let taken = 0;
  let line = 1;
  try {
    for (;;) {
      if (failure !== null) throw failure;
      const r = done.get(taken);
      if (r !== undefined) {
        done.delete(taken);
        taken++;
        const base = line;
        line += r.lines;
        yield { ...r, base, bads: r.bads.map((b) => ({ ...b, line: base + b.line - 1, where: `${name}:${base + b.line - 1}` })) };
        continue;
      }
      if (eof && taken === sent) break;
      if (!eof && sent - taken < ahead && (!opts.waitForWorkers || slots.every((s) => s.ready))) {
        const slot = slots.find((s) => s.ready && s.held < HELD);
        if (slot !== undefined || local !== null) {
          const c = await next();
          if (c === null) {
            eof = true;
            continue;
          }
          const job: ChunkJob = { seq: sent, bytes: c.buf, length: c.length, keys: opts.watching() };
          // a worker may have become free while reading: prefer it
          const to = slot ?? slots.find((s) => s.ready && s.held < HELD);
          if (to !== undefined) {
            to.held++;
            to.worker.postMessage(job, [c.buf]);
          } else {
            // this thread's turn: the chunk is run now, while the workers run theirs
            job.direct = sent === taken;
            done.set(sent, local!.run(job));
            free.push(c.buf);
            // its groups are taken over by the merge as they are; the runner starts a new table
            local!.reset();
          }
          sent++;
          continue;
        }
      }
      // nothing to do here but wait for a worker
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  } finally {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    await fh.close();
  }
}
