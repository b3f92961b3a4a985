// The format registry: one FormatSpec per format file, listed here in the order help and the
// manual show them. Every reader of formats works from this list: the -I/-O choices, --help,
// `sluice help formats`, the manual and README (npm run gen), how `auto` picks an input format
// (by file extension, else by the best sniff of the first bytes), how the Kafka source decodes
// a message value, and the output formats of `sluice kafka`. Adding a format means one file,
// one line here, and its tests.

import { makeEvent } from '../core/event.js';
import { chartFormat } from './chart.js';
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';
import { linesFormat } from './lines.js';
import { logfmtFormat, parseLogfmt } from './logfmt.js';
import { ndjsonFormat } from './ndjson.js';
import { documentMessage, jsonMessageFor, type FormatSpec, type MessageDecode, type ReadingSpec, type Sniffed, type WritingSpec } from './spec.js';
import { tableFormat } from './table.js';
import { templateFormat } from './template.js';
import { tsvFormat } from './tsv.js';
import type { DecoderFactory, EncoderFactory } from './types.js';

const registered = [
  ndjsonFormat, jsonFormat, csvFormat, tsvFormat, logfmtFormat, linesFormat, tableFormat, chartFormat, templateFormat,
] as const;

/** Every format, in the order help and the manual list them. */
export const formatList: readonly FormatSpec[] = registered;

type Registered = (typeof registered)[number];

/** The name of a format that reads (`-I`). */
export type InputFormat = Extract<Registered, { decoder: DecoderFactory }>['name'];
/** The name of a format that writes (`-O`). */
export type OutputFormat = Extract<Registered, { encoder: EncoderFactory }>['name'];

type InputSpec = ReadingSpec & { readonly name: InputFormat };
type OutputSpec = WritingSpec & { readonly name: OutputFormat };

/** The formats that read, in registry order. */
export const inputFormatList = formatList.filter((f): f is InputSpec => f.decoder !== undefined);
/** The formats that write, in registry order. */
export const outputFormatList = formatList.filter((f): f is OutputSpec => f.encoder !== undefined);

export const decoders = Object.fromEntries(inputFormatList.map((f) => [f.name, f.decoder])) as Record<InputFormat, DecoderFactory>;
export const encoders = Object.fromEntries(outputFormatList.map((f) => [f.name, f.encoder])) as Record<OutputFormat, EncoderFactory>;

const names = new Set<string>();
for (const f of formatList) {
  if (names.has(f.name)) throw new Error(`format ${f.name} registered twice`);
  names.add(f.name);
}

const byExtension = new Map<string, InputFormat>();
for (const f of inputFormatList) {
  for (const ext of f.extensions) {
    if (byExtension.has(ext)) throw new Error(`extension .${ext} claimed by ${byExtension.get(ext)} and ${f.name}`);
    byExtension.set(ext, f.name);
  }
}

/**
 * The input format a file name implies, or null to sniff (`.log` is sniffed: log files are as
 * often JSON lines or logfmt as plain text). A `.gz` or `.zst` suffix is looked through.
 */
export function formatByExtension(path: string): InputFormat | null {
  let name = path.toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  else if (name.endsWith('.zst')) name = name.slice(0, -4);
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const dot = name.lastIndexOf('.');
  if (dot <= slash + 1) return null; // no extension, or a dot file such as `.env`
  return byExtension.get(name.slice(dot + 1)) ?? null;
}

/** Cut the first bytes of an input (a few KiB is plenty) into what the sniffs look at. */
function sniffed(firstText: string): Sniffed {
  const text = firstText.charCodeAt(0) === 0xfeff ? firstText.slice(1) : firstText;
  const m = /\S/.exec(text);
  if (m === null) return { char: '', first: '', second: null, complete: false };
  const lines = text.slice(text.lastIndexOf('\n', m.index) + 1).split('\n');
  return {
    char: text[m.index]!,
    first: lines[0]!.replace(/\r$/, ''),
    second: lines.length > 2 ? lines[1]!.replace(/\r$/, '') : null,
    complete: lines.length > 1,
  };
}

/**
 * Pick an input format from the first bytes of an input: the format whose sniff scores highest
 * (the earlier one on a tie). The built-in formats: ndjson for a blank text or a first line that
 * is a JSON object; json for `[` or a JSON object over several lines; tsv for a tab-separated
 * first line without `=`; logfmt for key=value pairs; csv for commas with the same field count
 * on the first two lines; lines for anything else.
 */
export function sniffFormat(firstText: string): InputFormat {
  const start = sniffed(firstText);
  let best: InputFormat = 'lines'; // if nothing scores (lines itself scores 1 on anything)
  let bestScore = 0;
  for (const f of inputFormatList) {
    const score = f.sniff?.(start) ?? 0;
    if (score > bestScore) {
      best = f.name;
      bestScore = score;
    }
  }
  return best;
}

/**
 * How a message value (Kafka) becomes records under -I FORMAT: the format's own message decoder
 * (ndjson, json, logfmt, lines: one message, one record), else the value as a whole document
 * (csv, tsv: a header and rows). `auto` decides per message: JSON when it starts with `{` or `[`,
 * else logfmt when it has key=value pairs, else `{line}`. `fields` (DecodeOptions.fields) reaches
 * only the JSON values, whose records keep their text as `raw` (written from it while unchanged);
 * the other formats' records are written from their values, so they are decoded whole.
 */
export function messageDecoder(format: InputFormat | 'auto', infer: boolean, fields: readonly string[] | null = null, wholeFirst = 0): MessageDecode {
  const json = jsonMessageFor({ infer, fields, wholeFirst });
  if (format === 'auto') return autoMessage(infer, json);
  if (format === 'ndjson' || format === 'json') return json;
  const opts = { infer };
  const spec = inputFormatList.find((f) => f.name === format)!;
  return spec.message !== undefined ? spec.message(opts) : documentMessage(spec.decoder, opts);
}

function autoMessage(infer: boolean, json: MessageDecode): MessageDecode {
  return (text, src, out, bad, where, ts) => {
    if (looksJson(text)) return json(text, src, out, bad, where, ts);
    if (text.indexOf('=') > 0) {
      const rec = parseLogfmt(text, infer);
      if (typeof rec !== 'string') {
        out.push(makeEvent(rec, undefined, src, 0, ts));
        return;
      }
    }
    out.push(makeEvent({ line: text }, undefined, src, 0, ts));
  };
}

function looksJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) return true; // { [
    if (c > 32) return false;
  }
  return false;
}

export type { FormatSpec, MessageDecode, ReadingSpec, Sniffed, WritingSpec } from './spec.js';
