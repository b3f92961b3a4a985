// Contracts for decoders (text -> events) and encoders (events -> text). Decoders are fed
// text chunks of any size (1 byte to megabytes) and must give identical results whatever
// the chunking. Between two chunks a decoder can be saved (snapshot) and a fresh one restored
// from it that goes on exactly where the first stopped (checkpoints, --state). Encoders are
// pure: events in, text out; colour is added by src/render.

import type { Event, Source, Value } from '../core/event.js';
import { inexactNumbers, mayBeInexact, stringifyExact } from '../core/numbers.js';
import { UsageError } from '../errors/errors.js';

// the names of the registered formats that read and write (derived from the registry)
import type { InputFormat, OutputFormat } from './index.js';
export type { InputFormat, OutputFormat };

export interface DecodeOptions {
  /** infer numbers and booleans in csv/tsv/logfmt (Miller's rules); false keeps strings */
  infer: boolean;
  /** csv/tsv without header: fields named 1, 2, 3, ... (as Miller's --implicit-csv-header) */
  implicitHeader?: boolean;
  /** --ifs: the field separator of csv/tsv input, one character (default `,` and tab) */
  ifs?: string;
  /**
   * The top-level input fields the program reads, when that is all it needs from each record
   * (plan/projection.ts); null/undefined = decode whole records. A decoder may then build values
   * holding only these fields (absent ones stay absent), with `raw` the input text as always, and
   * must report bad input exactly as without.
   */
  fields?: readonly string[] | null;
  /** with `fields`: decode this many first records whole anyway (the misspelt-field watch looks at their keys) */
  wholeFirst?: number;
}

/** Called for each piece of input that cannot be decoded. `line` is 1-based. */
export type BadInput = (raw: string, reason: string, line: number) => void;

export interface Decoder {
  /** Decode a chunk; push complete records to `out`. Partial records wait for the next chunk. */
  write(chunk: string, out: Event[]): void;
  /** End of input: decode whatever is pending (a last line without newline). */
  end(out: Event[]): void;
  /** Everything needed to go on decoding after a restart from the input position that the source reports: held-back text, next line number, header, … Plain data for v8.serialize. */
  snapshot(): unknown;
  /** Into a freshly made decoder of the same format and options, before any write. */
  restore(state: unknown): void;
}

/**
 * A decoder's snapshot carries its format's name, so that state saved by one decoder is never
 * loaded into another (with `auto`, the format must be the one chosen before the restart).
 */
export interface DecoderState {
  format: InputFormat;
}

/** Check that `state` was saved by a decoder of `format`, and type it. */
export function decoderState<S extends DecoderState>(format: InputFormat, state: unknown): S {
  const saved = typeof state === 'object' && state !== null ? (state as Partial<DecoderState>).format : undefined;
  if (saved !== format) {
    throw new UsageError(`the saved state is not a ${format} decoder's${typeof saved === 'string' ? ` (it is ${saved}'s)` : ''}: delete the state file to start afresh`);
  }
  return state as S;
}

export type DecoderFactory = (source: Source, opts: DecodeOptions, bad: BadInput, now: () => number) => Decoder;

export interface EncodeOptions {
  /** for template output: `{field} {@meta} {a.b}` */
  template?: string;
  /** pass unchanged input lines through as they were read (same format in and out) */
  passRaw: boolean;
  /** counts a number written from its input text because a double cannot hold it (see core/numbers.ts) */
  typeError?: () => void;
  /** --ofs: the field separator of csv/tsv output, one character (default `,` and tab) */
  ofs?: string;
  /**
   * Formats for people (table, chart): significant digits of a non-integer number (`--precision`),
   * or 'full' for every digit; absent means DEFAULT_PRECISION. Machine formats ignore it.
   */
  precision?: number | 'full';
  /** chart: the columns to fit in (the terminal's width; 80 when absent) */
  width?: number;
}

/** How many significant digits a table shows of a non-integer number unless told otherwise. */
export const DEFAULT_PRECISION = 4;

/**
 * A number as a person reads it: `digits` significant digits, but the integer part is never
 * rounded and a fraction keeps at least two decimals (up to digits − 1), so 61.041666666666664
 * is 61.04, 246.03 stays 246.03 and 12345.678 is 12345.68. Integers are written in full.
 */
export function roundForReading(v: number, digits: number | 'full'): string {
  if (digits === 'full' || Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const decimals = Math.max(digits - 1 - Math.floor(Math.log10(Math.abs(v))), Math.min(2, digits - 1), 0);
  // beyond 20 decimals (a tiny number) toFixed gives up precision: keep significant digits instead
  const rounded = decimals > 20 ? Number(v.toPrecision(digits)) : Number(v.toFixed(decimals));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

export interface Encoder {
  /** Text for a batch (may be '' while buffering, e.g. a table). Every record ends in '\n'. */
  write(batch: Event[]): string;
  /** Text still owed at end of output (csv has none; table renders here). */
  end(): string;
}

export type EncoderFactory = (opts: EncodeOptions) => Encoder;

/**
 * Render a value as text for csv/tsv/logfmt/table/template cells: strings bare, others as JSON.
 * A number a double cannot hold (1e400 read as Infinity, an overflow, NaN) is empty, as null
 * is, and as JSON.stringify writes it `null`: `Infinity` and `NaN` are not numbers any reader takes.
 */
export function cellText(v: Value | undefined, exact: Map<number, string> | null = null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return exact?.get(v) ?? (Number.isFinite(v) ? String(v) : '');
  if (typeof v === 'boolean') return String(v);
  return exact !== null ? stringifyExact(v, exact) : JSON.stringify(v);
}

/**
 * For a record written anew: the numbers of its input text that a double cannot hold, value →
 * text, so that the encoder writes the text (null when there are none, nearly always). Each such
 * number counts as a type error, once per record written.
 */
export function exactTexts(ev: Event, typeError: (() => void) | undefined): Map<number, string> | null {
  const o = ev.origin;
  // without the raw text the origin was kept only because it may hold one (Event.origin)
  if (o === undefined || (ev.raw !== undefined && !mayBeInexact(o, ev.value))) return null;
  const found = inexactNumbers(o);
  if (found === null) return null;
  if (typeError !== undefined) for (let i = 0; i < found.count; i++) typeError();
  return found.texts;
}

/** The JSON text of an event's value, with the input text of numbers a double cannot hold. */
export function valueJson(ev: Event, typeError: (() => void) | undefined): string {
  const exact = ev.origin === undefined ? null : exactTexts(ev, typeError);
  return exact === null ? JSON.stringify(ev.value) : stringifyExact(ev.value, exact);
}
