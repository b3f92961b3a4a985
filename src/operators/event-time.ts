// Reading a record's event time from an `on FIELD` clause (windows, dedupe): the field's value
// through the timestamp parser configured by --tz and --time-format. A record whose time
// cannot be read is bad input under --on-error; it is never placed somewhere silently.

import { UsageError } from '../errors/errors.js';
import type { Expr } from '../lang/ast.js';
import { printExpr } from '../lang/print.js';
import type { Event } from '../core/event.js';
import { timestampParser } from '../time/timestamp.js';
import type { BuildContext } from './types.js';

export function eventTimeReader(on: Expr, ctx: BuildContext, stage: string): (ev: Event) => number | null {
  const get = ctx.compiler.value(on);
  let parse: ReturnType<typeof timestampParser>;
  try {
    parse = timestampParser({ tz: ctx.time.tz, format: ctx.time.format });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const field = printExpr(on);
  return (ev) => {
    const raw = get(ev.value, ev);
    const t = parse(raw === undefined ? null : raw);
    if (t === null) {
      ctx.bad(ev, raw === undefined || raw === null ? `${stage}: no time in ${field}` : `${stage}: cannot read time ${JSON.stringify(raw)} in ${field}`);
    }
    return t;
  };
}
