// Issue #16, item 5, in a consumer group without --state: after an interrupt that wrote results
// marked "final": false (or withheld records), the messages behind them are not committed, so the
// group reads them again and a later run writes their final results (at least once). A program
// whose output is final (select) commits what it wrote, as before. The input is a stand-in for a
// Kafka input (the executor only knows EventInput); the real broker is not needed for this.

import { describe, expect, it } from 'vitest';
import { Stats } from '../../src/core/stats.js';
import type { Event } from '../../src/core/event.js';
import { decoders, encoders } from '../../src/formats/index.js';
import { compileProgram } from '../../src/plan/compile.js';
import { Executor } from '../../src/runtime/executor.js';
import type { Sink } from '../../src/sinks/sink.js';
import type { EventInput, MessageBatch, PartitionOffset } from '../../src/sources/events.js';

async function interruptedRun(program: string, interrupt: boolean): Promise<{ output: string; commits: PartitionOffset[][]; messages: string[] }> {
  const stats = new Stats();
  const messages: string[] = [];
  const { stages, holds } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, {
    warn: (m) => messages.push(m), bad: () => undefined, late: () => undefined, assertFailed: () => undefined,
  });
  let interrupted = false;
  const commits: PartitionOffset[][] = [];
  const source = { name: 'orders', topic: 'orders' };
  const ev = (offset: number, k: string): Event => ({ value: { k }, raw: undefined, source, line: 0, offset, partition: 0, key: null, headers: null, timestamp: 0 });
  const input: EventInput = {
    kind: 'events',
    name: 'kafka:orders',
    async *batches(): AsyncIterable<MessageBatch> {
      yield { events: [ev(0, 'a'), ev(1, 'b'), ev(2, 'a')], bad: [], next: { topic: 'orders', partition: 0, offset: 3 }, first: 0 };
      // SIGINT: main.ts sets the flag and closes the input
      if (interrupt) interrupted = true;
    },
    commit: async (offsets) => { commits.push(offsets); },
    close: () => undefined,
  };
  let output = '';
  const sink: Sink = { kind: 'text', write: (t) => { output += t; return undefined; }, flush: async () => undefined, end: async () => undefined, closed: false, isTerminal: false };
  await new Executor({
    inputs: [input], formatFor: () => 'ndjson', decoders, decode: { infer: true }, stages,
    encoder: encoders.ndjson({ passRaw: true }), sink, stats, onError: 'fail', late: 'drop', live: true,
    commitPerBatch: !holds, deadLetter: null, warn: (m) => messages.push(m), interrupted: () => interrupted, checkpoint: null,
  }).run();
  return { output, commits, messages };
}

describe('commits after an interrupt, in a consumer group without --state', () => {
  it('count() by: the partial results are written, the offsets are not committed', async () => {
    const r = await interruptedRun('count() by k', true);
    expect(r.output).toBe('{"k":"a","count":2,"final":false}\n{"k":"b","count":1,"final":false}\n');
    expect(r.commits).toEqual([]);
    expect(r.messages).toEqual(['interrupted: 2 results of the input read so far written with "final": false']);
  });

  it('sort: nothing written, nothing committed', async () => {
    const r = await interruptedRun('sort k', true);
    expect(r.output).toBe('');
    expect(r.commits).toEqual([]);
  });

  it('the same aggregate at the end of its input: final results, committed', async () => {
    const r = await interruptedRun('count() by k', false);
    expect(r.output).toBe('{"k":"a","count":2}\n{"k":"b","count":1}\n');
    expect(r.commits).toEqual([[{ topic: 'orders', partition: 0, offset: 3 }]]);
  });

  it('select, interrupted: what was written is final and committed, as before', async () => {
    const r = await interruptedRun('select k', true);
    expect(r.output).toBe('{"k":"a"}\n{"k":"b"}\n{"k":"a"}\n');
    expect(r.commits.at(-1)).toEqual([{ topic: 'orders', partition: 0, offset: 3 }]);
    expect(r.messages).toEqual([]);
  });
});
