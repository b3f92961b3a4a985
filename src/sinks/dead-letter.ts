// The dead-letter sink (--dead-letter PATH): each bad input, or late record with --late
// dead-letter, as one NDJSON line {raw, reason, location}. Lines are gathered into chunks of
// 64 KiB and written through a stream sink, so a file of bad input costs one write per chunk,
// not per line. `write` answers the sink's promise when the file cannot take more: the executor
// waits for it before its next batch, which holds reading back (bounded memory, whatever the
// input); a failure (a full disk) is thrown by the next write, flush or end as an OutputError
// (exit 74) saying how many dead letters were written.

import { openFile, streamSink, type Sink } from './sink.js';

/** One bad input or late record: its text as read, why it was put aside, and where it came from. */
export interface DeadLetter {
  raw: string;
  reason: string;
  location: string;
}

export interface DeadLetterSink {
  /** keeps one dead letter; a promise when the file is full: wait for it before reading on (it rejects when writing failed) */
  write(bad: DeadLetter): Promise<void> | undefined;
  /** resolves when every dead letter kept so far reached the OS; rejects when writing failed */
  flush(): Promise<void>;
  /** flush and close */
  end(): Promise<void>;
}

const CHUNK = 64 * 1024;

/** Dead letters gathered into chunks and written through a text sink (a file's, or a test's). */
export function deadLetterSink(out: Sink, chunk = CHUNK): DeadLetterSink {
  let text = '';
  let count = 0;
  const push = (): Promise<void> | undefined => {
    if (count === 0) return undefined;
    const t = text;
    const n = count;
    text = '';
    count = 0;
    return out.write(t, n);
  };
  return {
    write(bad) {
      text += `${JSON.stringify({ raw: bad.raw, reason: bad.reason, location: bad.location })}\n`;
      count++;
      return text.length >= chunk ? push() : undefined;
    },
    async flush() {
      await push();
      await out.flush();
    },
    async end() {
      await push();
      await out.end();
    },
  };
}

/** --dead-letter PATH: the file is opened before the first record is read (exit 69 if it cannot be). */
export async function deadLetterFile(path: string): Promise<DeadLetterSink> {
  const ws = await openFile(path, 4 * CHUNK);
  return deadLetterSink(streamSink(ws, { name: `the dead-letter file '${path}'`, unit: 'dead letter', quietEpipe: false, endStream: true, isTerminal: false }));
}
