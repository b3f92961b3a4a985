// A warning for the misspelt field: `where statuss > 1` gives no output and no error, because a
// missing field is null. The watch looks at the first records that enter the program; a field
// that the program reads there and that none of them holds, while a field of a close name does,
// is named once on stderr:
//   sluice: field 'statuss' never seen in the first 1000 records; did you mean 'status'?
// Only a close name triggers it: a field that is merely rare (error, retry_of) is left alone.
// Reads are taken from the stages up to the first that reshapes records (set, select, map,
// parse, rename, drop, aggregates): that one still reads the input, the ones after it read its
// output. A window passes records on to its aggregate as they are.

import type { Program } from '../lang/ast.js';
import type { Batch, Value } from '../core/event.js';
import { didYouMean } from '../errors/diagnostic.js';
import type { StatefulStage } from '../operators/types.js';
import { fieldsRead } from './projection.js';

/** Stages that pass records on as they came: the stage after them reads the same fields. */
const KEEPS_FIELDS = new Set(['where', 'assert', 'head', 'tail', 'sample', 'dedupe', 'sort', 'top', 'window', 'tee']);

export const WATCHED_RECORDS = 1000;

/** Top-level fields the program reads from its input records (`$NAME` given by --arg excluded). */
export function inputFieldsRead(program: Program, vars: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const s of program.stages) {
    fieldsRead(s.args, vars, out);
    if (!KEEPS_FIELDS.has(s.op)) break;
  }
  return [...out];
}

/**
 * One watch per run (all per-partition copies of the stages share it); `stage()` gives a stage
 * to put first. It holds nothing: its snapshot only says whether the watch is over.
 */
export function fieldWatch(fields: string[], warn: (message: string) => void): { stage(): StatefulStage } {
  const missing = new Set(fields);
  const seen = new Set<string>();
  let records = 0;
  let over = fields.length === 0;
  const finish = () => {
    if (over) return;
    over = true;
    if (records === 0) return;
    for (const f of missing) {
      // a name of one or two letters is close to too many others to guess
      const close = f.length >= 3 ? didYouMean(f, seen) : null;
      if (close !== null) warn(`field '${f}' never seen in the first ${records} records; did you mean '${close}'?`);
    }
  };
  const look = (batch: Batch) => {
    for (let i = 0; i < batch.length && records < WATCHED_RECORDS; i++, records++) {
      const v: Value = batch[i]!.value;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      for (const k in v) {
        if (seen.size < 10_000) seen.add(k);
        missing.delete(k);
      }
    }
    if (missing.size === 0) over = true;
    else if (records >= WATCHED_RECORDS) finish();
  };
  return {
    stage: () => ({
      kind: 'stateful',
      holds: false,
      push(batch) {
        if (!over) look(batch);
        return batch;
      },
      end() {
        finish();
        return [];
      },
      snapshot: () => over,
      restore(state) {
        if (state === true) over = true;
      },
    }),
  };
}
