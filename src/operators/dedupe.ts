import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import { groupKey } from '../lang/values.js';
import type { Batch, Event } from '../core/event.js';
import { eventTimeReader } from './event-time.js';
import { formatDuration } from '../time/duration.js';
import { defineOperator } from './types.js';

interface DedupeArgs {
  keys: Expr[];
  within: { ms: number; text: string } | null;
  /** event time for `within` (else @timestamp) */
  on: Expr | null;
}

export const dedupe = defineOperator<DedupeArgs>({
  name: 'dedupe',
  aliases: [],
  kind: 'stateful',
  summary: 'drop repeated records (by keys, optionally within a time span)',
  usage: 'dedupe [KEY, ...] [within DURATION [on FIELD]]',
  description:
    'Passes the first record of each distinct key and drops the repeats. Without keys the whole record is the key. ' +
    'With `within DURATION` a key may pass again once DURATION has gone by since it last passed, ' +
    'measured in event time with `on FIELD` (read like a window\'s `on`), else on @timestamp; memory then holds only ' +
    'the keys seen within DURATION of the latest time. A record whose time cannot be read is bad input.',
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
    const on = within && p.acceptKeyword('on') ? p.path('the event-time field after on') : null;
    return { keys, within: within && { ms: within.ms, text: within.text }, on };
  },
  print: (a) => [
    a.keys.map(printExpr).join(', '),
    a.within ? `within ${a.within.text ?? formatDuration(a.within.ms)}` : '',
    a.on ? `on ${printExpr(a.on)}` : '',
  ].filter(Boolean).join(' '),
  build({ keys, within, on }, ctx) {
    const timeOf = on === null ? (ev: Event) => ev.timestamp : eventTimeReader(on, ctx, 'dedupe');
    const fns = keys.map((k) => ctx.compiler.value(k));
    const keyOf = fns.length === 0
      ? (v: unknown) => JSON.stringify(v)
      : fns.length === 1
        ? (v: unknown, ev: Parameters<(typeof fns)[0]>[1]) => groupKey(fns[0]!(v as never, ev))
        : (v: unknown, ev: Parameters<(typeof fns)[0]>[1]) => JSON.stringify(fns.map((f) => f(v as never, ev) ?? null));
    const seen = new Map<unknown, number>();
    let lastSweep = -Infinity;
    let latest = -Infinity;
    return {
      kind: 'stateful',
      holds: false,
      push(batch: Batch): Batch {
        const out: Batch = [];
        for (const ev of batch) {
          const t = within === null ? 0 : timeOf(ev);
          if (t === null) continue;
          const k = keyOf(ev.value, ev);
          const prev = seen.get(k);
          if (prev !== undefined && (within === null || t - prev < within.ms)) continue;
          // Map keeps insertion order; re-insert so the oldest keys stay at the front for sweeping
          seen.delete(k);
          seen.set(k, t);
          out.push(ev);
          // forget keys that can no longer block an in-order record: older than DURATION before
          // the latest time (Map order is last-pass order; with disorder a few stale keys may
          // linger a sweep). Swept per record, not per batch, so that what an out-of-order
          // record meets does not depend on how the input was cut into batches.
          if (t > latest) {
            latest = t;
            if (within !== null && latest - lastSweep >= within.ms) {
              lastSweep = latest;
              for (const [key, last] of seen) {
                if (latest - last < within.ms) break;
                seen.delete(key);
              }
            }
          }
        }
        return out;
      },
      end: () => [],
      snapshot: () => ({ seen, lastSweep, latest }),
      restore(s) {
        const st = s as { seen: Map<unknown, number>; lastSweep: number; latest: number };
        for (const [k, t] of st.seen) seen.set(k, t);
        lastSweep = st.lastSweep;
        latest = st.latest;
      },
    };
  },
});
