// Shared by the csv and tsv decoders: turns rows of text fields into records against a
// header (first row, or implicit 1, 2, 3, ...), with duplicate names made unique (a, a_2,
// a_3), type inference, and the ragged-row check. Records are built with plain keyed
// stores in header order, so all records of one file share one V8 hidden class. The header
// is its only state (snapshot/restore, for checkpoints).

import { inferValue } from './infer.js';
import { makeEvent } from '../core/event.js';
import type { Event, Rec, Source, Value } from '../core/event.js';
import type { BadInput, DecodeOptions } from './types.js';

/** Make header names unique: the second `a` becomes `a_2`, the third `a_3` (Miller's rule). */
export function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    let n = name;
    for (let k = 2; seen.has(n); k++) n = `${name}_${k}`;
    seen.add(n);
    out.push(n);
  }
  return out;
}

/** Set a key on a record, even `__proto__` (as JSON.parse does, an own property). */
export function setField(rec: Rec, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    rec[key] = value;
  }
}

export class RowsToRecords {
  private header: string[] | null = null;
  private safeKeys = true;
  private readonly infer: boolean;

  constructor(
    private readonly source: Source,
    opts: DecodeOptions,
    private readonly bad: BadInput,
  ) {
    this.infer = opts.infer;
    if (opts.implicitHeader) this.header = [];
  }

  /** The header: null before the header row, [] for an implicit header not yet sized by a row. */
  snapshot(): string[] | null {
    return this.header;
  }

  restore(state: unknown): void {
    const header = state as string[] | null;
    this.header = header;
    this.safeKeys = header === null || !header.includes('__proto__');
  }

  /** One row of fields; `raw` is its text, only used to report it. */
  row(fields: string[], raw: string, line: number, ts: number, out: Event[]): void {
    let header = this.header;
    if (header === null) {
      this.header = uniqueNames(fields);
      this.safeKeys = !this.header.includes('__proto__');
      return;
    }
    if (header.length === 0) {
      // implicit header: named by the first data row's width
      const names: string[] = [];
      for (let i = 1; i <= fields.length; i++) names.push(String(i));
      header = this.header = names;
    }
    const n = header.length;
    if (fields.length !== n) {
      this.bad(raw, `expected ${n} field${n === 1 ? '' : 's'}, found ${fields.length}`, line);
      return;
    }
    const rec: Rec = {};
    if (this.safeKeys) {
      if (this.infer) for (let i = 0; i < n; i++) rec[header[i]!] = inferValue(fields[i]!);
      else for (let i = 0; i < n; i++) rec[header[i]!] = fields[i]!;
    } else {
      for (let i = 0; i < n; i++) setField(rec, header[i]!, this.infer ? inferValue(fields[i]!) : fields[i]!);
    }
    out.push(makeEvent(rec, undefined, this.source, line, ts));
  }
}
