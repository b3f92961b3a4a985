// Output sinks: stdout and files. A sink takes text and returns a promise only when the
// writer must wait (backpressure); the executor awaits it, which pauses reading. A reader of
// stdout that goes away (`| head`) closes the sink quietly: no error, no stack trace. Any other
// failure to write (a full disk, a closed stdout) becomes an OutputError (exit 74) that says how
// many records were written: the sink counts the records whose text the OS took, from the
// callbacks of its writes (one per batch, nothing per record).

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { OutputError, UnavailableError } from '../errors/errors.js';
import type { Event } from '../core/event.js';

export interface Sink {
  readonly kind: 'text';
  /**
   * Resolves when the text is accepted; undefined when it was taken at once. `records`: how many
   * records the text (with what was written before it) completes, for the count a failure reports.
   */
  write(text: string, records?: number): Promise<void> | undefined;
  /** resolves when everything written so far has reached the OS (before offsets are committed) */
  flush(): Promise<void>;
  /** flush and close */
  end(): Promise<void>;
  /** true once the reader went away (EPIPE): stop producing */
  readonly closed: boolean;
  readonly isTerminal: boolean;
}

/** A sink that takes records rather than text (Kafka: keys and partitions come from records). */
export interface EventSink {
  readonly kind: 'events';
  write(batch: Event[]): Promise<void> | undefined;
  /** resolves when everything written so far is acknowledged (Kafka acks) */
  flush(): Promise<void>;
  end(): Promise<void>;
  readonly closed: boolean;
  readonly isTerminal: false;
}

/** `ENOSPC: no space left on device, write` -> `no space left on device (ENOSPC)` */
export function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  let text = String(err?.message ?? e);
  if (code !== '' && text.startsWith(`${code}: `)) text = text.slice(code.length + 2).replace(/, \w+( '[^']*')?$/, '');
  return code !== '' && !code.startsWith('ERR_') ? `${text} (${code})` : text;
}

/** `1 record`, `2 records`, `1 dead letter` */
export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

interface StreamOptions {
  /** how the message names the output: `stdout`, `'out.ndjson'` */
  name: string;
  /** what it counts, for the message: `record` (the default), `dead letter` */
  unit?: string;
  /** stdout: a reader going away (EPIPE) ends the output quietly */
  quietEpipe: boolean;
  /** end() ends the stream (a file), or only flushes it (stdout stays open for the launcher) */
  endStream: boolean;
  /** the output was closed before sluice started (`>&-`): the first text written fails */
  closedAtStart?: boolean;
  isTerminal: boolean;
}

/** A text sink over a Node writable stream: backpressure, a quiet EPIPE where asked, and failures counted. */
export function streamSink(out: Writable, o: StreamOptions): Sink {
  let closed = false;
  let error: unknown = null;
  /** records handed over with text, and those whose text the OS took */
  let handed = 0;
  let written = 0;
  let room: Promise<void> | null = null;
  // a failed write's callback hears of it before the stream's 'error' event: either may come first
  const failed = (e: NodeJS.ErrnoException) => {
    if (error !== null || closed) return;
    if (o.quietEpipe && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) closed = true;
    else error = e;
  };
  out.on('error', failed);
  const failure = () => new OutputError(`writing ${o.name} failed after ${plural(written, o.unit ?? 'record')}: ${ioReason(error)}`, { cause: error });
  const check = () => {
    // destroyed under the sink: writes and end() would wait for callbacks that never come
    if (out.destroyed) failed(Object.assign(new Error('the output was closed'), { code: 'ERR_STREAM_DESTROYED' }));
    if (error !== null) throw failure();
  };
  // wait for room, or for the reader to go away (then the executor sees `closed` and stops), or a failure
  const waitRoom = () => {
    room ??= new Promise<void>((resolve) => {
      // destroyed already: no event will come (the write's callback carries the error)
      if (out.destroyed) return resolve();
      const done = () => {
        out.off('drain', done);
        out.off('error', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('error', done);
      out.on('close', done);
    }).then(() => {
      room = null;
      check();
    });
    return room;
  };
  const flush = () => new Promise<void>((resolve) => {
    if (closed || error !== null || out.destroyed) resolve();
    else out.write('', (e) => { if (e) failed(e); resolve(); });
  }).then(check);
  return {
    kind: 'text',
    write(text, records = 0) {
      check();
      handed += records;
      if (closed || text.length === 0) return undefined;
      if (o.closedAtStart) {
        error = Object.assign(new Error(`${o.name} is closed`), { code: 'EBADF' });
        throw failure();
      }
      const upto = handed;
      const ok = out.write(text, (e) => {
        if (e) failed(e);
        else written = upto;
      });
      return ok && room === null ? undefined : waitRoom();
    },
    flush,
    async end() {
      await flush();
      if (!o.endStream || closed || out.destroyed) return;
      await new Promise<void>((resolve) => out.end((e?: Error | null) => { if (e) failed(e); resolve(); }));
      // (a stream that finished is destroyed: only an error counts here)
      if (error !== null) throw failure();
    },
    get closed() {
      return closed;
    },
    isTerminal: o.isTerminal,
  };
}

export function stdoutSink(opts: { closedAtStart?: boolean } = {}): Sink {
  const out = process.stdout;
  return streamSink(out, { name: 'stdout', quietEpipe: true, endStream: false, closedAtStart: opts.closedAtStart, isTerminal: out.isTTY === true });
}

/** A file, opened before the first record is read: one that cannot be opened is unavailable (exit 69). */
export async function openFile(path: string, highWaterMark?: number, flags: 'w' | 'a' = 'w'): Promise<Writable> {
  const ws = createWriteStream(path, { highWaterMark, flags });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) => reject(new UnavailableError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : ioReason(e)}`)));
  });
  return ws;
}

const COMPRESSED_EXTENSION = /\.(gz|zst|xz|bz2|lz4|zip)$/i;

/** A file; `.gz` and `.zst` are written compressed (see compressed.ts). */
export async function fileSink(path: string): Promise<Sink> {
  if (COMPRESSED_EXTENSION.test(path)) {
    const { compressedFileSink } = await import('./compressed.js');
    return compressedFileSink(path);
  }
  const ws = await openFile(path);
  return streamSink(ws, { name: `'${path}'`, quietEpipe: false, endStream: true, isTerminal: false });
}
