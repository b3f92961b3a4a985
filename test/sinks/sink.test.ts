// Text sinks over a stream: a write that fails (a full disk) becomes an OutputError (exit 74)
// that counts the records whose text was written; a reader going away from stdout (EPIPE) ends
// the output quietly; a stdout closed before the start fails at the first text, not before.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors/errors.js';
import { ioReason, streamSink } from '../../src/sinks/sink.js';

/** Takes `okWrites` writes, then fails every one with `code`. */
function failingAfter(okWrites: number, code: string, message: string): Writable & { text: string } {
  let n = 0;
  const w = new Writable({
    decodeStrings: false,
    highWaterMark: 64,
    write(chunk: string, _enc, cb) {
      setImmediate(() => {
        if (++n > okWrites) return cb(Object.assign(new Error(`${code}: ${message}, write`), { code }));
        w.text += chunk;
        cb();
      });
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `{"i":${from + i}}\n`).join('');

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => null, (e: unknown) => e);
}

describe('stream sinks', () => {
  it('a full disk part-way: exit 74, and the count of records whose text reached the file', async () => {
    const out = failingAfter(2, 'ENOSPC', 'no space left on device');
    const sink = streamSink(out, { name: "'out.ndjson'", quietEpipe: false, endStream: true, isTerminal: false });
    const caught = await failure((async () => {
      let i = 0;
      // batches of 3, 4, 5 ... records; text held back by an encoder (table) is counted when written
      for (let size = 3; size < 50; size++) {
        await sink.write(lines(i, size), size);
        i += size;
      }
      await sink.write('', 7);
      await sink.end();
    })());
    expect(caught).toBeInstanceOf(OutputError);
    expect((caught as OutputError).exitCode).toBe(74);
    // the first two writes (3 + 4 records) got through
    expect(out.text).toBe(lines(0, 7));
    expect((caught as OutputError).message).toBe("writing 'out.ndjson' failed after 7 records: no space left on device (ENOSPC)");
  });

  it('a failure after the last write is reported by end()', async () => {
    const out = failingAfter(0, 'EIO', 'i/o error');
    const sink = streamSink(out, { name: 'stdout', quietEpipe: true, endStream: false, isTerminal: false });
    expect(sink.write(lines(0, 1), 1)).toBeUndefined();
    const caught = await failure(sink.end());
    expect((caught as OutputError).message).toBe('writing stdout failed after 0 records: i/o error (EIO)');
  });

  it('stdout whose reader went away (EPIPE) closes quietly', async () => {
    const out = failingAfter(1, 'EPIPE', 'broken pipe');
    const sink = streamSink(out, { name: 'stdout', quietEpipe: true, endStream: false, isTerminal: false });
    await sink.write(lines(0, 2), 2);
    await sink.write(lines(2, 2), 2);
    await sink.flush();
    expect(sink.closed).toBe(true);
    expect(sink.write(lines(4, 1), 1)).toBeUndefined();
    await sink.end();
  });

  it('stdout closed before the start (>&-): the first text fails, an empty output does not', async () => {
    const sink = streamSink(failingAfter(100, 'EIO', 'unused'), { name: 'stdout', quietEpipe: true, endStream: false, closedAtStart: true, isTerminal: false });
    expect(sink.write('', 0)).toBeUndefined();
    await sink.flush();
    expect(() => sink.write(lines(0, 1), 1)).toThrow(new OutputError('writing stdout failed after 0 records: stdout is closed (EBADF)'));
    const empty = streamSink(failingAfter(100, 'EIO', 'unused'), { name: 'stdout', quietEpipe: true, endStream: false, closedAtStart: true, isTerminal: false });
    await empty.end();
  });

  it('says what went wrong in a few words', () => {
    expect(ioReason(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe('no space left on device (ENOSPC)');
    expect(ioReason(Object.assign(new Error("EACCES: permission denied, open 'x'"), { code: 'EACCES' }))).toBe('permission denied (EACCES)');
    expect(ioReason(Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' }))).toBe('Cannot call write after a stream was destroyed');
  });
});

describe('a stream destroyed under the sink', () => {
  it('does not leave a writer waiting for room that never comes', async () => {
    const out = failingAfter(100, 'EIO', 'unused');
    const sink = streamSink(out, { name: "'out.ndjson'", quietEpipe: false, endStream: true, isTerminal: false });
    out.destroy();
    await new Promise((r) => setImmediate(r));
    const caught = await failure((async () => {
      await sink.write(lines(0, 1), 1);
      await sink.end();
    })());
    expect(caught).toBeInstanceOf(OutputError);
    expect((caught as OutputError).message).toMatch(/^writing 'out.ndjson' failed after 0 records: /);
  });
});
