// Output sinks: stdout and files. A sink takes text and returns a promise only when the
// writer must wait (backpressure); the executor awaits it, which pauses reading. A reader of
// stdout that goes away (`| head`) closes the sink quietly: no error, no stack trace.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { UnavailableError } from '../errors/errors.js';
import type { Event } from '../core/event.js';

export interface Sink {
  readonly kind: 'text';
  /** resolves when the text is accepted; undefined when it was taken at once */
  write(text: string): Promise<void> | undefined;
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

export function stdoutSink(): Sink {
  const out = process.stdout;
  let closed = false;
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  });
  // wait for room, or for the reader to go away (then the executor sees `closed` and stops)
  const room = () => new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
  const flush = () => new Promise<void>((resolve) => (closed ? resolve() : out.write('', () => resolve())));
  return {
    kind: 'text',
    write(text) {
      if (closed || text.length === 0) return undefined;
      return out.write(text) ? undefined : room();
    },
    flush,
    end: flush,
    get closed() {
      return closed;
    },
    isTerminal: out.isTTY === true,
  };
}

export async function fileSink(path: string): Promise<Sink> {
  const ws: WriteStream = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) => reject(new UnavailableError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : e.message}`)));
  });
  let failure: Error | null = null;
  ws.on('error', (e) => { failure = e; });
  return {
    kind: 'text',
    write(text) {
      if (failure) throw new UnavailableError(`cannot write '${path}': ${(failure as Error).message}`);
      if (text.length === 0 || ws.write(text)) return undefined;
      return once(ws, 'drain').then(() => undefined);
    },
    flush: () => new Promise<void>((resolve) => (ws.writableNeedDrain ? ws.once('drain', () => resolve()) : ws.write('', () => resolve()))),
    end() {
      return new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
    },
    closed: false,
    isTerminal: false,
  };
}
