// Shared by the csv and tsv decoders: turns rows of text fields into records against a
// header (first row, or implicit 1, 2, 3, ...), with duplicate names made unique (a, a_2,
// a_3), type inference, and the ragged-row check. Records are built with plain keyed
// stores in header order, so all records of one file share one V8 hidden class. The header
// is its only state (snapshot/restore, for checkpoints).
//
// Given DecodeOptions.fields (the only fields the program reads), a record holds just the
// header's columns among them (`pick`, in header order), and only those cells are inferred; the
// first `wholeFirst` records are still built whole. The ragged-row check counts every cell as before.

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
  readonly infer: boolean;
  private readonly fields: ReadonlySet<string> | null;
  /** with `fields`, once the header is known: the positions of the columns to keep, ascending */
  pick: number[] | null = null;
  /** the header names of `pick` */
  pickNames: string[] = [];
  /** the picked records can be built with plain stores (no `__proto__` among pickNames) */
  pickPlain = true;
  /** records still to build whole (DecodeOptions.wholeFirst) */
  wholeLeft: number;

  constructor(
    private readonly source: Source,
    opts: DecodeOptions,
    private readonly bad: BadInput,
  ) {
    this.infer = opts.infer;
    this.fields = opts.fields === null || opts.fields === undefined ? null : new Set(opts.fields);
    this.wholeLeft = this.fields === null ? 0 : (opts.wholeFirst ?? 0);
    if (opts.implicitHeader) this.header = [];
  }

  /** The header's width once known (0 before). */
  get width(): number {
    return this.header === null ? 0 : this.header.length;
  }

  private setHeader(header: string[]): void {
    this.header = header;
    this.safeKeys = !header.includes('__proto__');
    this.pick = null;
    this.pickNames = [];
    if (this.fields === null || header.length === 0) return;
    const pick: number[] = [];
    for (let i = 0; i < header.length; i++) {
      if (this.fields.has(header[i]!)) {
        pick.push(i);
        this.pickNames.push(header[i]!);
      }
    }
    this.pick = pick;
    this.pickPlain = !this.pickNames.includes('__proto__');
  }

  /** A record of the picked cells of a row whose width was checked; `cells` holds them in pick order. */
  picked(cells: string[], line: number, ts: number, out: Event[]): void {
    const names = this.pickNames;
    const rec: Rec = {};
    if (this.infer) for (let i = 0; i < names.length; i++) setField(rec, names[i]!, inferValue(cells[i]!));
    else for (let i = 0; i < names.length; i++) setField(rec, names[i]!, cells[i]!);
    this.emit(rec, line, ts, out);
  }

  /** A record built by the caller from the picked cells of a row whose width was checked. */
  emit(rec: Rec, line: number, ts: number, out: Event[]): void {
    out.push(makeEvent(rec, undefined, this.source, line, ts));
  }

  /** The ragged-row report: a row of `found` cells against the header. */
  ragged(raw: string, found: number, line: number): void {
    const n = this.width;
    this.bad(raw, `expected ${n} field${n === 1 ? '' : 's'}, found ${found}`, line);
  }

  /** The header: null before the header row, [] for an implicit header not yet sized by a row. */
  snapshot(): string[] | null {
    return this.header;
  }

  restore(state: unknown): void {
    const header = state as string[] | null;
    if (header === null) {
      this.header = null;
      this.safeKeys = true;
    } else {
      this.setHeader(header);
    }
  }

  /** One row of fields; `raw` is its text, only used to report it. */
  row(fields: string[], raw: string, line: number, ts: number, out: Event[]): void {
    let header = this.header;
    if (header === null) {
      this.setHeader(uniqueNames(fields));
      return;
    }
    if (header.length === 0) {
      // implicit header: named by the first data row's width
      const names: string[] = [];
      for (let i = 1; i <= fields.length; i++) names.push(String(i));
      this.setHeader(names);
      header = names;
    }
    const n = header.length;
    if (fields.length !== n) {
      this.ragged(raw, fields.length, line);
      return;
    }
    const pick = this.pick;
    if (pick !== null) {
      if (this.wholeLeft === 0) {
        const cells: string[] = [];
        for (let i = 0; i < pick.length; i++) cells.push(fields[pick[i]!]!);
        this.picked(cells, line, ts, out);
        return;
      }
      this.wholeLeft--;
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
