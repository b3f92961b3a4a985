// The outputs of tee stages: one per file or topic, shared by every copy of the stages. A tee
// stage hands records over at once (stages are synchronous); the executor waits for room between
// batches (backpressure) and flushes them together with the main sink before it commits offsets
// or takes a checkpoint, so that nothing tee wrote is lost when a later run resumes. A failure
// to write is the sink's OutputError (exit 74), seen at the next write, room or flush.

import { closeSync, createWriteStream, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors/errors.js';
import type { Batch } from '../core/event.js';
import type { Encoder, EncoderFactory } from '../formats/types.js';
import type { SideOutput } from '../operators/types.js';
import { openFile, streamSink, type EventSink, type Sink } from '../sinks/sink.js';

export interface TeeOptions {
  /** the format of a tee that names none */
  format: string;
  encoders: { readonly [format: string]: EncoderFactory };
  /** --template, for the template format */
  template?: string;
  /** append to files rather than write them afresh (a job resumed from its checkpoint) */
  append: boolean;
  /** opens a kafka: target (loaded only when a tee names one) */
  kafka(uri: string): Promise<EventSink>;
}

interface Output {
  target: string;
  format: string;
  encoder: Encoder;
  sink: Sink | EventSink | null;
  /** the sink asked to wait: the next batch waits for this */
  room: Promise<void> | null;
}

export class TeeOutputs {
  private readonly outputs = new Map<string, Output>();
  /** open() was called: outputs named after it (a path template's files) are opened as they come */
  private opened = false;

  constructor(private readonly opts: TeeOptions) {}

  /** The BuildContext hook: the output of a target, made once. */
  readonly sideOutput = (target: string, format: string | null): SideOutput => {
    const f = format ?? this.opts.format;
    let o = this.outputs.get(target);
    if (o === undefined) {
      o = { target, format: f, encoder: this.encoder(f), sink: null, room: null };
      this.outputs.set(target, o);
      if (this.opened) o.sink = this.openNow(target);
    } else if (o.format !== f) {
      throw new UsageError(`tee ${JSON.stringify(target)} is written twice, as ${o.format} and as ${f}`);
    }
    const out = o;
    return { write: (batch) => this.write(out, batch) };
  };

  get size(): number {
    return this.outputs.size;
  }

  /** Open every output named so far, before the first record: one that cannot be opened is unavailable (exit 69). */
  async open(): Promise<void> {
    for (const o of this.outputs.values()) {
      if (o.sink !== null) continue;
      if (o.target.startsWith('kafka:')) {
        o.sink = await this.opts.kafka(o.target);
      } else {
        if (this.opts.append) dropTornLine(o.target);
        const ws = await openFile(o.target, undefined, this.opts.append ? 'a' : 'w');
        o.sink = streamSink(ws, { name: `'${o.target}'`, quietEpipe: false, endStream: true, isTerminal: false });
      }
    }
    this.opened = true;
  }

  /** A file of a path template, opened as its first record comes; a failure to open it shows at its first flush (exit 74). */
  private openNow(target: string): Sink {
    if (this.opts.append) dropTornLine(target);
    const ws = createWriteStream(target, { flags: this.opts.append ? 'a' : 'w' });
    return streamSink(ws, { name: `'${target}'`, quietEpipe: false, endStream: true, isTerminal: false });
  }

  private encoder(format: string): Encoder {
    const make = this.opts.encoders[format];
    if (make === undefined) throw new UsageError(`tee: no output format ${format}`);
    return make({ template: this.opts.template, passRaw: format === 'ndjson' });
  }

  private write(o: Output, batch: Batch): void {
    const sink = o.sink;
    if (sink === null) throw new Error(`tee ${o.target} written before it was opened`);
    const p = sink.kind === 'events' ? sink.write(batch) : sink.write(o.encoder.write(batch), batch.length);
    if (p) o.room = o.room === null ? p : o.room.then(() => p);
  }

  /** Resolves when every output has room again; undefined when none is waiting (the common case). */
  room(): Promise<void> | undefined {
    let wait: Promise<void>[] | null = null;
    for (const o of this.outputs.values()) {
      if (o.room === null) continue;
      (wait ??= []).push(o.room);
      o.room = null;
    }
    return wait === null ? undefined : Promise.all(wait).then(() => undefined);
  }

  /** Everything written so far has reached the OS (files) or is acknowledged (Kafka). */
  async flush(): Promise<void> {
    await this.room();
    for (const o of this.outputs.values()) await o.sink?.flush();
  }

  /** The text each encoder still owes (a json array's end), then every output closed. */
  async end(): Promise<void> {
    await this.room();
    for (const o of this.outputs.values()) {
      const sink = o.sink;
      if (sink === null) continue;
      if (sink.kind === 'text') {
        const p = sink.write(o.encoder.end());
        if (p) await p;
      }
      await sink.end();
    }
  }

  /** After a failure: close what can be closed, quietly. */
  async close(): Promise<void> {
    for (const o of this.outputs.values()) await o.sink?.end().catch(() => undefined);
  }
}

/**
 * A job resumed from its checkpoint appends to its tee files; a run killed while writing may have
 * left half a line at the end. That line came after the checkpoint (everything before it was
 * flushed whole), so it is written again: cut the file back to its last newline first. A missing
 * file, or one that is not a regular file, is left alone.
 */
export function dropTornLine(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0) return;
    const buf = Buffer.alloc(65536);
    let end = st.size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(10);
      if (nl >= 0) {
        if (start + nl + 1 < st.size) ftruncateSync(fd, start + nl + 1);
        return;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}
