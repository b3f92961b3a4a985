import type { Batch, Event } from '../core/event.js';
import { count } from './head.js';
import { defineOperator } from './types.js';

export const tail = defineOperator<number>({
  name: 'tail',
  aliases: [],
  kind: 'stateful',
  summary: 'keep the last N records',
  usage: 'tail N',
  description: 'Holds the last N records (a ring buffer: memory is bounded by N) and writes them at the end of input. ' +
    'Interrupted without --state it writes nothing (the last N records read so far are not the last N) and says on stderr how many it held.',
  examples: [{ program: 'tail 2', input: '{"n":1}\n{"n":2}\n{"n":3}\n', output: '{"n":2}\n{"n":3}\n' }],
  parse: (p) => count(p, 'the number of records'),
  print: (n) => String(n),
  build(n) {
    // grows to n as records arrive: n may be far larger than the input (tail 4294967296)
    let ring: Event[] = [];
    let seen = 0;
    return {
      kind: 'stateful',
      holds: true,
      push(batch: Batch): Batch {
        if (n === 0) return [];
        for (const ev of batch) {
          if (ring.length < n) ring.push(ev);
          else ring[seen % n] = ev;
          seen++;
        }
        return [];
      },
      end(): Batch {
        if (n === 0 || seen === 0) return [];
        if (seen <= n) return ring.slice(0, seen);
        const at = seen % n;
        return [...ring.slice(at), ...ring.slice(0, at)];
      },
      interrupt: () => ({ out: [], partial: 0, withheld: Math.min(seen, n) }),
      snapshot: () => ({ ring: ring.slice(0, Math.min(seen, n)), seen }),
      restore(s) {
        const st = s as { ring: Event[]; seen: number };
        ring = st.ring.slice(0, n);
        seen = st.seen;
      },
    };
  },
});
