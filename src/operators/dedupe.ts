import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { groupKey } from '../lang/values.js';
import type { Batch } from '../runtime/event.js';
import { formatDuration } from '../time/duration.js';
import { defineOperator } from './types.js';

interface DedupeArgs {
  keys: Expr[];
  within: { ms: number; text: string } | null;
}

export const dedupe = defineOperator<DedupeArgs>({
  name: 'dedupe',
  aliases: [],
  kind: 'stateful',
  summary: 'drop repeated records (by keys, optionally within a time span)',
  usage: 'dedupe [KEY, ...] [within DURATION]',
  description:
    'Passes the first record of each distinct key and drops the repeats. Without keys the whole record is the key. ' +
    'With `within DURATION` a key may pass again once DURATION has gone by since it last passed, ' +
    'measured on @timestamp; memory then holds only the keys seen within that span.',
  examples: [
    { program: 'dedupe user', input: '{"user":"a","n":1}\n{"user":"b","n":2}\n{"user":"a","n":3}\n', output: '{"user":"a","n":1}\n{"user":"b","n":2}\n' },
    { program: 'dedupe', input: '{"a":1}\n{"a":1}\n{"a":2}\n', output: '{"a":1}\n{"a":2}\n' },
  ],
  parse(p) {
    const keys: Expr[] = [];
    if (!p.atStageEnd() && !p.isKeyword('within')) {
      do keys.push(p.expr()); while (p.accept(','));
    }
    const within = p.acceptKeyword('within') ? p.duration() : null;
    return { keys, within: within && { ms: within.ms, text: within.text } };
  },
  print: (a) => [a.keys.map(printExpr).join(', '), a.within ? `within ${a.within.text ?? formatDuration(a.within.ms)}` : ''].filter(Boolean).join(' '),
  build({ keys, within }, ctx) {
    const fns = keys.map((k) => ctx.compiler.value(k));
    const keyOf = fns.length === 0
      ? (v: unknown) => JSON.stringify(v)
      : fns.length === 1
        ? (v: unknown, ev: Parameters<(typeof fns)[0]>[1]) => groupKey(fns[0]!(v as never, ev))
        : (v: unknown, ev: Parameters<(typeof fns)[0]>[1]) => JSON.stringify(fns.map((f) => f(v as never, ev) ?? null));
    const seen = new Map<unknown, number>();
    let lastSweep = -Infinity;
    return {
      push(batch: Batch): Batch {
        const out: Batch = [];
        for (const ev of batch) {
          const k = keyOf(ev.value, ev);
          const t = ev.timestamp;
          const prev = seen.get(k);
          if (prev !== undefined && (within === null || t - prev < within.ms)) continue;
          // Map keeps insertion order; re-insert so the oldest keys stay at the front for sweeping
          seen.delete(k);
          seen.set(k, t);
          out.push(ev);
        }
        if (within !== null && batch.length > 0) {
          const now = batch[batch.length - 1]!.timestamp;
          if (now - lastSweep >= within.ms) {
            lastSweep = now;
            for (const [k, t] of seen) {
              if (now - t < within.ms) break;
              seen.delete(k);
            }
          }
        }
        return out;
      },
      end: () => [],
      done: () => false,
    };
  },
});
