// The emit clause shared by windows and plain aggregates: final (default), every DURATION
// (early results by the wall clock, live inputs only), changes (after every record).

import type { StageParser } from '../lang/parser.js';

export interface Dur {
  ms: number;
  text: string;
}

export type Emit = { mode: 'final' } | { mode: 'every'; every: Dur } | { mode: 'changes' };

export function positiveDuration(p: StageParser, what: string): Dur {
  const d = p.duration(`${what} (a duration such as 10s, 5m or 1h)`);
  if (!(d.ms > 0)) p.fail(`${what} must be longer than 0`, d.span);
  return { ms: d.ms, text: d.text };
}

export function parseEmit(p: StageParser): Emit {
  const t = p.name("final, every DURATION or changes after 'emit'");
  if (t.name === 'final') return { mode: 'final' };
  if (t.name === 'changes') return { mode: 'changes' };
  if (t.name === 'every') return { mode: 'every', every: positiveDuration(p, 'the emit interval') };
  return p.fail(`unknown emit mode '${t.name}' (final, every DURATION, changes)`, t.span);
}

export function printEmit(e: Emit): string {
  return e.mode === 'every' ? `emit every ${e.every.text}` : e.mode === 'changes' ? 'emit changes' : '';
}
