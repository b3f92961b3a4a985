// What a format is: one FormatSpec per format file, listed in the registry (index.ts). Every
// reader of formats (the -I/-O choices, --help, the manual, `auto`, the Kafka source, the
// `sluice kafka` command) works from these fields, so a new format is its file and a line in
// the registry. A format reads (decoder), writes (encoder) or both.

import { makeEvent, type Event, type Source, type Value } from '../core/event.js';
import { mayBeInexact } from '../core/numbers.js';
import { TOO_DEEP, tooDeep } from '../core/depth.js';
import { jsonSyntaxError } from './json-syntax.js';
import { LineProjector } from './ndjson-project.js';
import type { DecodeOptions, DecoderFactory, EncoderFactory } from './types.js';

/**
 * The start of an input as `auto` sees it, cut up once for every format's sniff: a byte order
 * mark and blank lines before the first non-blank character are skipped.
 */
export interface Sniffed {
  /** the first non-blank character; '' when the text is blank */
  readonly char: string;
  /** the line holding that character, without its line end */
  readonly first: string;
  /** the next line, when it is there in full (a newline after it); else null */
  readonly second: string | null;
  /** the first line ends within the text (a long first line may be cut off) */
  readonly complete: boolean;
}

/** A message value that cannot be decoded; the shape of sources/events.ts's BadMessage. */
export interface BadValue {
  /** how many events of the batch came before it */
  at: number;
  raw: string;
  reason: string;
  /** `topic/partition@offset` */
  where: string;
}

/**
 * One message value (a Kafka message) → records pushed to `out`, with `src` and time `ts`; a
 * value that does not decode goes to `bad` instead, located by `where()`.
 */
export type MessageDecode = (text: string, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number) => void;

interface Common {
  readonly name: string;
  /** one line for --help, `sluice help formats` and the manual */
  readonly summary: string;
  /** writing: events → text */
  readonly encoder?: EncoderFactory;
  /** the encoder needs --template (so it cannot serve where no template is given: `sluice kafka -O`) */
  readonly needsTemplate?: true;
}

interface Reads {
  /** reading: text chunks → events */
  readonly decoder: DecoderFactory;
  /** file name extensions (no dot) that `auto` reads as this format; `.gz` is looked through */
  readonly extensions: readonly string[];
  /**
   * How sure `auto` can be that an input without a known extension is in this format, from its
   * first bytes: 0 for no, and the highest score wins (ties: the earlier format in the registry).
   * The built-in scores are listed in this folder's README.md. Without it the format is never sniffed.
   */
  readonly sniff?: (start: Sniffed) => number;
  /** a Kafka message value → records; without it a value is decoded as a whole document */
  readonly message?: (opts: DecodeOptions) => MessageDecode;
  /** a small input that could be one message value: as a file and as a message it gives the same records (tested) */
  readonly sample: string;
}

type WritesOnly = { readonly [K in keyof Reads]?: undefined } & { readonly encoder: EncoderFactory };

export type FormatSpec = Common & (Reads | WritesOnly);
/** A format that reads. */
export type ReadingSpec = Common & Reads;
/** A format that writes. */
export type WritingSpec = Common & { readonly encoder: EncoderFactory };

/** Checks a spec and keeps its exact type (its name as a literal, which of decoder/encoder it has). */
export function defineFormat<const S extends FormatSpec>(spec: S): S {
  return spec;
}

/** A value that is one JSON text: one record (the raw text kept when it is one line). */
export const jsonMessage: MessageDecode = (text, src, out, bad, where, ts) => {
  let value: Value;
  try {
    value = JSON.parse(text) as Value;
  } catch {
    bad.push({ at: out.length, raw: text, reason: jsonSyntaxError(text), where: where() });
    return;
  }
  if (tooDeep(text, value)) {
    bad.push({ at: out.length, raw: text, reason: TOO_DEEP, where: where() });
    return;
  }
  const raw = text.indexOf('\n') < 0 ? text : undefined;
  out.push(makeEvent(value, raw, src, 0, ts, raw ?? (mayBeInexact(text, value) ? text : undefined)));
};

/**
 * jsonMessage given the top-level fields the program needs (DecodeOptions.fields): a one-line value
 * goes through the projecting reader (ndjson-project.ts), which builds only those fields and keeps
 * the text as `raw` (records that pass unchanged are written from it); a value it doubts, a value
 * of several lines (no `raw` to write it from) and the first `wholeFirst` values go to jsonMessage.
 */
export function jsonMessageFor(opts: DecodeOptions): MessageDecode {
  const fields = opts.fields;
  if (fields == null || fields.includes('__proto__')) return jsonMessage;
  const projector = new LineProjector(fields);
  let whole = opts.wholeFirst ?? 0;
  return (text, src, out, bad, where, ts) => {
    if (whole === 0 && text.indexOf('\n') < 0) {
      const rec = projector.project(text);
      if (rec !== undefined) {
        out.push(makeEvent(rec, text, src, 0, ts, text));
        return;
      }
    }
    const before = out.length;
    jsonMessage(text, src, out, bad, where, ts);
    if (whole > 0 && out.length > before) whole--;
  };
}

/** A value that is a whole document in the format (csv, tsv: a header and rows), through its decoder. */
export function documentMessage(decoder: DecoderFactory, opts: DecodeOptions): MessageDecode {
  return (text, src, out, bad, where, ts) => {
    const d = decoder(src, opts, (raw, reason) => bad.push({ at: out.length, raw, reason, where: where() }), () => ts);
    const start = out.length;
    d.write(text, out);
    d.end(out);
    for (let i = start; i < out.length; i++) out[i]!.timestamp = ts;
  };
}
