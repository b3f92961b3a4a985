// What a thread of --threads does with one chunk (runtime/threads.ts is the reading side). The
// program is compiled once per runner, through the same compileProgram as the CLI; for each chunk
// of whole lines the runner decodes it with the input's decoder (numbering lines from 1), runs the
// program's stateless stages, encodes the output as ndjson, and gives back the text cut where bad
// input was, with the counts --stats needs; or, when the program ends in a plain aggregate, the
// aggregate's groups for the chunk (its snapshot), which the main thread merges. The worker entry
// (thread-worker.ts) runs one in each worker thread; the main thread runs one too, as the first
// of the N threads, so that N threads start only N − 1 workers. It never writes anywhere itself.

import { isAscii } from 'node:buffer';
import { decoders, encoders } from '../formats/index.js';
import { TEXT_PIECE } from '../sources/text.js';
import type { BadInput, Decoder, Encoder } from '../formats/types.js';
import type { SplitterState } from '../formats/line-splitter.js';
import type { Batch, Event, Source } from '../core/event.js';
import { Stats } from '../core/stats.js';
import type { Stage, StatefulStage } from '../operators/types.js';
import type { ChunkJob, ChunkResult, ChunkSegment } from '../runtime/threads.js';
import { toColumns } from '../runtime/thread-columns.js';
import { compileProgram } from './compile.js';
import type { ThreadInput, ThreadProgram } from './thread-plan.js';

/** records of a chunk whose keys are sent for the misspelt-field watch (field-watch.ts looks at 1000) */
const WATCHED = 1000;

/** An aggregate stage's state with no group (operators/aggregate.ts snapshot()). */
const EMPTY = { table: [], arrivals: 0, lastTimestamp: 0 };

const REAL_FFFD = Buffer.from('\ufffd');

export interface ChunkRunner {
  run(job: ChunkJob): ChunkResult;
  /** the result was copied or taken over: an aggregate's groups start afresh for the next chunk */
  reset(): void;
}

/** A chunk runner; `local`: the main thread's own, whose records need not become columns in decode mode. */
export function chunkRunner(data: ThreadProgram & ThreadInput, local = false): ChunkRunner {
  const stats = new Stats();
  const unexpected = (what: string) => () => {
    throw new Error(`${what} in a thread of --threads: the program should have kept to one thread`);
  };
  const compiled = compileProgram(data.text, {
    infer: data.infer,
    time: { tz: data.tz, format: data.timeFormat, out: data.timeFormatOut },
    idleMs: null,
    idlePartitionMs: null,
    vars: new Map(data.vars),
  }, stats, {
    bad: unexpected('bad input from a stage'),
    late: unexpected('a late record'),
    assertFailed: unexpected('an assert'),
    // the main thread compiled the same program and said it already
    warn: () => undefined,
  });
  const stages: Stage[] = compiled.stages;
  const encoder: Encoder = encoders.ndjson({ passRaw: true, typeError: stats.typeError, precision: data.precision });
  const source: Source = { name: data.name };

  /** the result is taken at once (ChunkJob.direct, on the main thread only) */
  let direct = false;

  function run(job: ChunkJob): ChunkResult {
    direct = local && job.direct === true;
    const bytes = Buffer.from(job.bytes, 0, job.length);
    const batch: Batch = [];
    const bads: ChunkResult['bads'] = [];
    const at: number[] = [];
    const onBad: BadInput = (raw, reason, line) => {
      bads.push({ raw, reason, line });
      at.push(batch.length);
    };
    const now = Date.now();
    const decoder: Decoder = decoders[data.format as keyof typeof decoders](source, data.fields === null ? data.decode : { ...data.decode, fields: data.fields, wholeFirst: job.keys ? WATCHED : 0 }, onBad, () => now);
    // whole lines with '\n' ends, as the main thread checked at the file's first line end
    decoder.restore({ format: data.format, lines: { pending: '', nextLine: 1, started: true, end: '\n' } });
    // as the main thread's reader decodes (sources/text.ts): pieces of TEXT_PIECE bytes (here cut
    // after a line's end), Latin-1 when all ASCII, else Buffer#toString (faster than TextDecoder)
    let replaced = 0;
    for (let from = 0; from < bytes.length;) {
      let to = from + TEXT_PIECE;
      if (to >= bytes.length) {
        to = bytes.length;
      } else {
        const nl = bytes.lastIndexOf(10, to - 1);
        to = nl >= from ? nl + 1 : bytes.indexOf(10, to) + 1 || bytes.length;
      }
      const piece = bytes.subarray(from, to);
      const text = isAscii(piece) ? piece.toString('latin1') : piece.toString('utf8');
      if (text.includes('\ufffd')) replaced += count(text, '\ufffd');
      decoder.write(text, batch);
      from = to;
    }
    decoder.end(batch);
    // the lines read, as the decoder numbered them
    const lines = (decoder.snapshot() as { lines: SplitterState }).lines.nextLine - 1;

    // invalid UTF-8: replaced characters are those U+FFFD the bytes did not hold
    let invalidUtf8 = 0;
    let invalidUtf8Lines = 0;
    if (replaced > 0) {
      const all = replaced;
      const real = countBytes(bytes, REAL_FFFD);
      invalidUtf8 = all - real;
      if (invalidUtf8 > 0) {
        // where the input holds U+FFFD of its own too, a record counts when its line's bytes hold fewer than its text
        const starts = real > 0 ? lineStarts(bytes) : null;
        for (const ev of batch) {
          const raw = ev.raw ?? '';
          if (!raw.includes('\ufffd')) continue;
          if (starts === null || count(raw, '\ufffd') > countBytes(bytes.subarray(starts[ev.line - 1]!, starts[ev.line] ?? bytes.length), REAL_FFFD)) invalidUtf8Lines++;
        }
      }
    }

    let keys: (string[] | null)[] | null = null;
    // (in decode mode the main thread's watch sees the records themselves, the first ones whole)
    if (job.keys && data.mode !== 'decode') {
      keys = [];
      for (let i = 0; i < batch.length && i < WATCHED; i++) {
        const v = batch[i]!.value;
        keys.push(v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null);
      }
    }

    const segments: ChunkSegment[] = [];
    let from = 0;
    for (let i = 0; i <= bads.length; i++) {
      const to = i < bads.length ? at[i]! : batch.length;
      segments.push(segment(from === 0 && to === batch.length ? batch : batch.slice(from, to)));
      from = to;
    }
    // a plain aggregate last: its groups of this chunk, for the main thread to merge (taken before the next chunk resets them)
    const partial = data.mode === 'aggregate' ? (stages[stages.length - 1] as StatefulStage).snapshot() : undefined;
    return { seq: job.seq, segments, bads, lines, now, keys, invalidUtf8, invalidUtf8Lines, partial };
  }

  function segment(records: Event[]): ChunkSegment {
    // the records go back as they are: the main thread runs the program
    if (data.mode === 'decode') {
      if (!direct) return { text: '', in: records.length, out: 0, typeErrors: 0, cols: toColumns(records, data.fields ?? [], 0) };
      // as from a worker: without the line's text (which keeps the text read alive)
      for (const ev of records) ev.raw = ev.origin = undefined;
      return { text: '', in: records.length, out: 0, typeErrors: 0, events: records };
    }
    const typeErrors = stats.typeErrors;
    let b: Batch = records;
    for (let i = 0; i < stages.length && b.length > 0; i++) b = stages[i]!.push(b);
    return { text: b.length > 0 ? encoder.write(b) : '', in: records.length, out: b.length, typeErrors: stats.typeErrors - typeErrors };
  }

  return {
    run,
    reset() {
      if (data.mode === 'aggregate') (stages[stages.length - 1] as StatefulStage).restore(EMPTY);
    },
  };
}

function count(text: string, s: string): number {
  let n = 0;
  for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) n++;
  return n;
}

function countBytes(bytes: Buffer, s: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(s); i >= 0; i = bytes.indexOf(s, i + 1)) n++;
  return n;
}

/** The byte offset of each line's start (line i + 1 starts at [i]). */
function lineStarts(bytes: Buffer): number[] {
  const out = [0];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) out.push(i + 1);
  return out;
}

