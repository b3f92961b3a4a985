// --threads: how many worker threads read a file, and whether this run may use them at all
// (plan/thread-plan.ts says which programs qualify; runtime/threads.ts does the reading).

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { UsageError } from '../errors/errors.js';
import type { Program } from '../lang/ast.js';
import type { Value } from '../core/event.js';
import type { Stage, StatefulStage } from '../operators/types.js';
import type { RunPlan } from '../runtime/executor.js';
import { AUTO_MIN_BYTES, DEFAULT_CHUNK, threadMode, type ThreadInput, type ThreadProgram } from '../plan/thread-plan.js';
import { chunkRunner } from '../plan/thread-run.js';
import type { AggregateArgs } from '../operators/aggregate.js';
import { partialMerge } from '../runtime/threads-merge.js';

/**
 * --threads auto|N: the number of threads, and the least file size that uses them. auto takes the
 * cores not busy with other work (`load`, see busyElsewhere), at most 8: a second thread costs
 * some CPU (each worker starts and warms up on its own), which pays only on a core that would
 * otherwise wait.
 */
export function parseThreads(text: string, cores = availableParallelism(), load = busyElsewhere()): { threads: number; minBytes: number } {
  if (text === 'auto') return { threads: Math.max(1, Math.min(cores, 8, Math.ceil(cores - load))), minBytes: AUTO_MIN_BYTES };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--threads takes auto or a number of threads from 1 to 64, not '${text}'`);
  return { threads: n, minBytes: 0 };
}

/**
 * How many cores other work keeps busy now: on Linux the threads runnable at this moment
 * (/proc/loadavg's fourth field, less this one), elsewhere the 1-minute load average. The
 * average is the wrong measure where it can be read: it still holds the commands that ran in the
 * last minute (a script running sluice over many files, one after the other, would count itself).
 */
export function busyElsewhere(text = procLoadavg()): number {
  const m = text === null ? null : /^\S+ \S+ \S+ (\d+)\//.exec(text);
  return m === null ? loadavg()[0]! : Math.max(0, Number(m[1]) - 1);
}

function procLoadavg(): string | null {
  try {
    return readFileSync('/proc/loadavg', 'latin1');
  } catch {
    return null;
  }
}

export interface ThreadedRun {
  /** --threads as given */
  threads: string;
  /** the program's text, compiled again by each worker */
  text: string;
  program: Program;
  infer: boolean;
  time: { tz?: string; format?: string; out: 'iso' | 'epoch_ms' };
  vars: ReadonlyMap<string, Value>;
  precision: number | 'full' | undefined;
  /** the misspelt-field watch's stage, first in the plan's stages, if any */
  watch: StatefulStage | null;
  /** nothing but the program between the input and a text output (no tee, dead letters, state, schema, live table, …) */
  plain: boolean;
  /** the output is plain ndjson (no colour): workers may encode it */
  ndjsonOut: boolean;
  /** the plan's stages (the last is the aggregate of a program that ends in one) */
  stages: readonly Stage[];
  env: NodeJS.ProcessEnv;
  /** the fields an ndjson record needs (the main thread's projection; the watch reads its first records there), null: whole records */
  fields: readonly string[] | null;
}

/** The plan's `parallel`, or null when this run keeps to one thread. */
export function parallelReading(r: ThreadedRun): RunPlan['parallel'] {
  const { threads, minBytes } = parseThreads(r.threads);
  if (threads < 2 || !r.plain) return null;
  const { mode } = threadMode(r.program);
  if (mode === null || (mode === 'stream' && !r.ndjsonOut) || (mode === 'decode' && r.fields === null)) return null;
  const data: ThreadProgram = {
    text: r.text, infer: r.infer, tz: r.time.tz, timeFormat: r.time.format, timeFormatOut: r.time.out,
    vars: [...r.vars], precision: r.precision, mode, fields: r.fields,
  };
  const last = r.stages[r.stages.length - 1];
  const aggregate = mode === 'aggregate' && last?.kind === 'stateful'
    ? partialMerge(r.program.stages[r.program.stages.length - 1]!.args as AggregateArgs, last)
    : null;
  if (mode === 'aggregate' && aggregate === null) return null;
  // tests cut small inputs into many chunks (a hidden knob, in bytes)
  const chunk = Number(r.env.SLUICE_THREAD_CHUNK);
  const watch = r.watch;
  return {
    threads,
    worker: new URL('../plan/thread-worker.js', import.meta.url),
    data,
    chunkBytes: Number.isInteger(chunk) && chunk > 0 ? chunk : DEFAULT_CHUNK,
    // (and wait for the workers before reading, so that such inputs reach them)
    waitForWorkers: Number.isInteger(chunk) && chunk > 0,
    minBytes,
    formats: ['ndjson'],
    watch,
    watching: () => watch !== null && watch.snapshot() !== true,
    aggregate,
    columns: mode === 'decode' ? r.fields : null,
    local: (d) => chunkRunner(d as ThreadProgram & ThreadInput, true),
  };
}
