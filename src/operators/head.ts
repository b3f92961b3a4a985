import type { StageParser } from '../lang/parser.js';
import type { Batch, Event } from '../core/event.js';
import { defineOperator } from './types.js';

export function count(p: StageParser, what: string): number {
  const n = p.number(what);
  if (!Number.isInteger(n.value) || n.value < 0) p.fail(`${what} must be a whole number ≥ 0`, n.span);
  return n.value;
}

export const head = defineOperator<number>({
  name: 'head',
  aliases: ['limit'],
  kind: 'stateless',
  summary: 'keep the first N records, then stop reading',
  usage: 'head N',
  description: 'Passes the first N records and ends the input early: `sluice head 5 huge.ndjson` reads only what it needs.',
  examples: [{ program: 'head 2', input: '{"n":1}\n{"n":2}\n{"n":3}\n', output: '{"n":1}\n{"n":2}\n' }],
  parse: (p) => count(p, 'the number of records'),
  print: (n) => String(n),
  build(n) {
    let left = n;
    let last: Event | undefined;
    return {
      kind: 'stateful',
      holds: false,
      push(batch: Batch): Batch {
        if (left <= 0) return [];
        const out = batch.length <= left ? batch : batch.slice(0, left);
        left -= out.length;
        if (out.length > 0) last = out[out.length - 1];
        return out;
      },
      end: () => [],
      done: () => left <= 0,
      lastTaken: () => last,
      snapshot: () => left,
      restore(s) { left = s as number; },
    };
  },
});
