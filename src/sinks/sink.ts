// Output sinks: stdout and files. A sink takes text and returns a promise only when the
// writer must wait (backpressure); the executor awaits it, which pauses reading. A reader of
// stdout that goes away (`| head`) closes the sink quietly: no error, no stack trace.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { UnavailableError } from '../errors/errors.js';

export interface Sink {
  /** resolves when the text is accepted; undefined when it was taken at once */
  write(text: string): Promise<void> | undefined;
  /** flush and close */
  end(): Promise<void>;
  /** true once the reader went away (EPIPE): stop producing */
  readonly closed: boolean;
  readonly isTerminal: boolean;
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
  return {
    write(text) {
      if (closed || text.length === 0) return undefined;
      return out.write(text) ? undefined : room();
    },
    async end() {
      if (closed) return;
      await new Promise<void>((resolve) => out.write('', () => resolve()));
    },
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
    write(text) {
      if (failure) throw new UnavailableError(`cannot write '${path}': ${(failure as Error).message}`);
      if (text.length === 0 || ws.write(text)) return undefined;
      return once(ws, 'drain').then(() => undefined);
    },
    end() {
      return new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
    },
    closed: false,
    isTerminal: false,
  };
}
