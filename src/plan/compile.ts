// Program text -> runnable stages: parse, compile every expression, build every stage.
// Shared by the CLI and runText so that both run exactly the same thing. The hooks are
// bound late because the executor that receives bad and late records is made afterwards.

import { aggregates } from '../aggregates/index.js';
import { exprCompiler } from '../lang/compiler.js';
import type { Program } from '../lang/ast.js';
import { parseProgram } from '../lang/parser.js';
import { findOperator, grammar } from '../operators/index.js';
import { buildStages } from '../operators/pipeline.js';
import { programTables } from '../operators/join.js';
import { fieldWatch, inputFieldsRead } from './field-watch.js';
import type { BuildContext, Stage, TimeOptions } from '../operators/types.js';
import type { Event, Value } from '../core/event.js';
import type { Stats } from '../core/stats.js';
import type { HeapWatch } from '../core/memory.js';

export interface ProgramHooks {
  bad(ev: Event, reason: string): void;
  late(ev: Event, reason: string): void;
  assertFailed(ev: Event, message: string, rule: string): void;
  warn(message: string): void;
}

export interface CompileOptions {
  infer: boolean;
  time: TimeOptions;
  idleMs: number | null;
  idlePartitionMs: number | null;
  /** --arg and --argjson: the program's $NAME values */
  vars?: ReadonlyMap<string, Value>;
  /** --max-state */
  maxState?: number;
  /** the memory watch (tests give one with a small limit); default: the process's */
  heap?: HeapWatch;
  /** --sort-buffer, in bytes */
  sortBufferBytes?: number;
  /** where tee stages write (runtime/tee.ts); without it a tee stage is refused */
  sideOutput?: BuildContext['sideOutput'];
  /** opens a topic on the other side of an interval join (runtime/right-input.ts); without it such a join is refused */
  rightInput?: BuildContext['rightInput'];
  /** --join-buffer, in bytes */
  joinBufferBytes?: number;
}

export interface CompiledProgram {
  program: Program;
  stages: Stage[];
  /**
   * Another copy of the stages, with state of its own, from the same parsed and checked program
   * and the same hooks (per-partition state runs one copy per input partition).
   */
  build(): Stage[];
  /** the program aggregates (a table suits it on a terminal) */
  hasAggregate: boolean;
  /** the program holds a window (for --explain) */
  hasWindow: boolean;
  /** a stage may hold records back (windows, aggregates, sort): see StatefulStage.holds */
  holds: boolean;
  /**
   * The misspelt-field watch (see field-watch.ts), to run first in every copy of the stages; null
   * when the program reads no input field.
   */
  watch: (() => Stage) | null;
}

export function compileProgram(text: string, opts: CompileOptions, stats: Stats, hooks: ProgramHooks): CompiledProgram {
  const program = parseProgram(text, grammar);
  const tables = programTables(program, () => ctx);
  const ctx: BuildContext = {
    compiler: exprCompiler({ text, typeError: stats.typeError, aggregateNames: new Set(aggregates.keys()), tz: opts.time.tz, timeFormat: opts.time.format, vars: opts.vars, tables }),
    stats,
    infer: opts.infer,
    bad: (ev, reason) => hooks.bad(ev, reason),
    late: (ev, reason) => hooks.late(ev, reason),
    assertFailed: (ev, message, rule) => hooks.assertFailed(ev, message, rule),
    time: opts.time,
    eventTime: (_r, ev) => ev.timestamp,
    idleMs: opts.idleMs,
    idlePartitionMs: opts.idlePartitionMs,
    sortBufferBytes: opts.sortBufferBytes,
    joinBufferBytes: opts.joinBufferBytes,
    warn: (message) => hooks.warn(message),
    maxState: opts.maxState,
    heap: opts.heap,
    sideOutput: opts.sideOutput,
    rightInput: opts.rightInput,
  };
  // the misspelt-field warning: one watch shared by every copy of the stages
  const fields = inputFieldsRead(program, new Set(opts.vars?.keys() ?? []));
  const watch = fields.length > 0 ? fieldWatch(fields, (m) => hooks.warn(m)) : null;
  const stages = buildStages(program, ctx);
  return {
    program,
    stages,
    build: () => buildStages(program, ctx),
    watch: watch ? () => watch.stage() : null,
    hasAggregate: program.stages.some((s) => findOperator(s.op)!.kind === 'aggregate'),
    hasWindow: program.stages.some((s) => findOperator(s.op)!.windows === true),
    holds: stages.some((s) => s.kind === 'stateful' && s.holds),
  };
}
