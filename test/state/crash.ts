// Crash cycles for --state: run bin/sluice, SIGKILL it at a random moment, start it again with
// the same state file, until a run ends by itself; then compare everything written with one
// uninterrupted run. Shared by the test suite (a few dozen cycles) and `npm run soak` (hundreds).
//
// What must hold (the manual's guarantee, "state exactly once, output at least once"): every
// result of the uninterrupted run is written at least once, nothing is written that the
// uninterrupted run does not write (a wrong count would be a different line), and a result is
// written twice only when it came after the last checkpoint before a crash.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
export const BIN = resolve(ROOT, 'bin', 'sluice');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Start sluice; send it `signal` (SIGKILL) after `killAfterMs` (null: let it end), but not while
 * `hold()` is true (then as soon as it is not).
 */
export function runSluice(args: string[], killAfterMs: number | null, env: NodeJS.ProcessEnv = process.env, signal: NodeJS.Signals = 'SIGKILL',
  hold?: () => boolean): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let timer: NodeJS.Timeout | null = null;
    const kill = () => {
      timer = hold?.() === true ? setTimeout(kill, 20) : null;
      if (timer === null) child.kill(signal);
    };
    if (killAfterMs !== null) timer = setTimeout(kill, killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      done({ code, signal, stderr });
    });
  });
}

/** A seeded PRNG (mulberry32) so that a failing cycle can be run again. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Comparison {
  /** results of the uninterrupted run never written */
  lost: string[];
  /** lines written that the uninterrupted run does not write */
  wrong: string[];
  /** results written more than once, and how many extra times in all */
  duplicated: number;
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** Compare the union of the crashed runs' outputs with the uninterrupted run's. */
export function compare(expected: string[], written: string[]): Comparison {
  const want = new Map<string, number>();
  for (const l of expected) want.set(l, (want.get(l) ?? 0) + 1);
  const got = new Map<string, number>();
  for (const l of written) got.set(l, (got.get(l) ?? 0) + 1);
  const lost = [...want.keys()].filter((l) => !got.has(l));
  const wrong = [...got.keys()].filter((l) => !want.has(l));
  let duplicated = 0;
  for (const [l, n] of got) duplicated += Math.max(0, n - (want.get(l) ?? 0));
  return { lost, wrong, duplicated };
}

export interface CycleResult extends Comparison {
  runs: number;
  kills: number;
  /**
   * Results a run wrote again other than as the repetition a restart may make (0 when it holds):
   * what came after the checkpoint it restored, which earlier runs may have begun to write.
   */
  misplaced: number;
  /** one line per run (kill time, how it ended, lines written, what misplacedRepeats flagged, stderr): for failure messages */
  log: string[];
}

/**
 * How many of `run`'s lines repeat earlier output other than as a restart may: a restart from a
 * checkpoint writes again, first, results that came after that checkpoint, in the order one
 * earlier run wrote them, and nothing it wrote before afterwards. With `ordered` false
 * (partitions interleave differently from run to run) the repeated lines need only come first.
 */
export function misplacedRepeats(earlierRuns: string[][], earlier: Set<string>, run: string[], ordered: boolean, why?: string[]): number {
  let d = 0;
  while (d < run.length && earlier.has(run[d]!)) d++;
  const after = run.slice(d).filter((l) => earlier.has(l));
  let bad = after.length;
  if (after.length > 0) why?.push(`${after.length} repeated after the first ${d} lines (at line ${d} a new result: ${run[d]}); first: ${after[0]}`);
  if (ordered && d > 0) {
    const stretch = run.slice(0, d);
    const inOne = earlierRuns.some((out) => {
      const at = out.indexOf(stretch[0]!);
      return at >= 0 && stretch.every((l, i) => out[at + i] === l);
    });
    if (!inOne) {
      bad += d;
      why?.push(`the first ${d} lines repeat earlier output but not as one stretch of one earlier run: ${stretch.slice(0, 3).join(' ')} …`);
    }
  }
  return bad;
}

/**
 * Run `args` (which must write to `out(i)` for run i, and use --state) with SIGKILLs drawn from
 * `killMs` until a run exits by itself, then compare with `expected`. `between(i)` runs before
 * each start (to append to a followed file, rotate it, …).
 */
export async function crashCycles(opts: {
  args: (run: number) => string[];
  out: (run: number) => string;
  expected: string[];
  killMs: () => number | null;
  maxRuns: number;
  between?: (run: number) => void | Promise<void>;
  env?: NodeJS.ProcessEnv;
  /** the last run does not end by itself (--follow, Kafka without -e): SIGINT it after this long */
  interruptLastAfterMs?: number;
  /** each run writes its results in the same order (one input partition) */
  ordered?: boolean;
  /** a run is not killed while this is true (e.g. before the first checkpoint that holds an input position) */
  hold?: () => boolean;
}): Promise<CycleResult> {
  const written: string[] = [];
  const seen = new Set<string>();
  const runs: string[][] = [];
  let misplaced = 0;
  let kills = 0;
  const log: string[] = [];
  for (let run = 0; ; run++) {
    if (run >= opts.maxRuns) throw new Error(`no run ended by itself within ${opts.maxRuns} runs`);
    await opts.between?.(run);
    const last = run === opts.maxRuns - 1;
    const killAfter = last ? null : opts.killMs();
    const r = last && opts.interruptLastAfterMs !== undefined
      ? await runSluice(opts.args(run), opts.interruptLastAfterMs, opts.env, 'SIGINT')
      : await runSluice(opts.args(run), killAfter, opts.env, 'SIGKILL', opts.hold);
    let text = '';
    try {
      text = readFileSync(opts.out(run), 'utf8');
    } catch {
      // killed before the output file was opened
    }
    // a line cut by SIGKILL is not a result: only whole lines count
    const whole = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    const mine = lines(whole);
    const why: string[] = [];
    const bad = misplacedRepeats(runs, seen, mine, opts.ordered ?? false, why);
    misplaced += bad;
    log.push(`run ${run}: ${killAfter === null ? 'not killed' : `kill after ${killAfter} ms`}, ended ${r.signal ?? r.code}, ` +
      `${mine.length} lines (${mine.filter((l) => seen.has(l)).length} repeated)${bad > 0 ? `, MISPLACED ${bad}: ${why.join('; ')}` : ''}` +
      `${r.stderr.trim() === '' ? '' : `; stderr: ${r.stderr.trim()}`}`);
    for (const l of mine) seen.add(l);
    written.push(...mine);
    runs.push(mine);
    if (r.signal === 'SIGKILL') {
      kills++;
      continue;
    }
    const want = last && opts.interruptLastAfterMs !== undefined ? 130 : 0;
    if (r.code !== want) throw new Error(`run ${run} exited ${r.code}: ${r.stderr}\n${log.join('\n')}`);
    return { ...compare(opts.expected, written), runs: run + 1, kills, misplaced, log };
  }
}
