// Program text -> runnable stages: parse, compile every expression, build every stage.
// Shared by the CLI and runText so that both run exactly the same thing. The hooks are
// bound late because the executor that receives bad and late records is made afterwards.

import { aggregates } from '../aggregates/index.js';
import { exprCompiler } from '../lang/compiler.js';
import type { Program } from '../lang/ast.js';
import { parseProgram } from '../lang/parser.js';
import { findOperator, grammar } from '../operators/index.js';
import { buildStages } from '../operators/pipeline.js';
import type { BuildContext, Stage, TimeOptions } from '../operators/types.js';
import type { Event } from '../core/event.js';
import type { Stats } from '../core/stats.js';

export interface ProgramHooks {
  bad(ev: Event, reason: string): void;
  late(ev: Event, reason: string): void;
  assertFailed(ev: Event, message: string): void;
  warn(message: string): void;
}

export interface CompileOptions {
  infer: boolean;
  time: TimeOptions;
  idleMs: number | null;
  idlePartitionMs: number | null;
  /** --sort-buffer, in bytes */
  sortBufferBytes?: number;
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
}

export function compileProgram(text: string, opts: CompileOptions, stats: Stats, hooks: ProgramHooks): CompiledProgram {
  const program = parseProgram(text, grammar);
  const ctx: BuildContext = {
    compiler: exprCompiler({ text, typeError: stats.typeError, aggregateNames: new Set(aggregates.keys()), tz: opts.time.tz }),
    stats,
    infer: opts.infer,
    bad: (ev, reason) => hooks.bad(ev, reason),
    late: (ev, reason) => hooks.late(ev, reason),
    assertFailed: (ev, message) => hooks.assertFailed(ev, message),
    time: opts.time,
    eventTime: (_r, ev) => ev.timestamp,
    idleMs: opts.idleMs,
    idlePartitionMs: opts.idlePartitionMs,
    sortBufferBytes: opts.sortBufferBytes,
    warn: (message) => hooks.warn(message),
  };
  const stages = buildStages(program, ctx);
  return {
    program,
    stages,
    build: () => buildStages(program, ctx),
    hasAggregate: program.stages.some((s) => findOperator(s.op)!.kind === 'aggregate'),
    hasWindow: program.stages.some((s) => findOperator(s.op)!.windows === true),
    holds: stages.some((s) => s.kind === 'stateful' && s.holds),
  };
}
