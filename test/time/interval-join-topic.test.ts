// The interval join with a Kafka topic on the other side, without a broker: a fake RightInput
// delivers a topic of 3 partitions (each in event-time order, as the real test topic) in any
// interleaving of the partitions and any cut into fetches, each partition's `ended` after its last
// row as kafka/source.ts positionInput gives it, while the program's input comes in batches of any
// size. Whatever the order, nothing is late and the output is the brute-force join. (Written while
// looking for the flaky real-broker failure of test/kafka/interval-join.test.ts: it rules out the
// stage and its watermarks under every delivery order a well-ordered topic can produce.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEvent, type Batch, type Event, type PartitionChange, type Value } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { Flush, RightInput, StatefulStage } from '../../src/operators/types.js';
import { compileProgram } from '../../src/plan/compile.js';

const T0 = 1714564800000;
const flushed = async (f: Flush): Promise<Batch> => {
  if (Array.isArray(f)) return f;
  const out: Batch = [];
  for await (const b of f as AsyncIterable<Batch>) out.push(...b);
  return out;
};

function fakeTopic(pulls: { events: Event[]; changes: PartitionChange[] }[]): RightInput {
  let i = 0;
  return {
    finite: true, stopped: false, stop() {}, async open() {},
    async pull() { await Promise.resolve(); return i < pulls.length ? pulls[i++]! : null; },
    position: () => i, async close() {},
  };
}

describe('join kafka://… within: the topic\'s partitions delivered in any order', () => {
  it('gives the brute-force join with nothing late, in every mode, however the partitions and the input are cut', async () => {
    const orders = Array.from({ length: 300 }, (_, i) => ({ order_id: i % 40, ts: T0 + i * 100, n: i }));
    const payments = Array.from({ length: 250 }, (_, j) => ({ order_id: (j * 7) % 45, at: T0 + j * 120 + 37, pay: j }));
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(2), { minLength: 0, maxLength: 60 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom('inner', 'right', 'outer', 'left'),
      async (picks, size, lsize, mode) => {
        const parts: Event[][] = [[], [], []];
        for (const p of payments) {
          const k = p.order_id % 3;
          const ev = makeEvent(p as unknown as Value, undefined, { name: 'pay', topic: 'pay' }, 0, 0);
          ev.partition = k; ev.offset = parts[k]!.length;
          parts[k]!.push(ev);
        }
        const pulls: { events: Event[]; changes: PartitionChange[] }[] = [{ events: [], changes: [0, 1, 2].map((p) => ({ kind: 'assigned', partition: `pay/${p}` })) }];
        const at = [0, 0, 0];
        const ended = [false, false, false];
        const seq = [...picks, ...Array(300).fill(0).map((_, i) => i % 3)];
        for (const k of seq) {
          if (at[k]! < parts[k]!.length) {
            pulls.push({ events: parts[k]!.slice(at[k], at[k]! + size), changes: [] });
            at[k] = at[k]! + size;
          } else if (!ended[k]) { ended[k] = true; pulls.push({ events: [], changes: [{ kind: 'ended', partition: `pay/${k}` }] }); }
        }
        const late: unknown[] = [];
        const program = `join "kafka://x/pay" on order_id within 2s on ts = at as p ${mode}`;
        const mk = (right: RightInput | null) => compileProgram(right ? program : program.replace('"kafka://x/pay"', '"/dev/null"'), { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null, rightInput: () => right! } as never, new Stats(), {
          bad: (_ev, reason) => { throw new Error(`bad input: ${reason}`); },
          late: (ev) => { late.push(ev.value); }, assertFailed: () => undefined, warn: () => undefined,
        }).stages[0] as StatefulStage;
        const stage = mk(fakeTopic(pulls));
        const out: Batch = [];
        const evs = orders.map((o, i) => makeEvent(o as unknown as Value, undefined, { name: 'in' }, i + 1, 0));
        for (let i = 0; i < evs.length; i += lsize) {
          const b = evs.slice(i, i + lsize);
          const w = stage.ready?.(b);
          if (w) await w;
          out.push(...stage.push(b));
        }
        out.push(...(await flushed(stage.end())));
        expect(late).toEqual([]);
        const lines = out.map((e) => JSON.stringify(e.value)).sort();
        // model
        const exp: string[] = [];
        const matched = new Set<unknown>();
        for (const o of orders) {
          const ms = payments.filter((p) => p.order_id === o.order_id && Math.abs(p.at - o.ts) <= 2000);
          for (const m of ms) { exp.push(JSON.stringify({ ...o, p: m })); matched.add(m); }
          if (ms.length === 0 && (mode === 'left' || mode === 'outer')) exp.push(JSON.stringify({ ...o, p: null }));
        }
        if (mode === 'right' || mode === 'outer') for (const p of payments) if (!matched.has(p)) exp.push(JSON.stringify({ p }));
        expect(lines).toEqual(exp.sort());
      }), { numRuns: 300 });
  });
});
