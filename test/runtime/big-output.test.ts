// Item 1 of issue #16: a big final output (sort, an aggregate by many keys) goes through the
// encoder and the sink in bounded slices, and sort spills sorted runs past --sort-buffer. The real
// 5 M-record run is in `npm run soak:load` (test/runtime/big-output.soak.test.ts); here small inputs
// with a small buffer exercise the same code.

import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decoders, encoders } from '../../src/formats/index.js';
import { compileProgram } from '../../src/plan/compile.js';
import { Executor } from '../../src/runtime/executor.js';
import { SLICE } from '../../src/runtime/slices.js';
import type { Sink } from '../../src/sinks/sink.js';
import type { TextInput } from '../../src/sources/text.js';
import { Stats } from '../../src/core/stats.js';
import type { Batch, Event } from '../../src/core/event.js';
import type { Stage } from '../../src/operators/types.js';

/** Run a program over NDJSON text through the executor; every text handed to the sink is kept. */
async function run(program: string, input: string, sortBufferBytes?: number, onWrite?: () => void): Promise<string[]> {
  const stats = new Stats();
  let executor: Executor | null = null;
  const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null, sortBufferBytes }, stats, {
    warn: () => undefined,
    bad: (ev, reason) => executor!.badEvent(ev, reason),
    late: (ev, reason) => executor!.lateEvent(ev, reason),
    assertFailed: () => undefined,
  });
  const textInput: TextInput = {
    name: '-',
    path: null,
    async *chunks() {
      // 1 MiB chunks, as files are read
      for (let i = 0; i < input.length; i += 1 << 20) yield input.slice(i, i + (1 << 20));
    },
    close: () => undefined,
    position: () => ({ path: '-', dev: '', ino: '', head: '', offset: 0, gzip: false, done: true }),
    resume: async () => [],
  };
  const writes: string[] = [];
  const sink: Sink = {
    kind: 'text',
    write: (t) => {
      onWrite?.();
      writes.push(t);
      return undefined;
    },
    flush: async () => undefined,
    end: async () => undefined,
    closed: false,
    isTerminal: false,
  };
  executor = new Executor({
    inputs: [textInput], formatFor: () => 'ndjson', decoders, decode: { infer: true }, stages,
    encoder: encoders.ndjson({ passRaw: true }), sink, stats, onError: 'fail', late: 'drop', live: false,
    commitPerBatch: false, deadLetter: null, warn: () => undefined, interrupted: () => false, checkpoint: null,
  });
  await executor.run();
  return writes.filter((w) => w.length > 0);
}

const lineCount = (t: string) => t.split('\n').length - 1;

describe('a big final output is written in slices', () => {
  const n = 3 * SLICE + 123;
  const input = Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, k: (i * 7919) % n })).join('\n') + '\n';

  it('sort: no write holds the whole output, and the output is the sorted input', async () => {
    const writes = await run('sort k', input);
    expect(writes.length).toBeGreaterThan(3);
    expect(Math.max(...writes.map(lineCount))).toBeLessThanOrEqual(SLICE);
    const out = writes.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; k: number });
    expect(out.map((r) => r.k)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('an aggregate by as many keys as records: its results come in slices, in order of first appearance', async () => {
    const writes = await run('count() by k', input);
    expect(writes.length).toBeGreaterThan(3);
    expect(Math.max(...writes.map(lineCount))).toBeLessThanOrEqual(SLICE);
    const keys = writes.join('').trimEnd().split('\n').map((l) => (JSON.parse(l) as { k: number }).k);
    expect(keys).toEqual(Array.from({ length: n }, (_, i) => (i * 7919) % n));
  });

  it('a plain where writes each 1 MiB input chunk in one or two pieces, not one per slice', async () => {
    const writes = await run('where true', input);
    expect(writes.join('')).toBe(input);
    expect(writes.length).toBeLessThanOrEqual(2 * Math.ceil(input.length / (1 << 20)));
  });
});

describe('sort spills to temporary files past --sort-buffer', () => {
  it('gives the stable sorted order of the in-memory sort, and removes its files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spill-test-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      await fc.assert(fc.asyncProperty(
        fc.array(fc.record({ k: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(null), fc.constantFrom('a', 'b')), v: fc.nat(1000) }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.boolean(),
        async (records, budget, desc) => {
          const input = records.map((r, i) => JSON.stringify({ ...r, i })).join('\n') + (records.length ? '\n' : '');
          const program = `sort k${desc ? ' desc' : ''}`;
          // while the merge writes, the runs are in TMPDIR: a record is estimated at 200 bytes at least
          let files = 0;
          const spilled = (await run(program, input, budget, () => { files = Math.max(files, readdirSync(dir).length); })).join('');
          if (records.length * 200 > budget) expect(files).toBe(1);
          const inMemory = (await run(program, input)).join('');
          expect(spilled).toBe(inMemory);
          expect(readdirSync(dir)).toEqual([]);
        },
      ), { numRuns: 60 });
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sort | head: the merge stops once head has its records, and the runs are removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spill-test-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      const input = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ k: (i * 31) % 1000, i })).join('\n') + '\n';
      const out = (await run('sort k desc | head 3', input, 10_000)).join('');
      expect(out).toBe('{"k":999,"i":129}\n{"k":999,"i":1129}\n{"k":999,"i":2129}\n');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a checkpoint of a sort that spilled holds every record; restored, it sorts the same', () => {
    const build = (budget: number) => compileProgram('sort k', { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null, sortBufferBytes: budget }, new Stats(), {
      warn: () => undefined, bad: () => undefined, late: () => undefined, assertFailed: () => undefined,
    }).stages[0]!;
    const ev = (i: number): Event => ({ value: { k: i % 7, i }, raw: undefined, source: { name: '-' }, line: i + 1, offset: -1, partition: -1, key: null, headers: null, timestamp: 0 });
    const all = (s: Stage): number[] => {
      if (s.kind !== 'stateful') throw new Error('sort is stateful');
      const f = s.end();
      const out: number[] = [];
      for (const b of Array.isArray(f) ? [f] : (f as Iterable<Batch>)) for (const e of b) out.push((e.value as { i: number }).i);
      return out;
    };
    const a = build(2000);
    const b = build(2000);
    if (a.kind !== 'stateful' || b.kind !== 'stateful') throw new Error('sort is stateful');
    a.push(Array.from({ length: 300 }, (_, i) => ev(i)));
    b.restore(structuredClone(a.snapshot()));
    const rest = Array.from({ length: 50 }, (_, i) => ev(300 + i));
    a.push(rest);
    b.push(rest);
    const expected = Array.from({ length: 350 }, (_, i) => i).sort((x, y) => (x % 7) - (y % 7));
    expect(all(a)).toEqual(expected);
    expect(all(b)).toEqual(expected);
  });
});
