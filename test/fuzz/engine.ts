// Runs a target over inputs from..to of a seeded run and sorts what fails: crashes (a throw or a
// broken property that no known bug explains), hangs (an input slower than `hangMs`; a true
// endless loop is caught by the watchdog of `npm run fuzz`, see run.ts), and known bugs (counted
// per issue item). Shared by the CI test (a few hundred inputs) and `npm run fuzz` (millions).

import { explain } from './known.js';
import type { Input, Target } from './targets.js';

export interface Finding {
  target: string;
  seed: number;
  index: number;
  what: string;
  /** the smallest input known to fail (the cured one when a cure was tried), as JSON */
  input: string;
}

export interface Tally {
  inputs: number;
  crashes: Finding[];
  hangs: Finding[];
  /** known-bug label → how many inputs it explained */
  known: Map<string, number>;
}

export const emptyTally = (): Tally => ({ inputs: 0, crashes: [], hangs: [], known: new Map() });

function failure(target: Target, input: Input): string | null {
  try {
    return target.check(input);
  } catch (e) {
    return `threw ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`;
  }
}

const MAX_KEPT = 20;

/** Check inputs [from, to) of run `seed`; `progress(i)` is called before input i (the watchdog reads it). */
export function runTarget(target: Target, seed: number, from: number, to: number, hangMs: number, progress?: (i: number) => void, tally = emptyTally()): Tally {
  for (let i = from; i < to; i++) {
    progress?.(i);
    const input = target.input(seed, i);
    const t = performance.now();
    const what = failure(target, input);
    const ms = performance.now() - t;
    tally.inputs++;
    if (ms > hangMs) {
      const ex = explain(input.text, target.name, (text) => timed(target, { ...input, text }) > hangMs);
      if ('labels' in ex) count(tally, ex.labels);
      else if (tally.hangs.length < MAX_KEPT) tally.hangs.push({ target: target.name, seed, index: i, what: `took ${ms.toFixed(0)} ms`, input: JSON.stringify(ex.cured).slice(0, 2000) });
      continue;
    }
    if (what === null) continue;
    // a cure changes no line breaks (bar CR-only ones), so the units stay where they were
    const ex = explain(input.text, target.name, (text) => failure(target, { ...input, text, cuts: input.cuts?.filter((c) => c < text.length) }) !== null);
    if ('labels' in ex) count(tally, ex.labels);
    else if (tally.crashes.length < MAX_KEPT) tally.crashes.push({ target: target.name, seed, index: i, what, input: JSON.stringify(ex.cured).slice(0, 2000) });
    else tally.crashes.push({ target: target.name, seed, index: i, what, input: '(not kept)' });
  }
  return tally;
}

function timed(target: Target, input: Input): number {
  const t = performance.now();
  failure(target, input);
  return performance.now() - t;
}

function count(tally: Tally, labels: string[]): void {
  const key = labels.join(' + ');
  tally.known.set(key, (tally.known.get(key) ?? 0) + 1);
}

/** One line per finding, with what it takes to make it again. */
export function describeFinding(f: Finding): string {
  return `${f.target} seed ${f.seed} input ${f.index}: ${f.what}\n    input: ${f.input}`;
}
