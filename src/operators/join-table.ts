// Lookup tables for `join FILE` and lookup(NAME, key): a CSV, TSV, NDJSON or JSON file read once,
// before the first record, with the same decoders as inputs, into a hash map from key text to
// rows. Built once per program and shared by every copy of the stages (per-partition state) and by
// lookup(): the table is immutable, so sharing is safe.
//
// Keys compare as text, as Miller's join does: a string as it is, a number as JavaScript writes it
// (1 and "1" match; 1 and "1.0" do not), true/false as those words. null, a missing key, an array
// or an object never matches. A bad line in the table is exit 65 with its file:line (a wrong
// table should stop the run, not enrich half of it); a table larger than --join-buffer is exit 75.

import { nodeCrypto } from '../core/builtins.js';
import { readFileSync } from 'node:fs';
import { DataError, LimitError, UnavailableError, UsageError } from '../errors/errors.js';
import { isRecord, type Event, type Rec, type Value } from '../core/event.js';
import { decoders, formatByExtension, sniffFormat } from '../formats/index.js';
import type { InputFormat } from '../formats/types.js';
import type { Maybe } from '../lang/values.js';

/** Default --join-buffer: 256 MiB (estimated as sort's buffer is). */
export const DEFAULT_JOIN_BUFFER = 256 * 2 ** 20;

export interface TableSpec {
  /** the file as written in the program */
  file: string;
  /** the table's key field (a top-level field name) */
  key: string;
}

export interface TableOptions {
  infer: boolean;
  /** --join-buffer in bytes */
  bufferBytes: number;
  warn(message: string): void;
}

export interface LookupTable {
  readonly file: string;
  readonly key: string;
  /** rows in table order, by key text */
  readonly rows: ReadonlyMap<string, readonly Rec[]>;
  readonly size: number;
  /** a hash of the file's text: a checkpoint keeps it, to tell when the table changed before a restart */
  readonly digest: string;
}

/** A key's text for matching, or undefined when it can never match (null, missing, array, object). */
export function keyText(v: Maybe): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

const CHUNK = 1 << 20;

/** Read and index a table file. Throws the typed errors described at the top. */
export function loadTable(spec: TableSpec, opts: TableOptions): LookupTable {
  const { file, key } = spec;
  if (file.toLowerCase().endsWith('.gz')) throw new UsageError(`join ${file}: a lookup table is read uncompressed; gunzip it first`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UnavailableError(`join: cannot read the table ${file}: ${why}`);
  }
  const format: InputFormat = formatByExtension(file) ?? sniffFormat(text.slice(0, 4096));
  if (format !== 'csv' && format !== 'tsv' && format !== 'ndjson' && format !== 'json') {
    throw new UsageError(`join ${file}: a lookup table is CSV, TSV, NDJSON or JSON (by its extension, else by its first bytes), not ${format}`);
  }
  let firstBad: { reason: string; line: number } | null = null;
  const decoder = decoders[format]({ name: file }, { infer: opts.infer }, (_raw, reason, line) => {
    firstBad ??= { reason, line };
  }, () => 0);
  const rows = new Map<string, Rec[]>();
  let size = 0;
  let bytes = 0;
  let keyless = 0;
  const take = (out: Event[]) => {
    if (firstBad !== null) throw new DataError(`${file}:${firstBad.line}: ${firstBad.reason} (in the lookup table of join)`, `${file}:${firstBad.line}`);
    for (const ev of out) {
      if (!isRecord(ev.value)) throw new DataError(`${file}:${ev.line}: a table row must be an object, not ${JSON.stringify(ev.value)?.slice(0, 40)} (in the lookup table of join)`, `${file}:${ev.line}`);
      bytes += 4 * (ev.raw?.length ?? JSON.stringify(ev.value).length) + 200;
      if (bytes > opts.bufferBytes) {
        throw new LimitError(`join ${file}: the table passed --join-buffer ${opts.bufferBytes} bytes (estimated) at row ${size + 1} (line ${ev.line}); raise --join-buffer, or cut the table down to the rows and columns needed`);
      }
      const k = keyText(Object.hasOwn(ev.value, key) ? ev.value[key] : undefined);
      if (k === undefined) { keyless++; continue; }
      const list = rows.get(k);
      if (list === undefined) rows.set(k, [ev.value]);
      else list.push(ev.value);
      size++;
    }
    out.length = 0;
  };
  const out: Event[] = [];
  for (let i = 0; i < text.length; i += CHUNK) {
    decoder.write(text.slice(i, i + CHUNK), out);
    take(out);
  }
  decoder.end(out);
  take(out);
  if (keyless > 0) opts.warn(`join ${file}: ${keyless} table ${keyless === 1 ? 'row has' : 'rows have'} no usable '${key}' (null, missing, an array or an object) and can never match`);
  return { file, key, rows, size, digest: nodeCrypto().createHash('sha256').update(text).digest('hex').slice(0, 32) };
}

/** The first row of a table whose key matches, for lookup(): null when none does. */
export function firstRow(table: LookupTable, k: Maybe): Value {
  const t = keyText(k);
  if (t === undefined) return null;
  return table.rows.get(t)?.[0] ?? null;
}
