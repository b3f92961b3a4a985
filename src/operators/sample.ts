import type { Batch } from '../core/event.js';
import { defineOperator } from './types.js';

/** mulberry32: a small, fast, seeded PRNG, so the same input always gives the same sample. */
/** mulberry32; `state.a` is all there is to checkpoint */
function prng(state: { a: number }): () => number {
  return () => {
    state.a = (state.a + 0x6d2b79f5) >>> 0;
    let t = state.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sample = defineOperator<number>({
  name: 'sample',
  aliases: [],
  kind: 'stateless',
  summary: 'keep a random fraction of the records (deterministic)',
  usage: 'sample RATE',
  description:
    'Keeps each record with probability RATE, written as a fraction (`0.1`) or a percentage (`10%`). ' +
    'The random sequence has a fixed seed, so the same input always gives the same sample.',
  examples: [{ program: 'sample 100%', input: '{"n":1}\n{"n":2}\n', output: '{"n":1}\n{"n":2}\n' }],
  parse(p) {
    const n = p.number('a rate such as 0.1 or 10%');
    const rate = p.accept('%') ? n.value / 100 : n.value;
    if (!(rate > 0 && rate <= 1)) p.fail('the sample rate must be in (0, 1] or (0%, 100%]', p.spanFrom(n.span.start));
    return rate;
  },
  print: (rate) => String(rate),
  build(rate) {
    const state = { a: 0x5eed };
    const next = prng(state);
    return {
      kind: 'stateful',
      holds: false,
      push(batch: Batch): Batch {
        if (rate >= 1) return batch;
        return batch.filter(() => next() < rate);
      },
      end: () => [],
      snapshot: () => state.a,
      restore(s) { state.a = s as number; },
    };
  },
});
