// Which top-level fields of its input records a program needs, so that a decoder may build records
// holding only those (formats/types.ts DecodeOptions.fields): `where status >= 500` needs `status`,
// `window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service` needs epoch_ms, latency_ms
// and service. Records that pass through unchanged are still written from their raw text.
//
// The analysis is a whitelist: stages known to read only the fields their expressions name and to
// pass records on as they came (where, head, sort, …) or to build new records from expressions
// (select, aggregates). Anything else (set, drop, rename, map, parse, flatten, unnest, joins, tee,
// dedupe on whole records, `this`), or anything outside the program that looks at whole input
// records (an output written from values, --schema, --drift, --envelope, reports that quote the
// record), means null: decode whole records.

import type { Program } from '../lang/ast.js';

/** Stages that pass input records on as they came, reading only the fields their expressions name. */
const PASSES = new Set(['where', 'assert', 'head', 'tail', 'sample', 'sort', 'top', 'window', 'dedupe']);

/** Stages that build new records from their expressions alone: what comes after never sees an input record. */
const BUILDS = new Set(['select', 'aggregate']);

/** Keys of stage arguments that name fields written, not read (set's targets, rename's new names). */
const WRITES = new Set(['target', 'to']);

/**
 * Add to `out` the top-level fields that the expressions in `args` (a stage's parsed argument, or an
 * expression) read; `$NAME` given by --arg is not a field. False when they read the whole record
 * (`this`).
 */
export function fieldsRead(args: unknown, vars: ReadonlySet<string>, out: Set<string>): boolean {
  let whole = false;
  const walk = (x: unknown, depth: number): void => {
    if (x === null || typeof x !== 'object') return;
    // an expression nested deeper than the walk goes is not known in full
    if (depth > 200) {
      whole = true;
      return;
    }
    if (Array.isArray(x)) {
      for (const y of x) walk(y, depth + 1);
      return;
    }
    const o = x as { kind?: unknown; name?: unknown };
    if (o.kind === 'name' && typeof o.name === 'string' && !(o.name.startsWith('$') && vars.has(o.name.slice(1)))) out.add(o.name);
    if (o.kind === 'this') whole = true;
    for (const [k, v] of Object.entries(x)) if (!WRITES.has(k)) walk(v, depth + 1);
  };
  walk(args, 0);
  return !whole;
}

export interface ProjectionContext {
  /** the names of --arg/--argjson values ($NAME) */
  vars: ReadonlySet<string>;
  /**
   * Input records that reach the output unchanged are written from their raw text: ndjson output,
   * and nothing else writes them (no --envelope, no --key/--partition-by/--header expressions).
   */
  rawOutput: boolean;
  /** Something beside the program looks at whole input records: --schema, --drift, `sluice schema`, --report quoting failed records. */
  wholeRecords: boolean;
}

/**
 * The top-level fields of its input records that the program needs, when that is all it needs
 * from each record; null when it needs whole records. `[]` means no field at all (`head 5`).
 */
export function inputProjection(program: Program, ctx: ProjectionContext): string[] | null {
  if (ctx.wholeRecords) return null;
  const out = new Set<string>();
  let built = false;
  for (const s of program.stages) {
    if (!PASSES.has(s.op) && !BUILDS.has(s.op)) return null;
    // dedupe without keys compares whole records
    if (s.op === 'dedupe' && !((s.args as { keys?: unknown[] }).keys?.length)) return null;
    if (!fieldsRead(s.args, ctx.vars, out)) return null;
    if (BUILDS.has(s.op)) {
      built = true;
      break;
    }
  }
  // input records reach the output: they must be written from their text
  if (!built && !ctx.rawOutput) return null;
  // `__proto__` cannot be set as a plain property: such a program decodes whole records
  if (out.has('__proto__')) return null;
  return [...out];
}
