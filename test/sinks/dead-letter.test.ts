// The dead-letter sink is a real sink: the executor waits for it between batches, so a slow or
// stuck dead-letter file holds reading back (bounded memory) instead of queueing every bad line
// with one 'drain' listener each; every dead letter arrives, in order; a failure of the file
// ends the run with an OutputError that counts what was written.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Stats } from '../../src/core/stats.js';
import { OutputError } from '../../src/errors/errors.js';
import { decoders, encoders } from '../../src/formats/index.js';
import { compileProgram } from '../../src/plan/compile.js';
import { Executor } from '../../src/runtime/executor.js';
import { deadLetterSink } from '../../src/sinks/dead-letter.js';
import { streamSink, type Sink } from '../../src/sinks/sink.js';
import type { TextInput } from '../../src/sources/text.js';

/** A file that takes writes only when told to (`held`), and notes how much it was ever asked to hold. */
class SlowFile extends Writable {
  held = true;
  text = '';
  maxBuffered = 0;
  maxDrainListeners = 0;
  writes = 0;
  private waiting: (() => void)[] = [];
  constructor(highWaterMark: number, private readonly failAfter = Infinity) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    this.maxDrainListeners = Math.max(this.maxDrainListeners, this.listenerCount('drain'));
    const done = () => {
      if (++this.writes > this.failAfter) return cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      this.text += chunk;
      cb();
    };
    if (this.held) this.waiting.push(done);
    else setImmediate(done);
  }
  release(): void {
    this.held = false;
    for (const w of this.waiting.splice(0)) setImmediate(w);
  }
}

/** `n` lines in chunks of 4 KiB; every `badEvery`-th line is not JSON. */
function input(n: number, badEvery: number): { text: string; input: TextInput } {
  let text = '';
  for (let i = 1; i <= n; i++) text += i % badEvery === 0 ? `not json ${i}\n` : `{"i":${i}}\n`;
  const size = 4096;
  return {
    text,
    input: {
      name: 'in.ndjson', path: null,
      async *chunks() {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      },
      close: () => undefined,
      position: () => ({ path: '-', dev: '', ino: '', head: '', offset: 0, gzip: false, done: false }),
      resume: async () => [],
    },
  };
}

function runWith(file: SlowFile, n: number, badEvery: number) {
  const stats = new Stats();
  const { stages } = compileProgram('where true', { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, {
    warn: () => undefined, bad: () => undefined, late: () => undefined, assertFailed: () => undefined,
  });
  let out = 0;
  const sink: Sink = { kind: 'text', write: (t) => { out += t.split('\n').length - 1; return undefined; }, flush: async () => undefined, end: async () => undefined, closed: false, isTerminal: false };
  const dead = deadLetterSink(streamSink(file, { name: "the dead-letter file 'dl'", unit: 'dead letter', quietEpipe: false, endStream: true, isTerminal: false }), 1024);
  const executor = new Executor({
    inputs: [input(n, badEvery).input], formatFor: () => 'ndjson', decoders, decode: { infer: true }, stages,
    encoder: encoders.ndjson({ passRaw: true }), sink, stats, onError: 'skip', late: 'drop', live: false,
    commitPerBatch: true, deadLetter: dead, warn: () => undefined, interrupted: () => false, checkpoint: null,
  });
  const run = executor.run().then(() => dead.end());
  return { run, stats, written: () => out };
}

const turns = async (k: number) => {
  for (let i = 0; i < k; i++) await new Promise((r) => setImmediate(r));
};

describe('--dead-letter backpressure', () => {
  it('a dead-letter file that takes nothing stops reading; released, it gets every dead letter in order', async () => {
    const n = 40_000;
    const file = new SlowFile(2048);
    const r = runWith(file, n, 2);
    await turns(200);
    // stuck: far from all of the 20,000 good records went out, and little is queued for the file
    expect(r.written()).toBeLessThan(2_000);
    expect(file.writableLength).toBeLessThan(64 * 1024);
    file.release();
    await r.run;
    expect(r.written()).toBe(n / 2);
    expect(r.stats.bad).toBe(n / 2);
    const lines = file.text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { raw: string; location: string });
    expect(lines.length).toBe(n / 2);
    expect(lines.every((l, i) => l.raw === `not json ${2 * (i + 1)}` && l.location === `in.ndjson:${2 * (i + 1)}`)).toBe(true);
    // one waiter at a time, however many bad lines (Node warns past 10)
    expect(file.maxDrainListeners).toBeLessThanOrEqual(2);
    expect(file.maxBuffered).toBeLessThan(64 * 1024);
  });

  it('a dead-letter file that fails part-way ends the run with exit 74, counting what was written', async () => {
    const file = new SlowFile(2048, 3);
    file.release();
    const r = runWith(file, 50_000, 1);
    const e = await r.run.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(OutputError);
    const written = file.text.split('\n').length - 1;
    expect(written).toBeGreaterThan(0);
    expect((e as OutputError).message).toBe(`writing the dead-letter file 'dl' failed after ${written} dead letters: no space left on device (ENOSPC)`);
    expect((e as OutputError).exitCode).toBe(74);
    // it stopped reading soon after, rather than reading all 50,000 bad lines first
    expect(r.stats.bad).toBeLessThan(5_000);
  });
});
