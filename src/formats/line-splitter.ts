// Turns text chunks of any size into complete lines, for every line-oriented decoder.
// Built for the hot path: one native split per chunk (no per-line closures), the piece of
// a line that is still open is kept as an array of chunks and joined once when its newline
// arrives, so a 50 MB line fed in 64 KiB chunks costs linear time. Splits on '\n', strips a
// trailing '\r' (unless keepCR: the csv decoder needs to see it inside quoted fields), and
// strips a UTF-8 BOM at the very start of the input. A last line without '\n' counts; an
// empty input gives no lines. Its state between chunks (the open line, the next line number,
// whether the BOM was looked for) is saved by snapshot() for checkpoints.

import type { Event } from '../core/event.js';
import { decoderState, type Decoder, type DecoderState, type InputFormat } from './types.js';

/** A LineSplitter between two chunks. */
export interface SplitterState {
  /** the line still open (no '\n' yet), '' when none */
  pending: string;
  /** number of the next line to complete */
  nextLine: number;
  /** false until the first non-empty chunk, where a BOM is dropped */
  started: boolean;
}

export class LineSplitter {
  /** 1-based number of the first line in the array returned by the last push()/finish() */
  firstLine = 1;
  private nextLine = 1;
  private pending: string[] = [];
  private started = false;

  constructor(private readonly keepCR = false) {}

  /** Complete lines of this chunk (with what was pending before it). */
  push(chunk: string): string[] {
    if (chunk.length === 0) return NO_LINES;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return NO_LINES;
      }
    }
    if (chunk.indexOf('\n') === -1) {
      this.pending.push(chunk);
      return NO_LINES;
    }
    const lines = chunk.split('\n');
    const last = lines.pop() as string;
    if (this.pending.length > 0) {
      this.pending.push(lines[0]!);
      lines[0] = this.pending.join('');
      this.pending = [];
    }
    if (last.length > 0) this.pending.push(last);
    if (!this.keepCR) stripCR(lines);
    this.firstLine = this.nextLine;
    this.nextLine += lines.length;
    return lines;
  }

  /** Where it is between two chunks: plain data (the open line joined into one string). */
  snapshot(): SplitterState {
    if (this.pending.length > 1) this.pending = [this.pending.join('')];
    return { pending: this.pending.length === 0 ? '' : this.pending[0]!, nextLine: this.nextLine, started: this.started };
  }

  /** Go on from a snapshot, before any push. */
  restore(s: SplitterState): void {
    this.pending = s.pending.length === 0 ? [] : [s.pending];
    this.nextLine = s.nextLine;
    this.firstLine = s.nextLine;
    this.started = s.started;
  }

  /** End of input: the last line if it had no newline. */
  finish(): string[] {
    if (this.pending.length === 0) return NO_LINES;
    const lines = [this.pending.join('')];
    this.pending = [];
    if (!this.keepCR) stripCR(lines);
    this.firstLine = this.nextLine;
    this.nextLine += 1;
    return lines;
  }
}

const NO_LINES: string[] = [];

function stripCR(lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!;
    if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) lines[i] = s.slice(0, -1);
  }
}

/** The state of a decoder built by lineDecoder: the splitter's, and the format's own (tsv's header). */
export interface LineDecoderState extends DecoderState {
  lines: SplitterState;
  own?: unknown;
}

/** State a line format keeps besides the splitter's (tsv: the header). */
export interface OwnState {
  snapshot(): unknown;
  restore(state: unknown): void;
}

/**
 * A decoder for a format of one record per line, from what to do with one line. For the
 * simple formats (lines, logfmt, tsv); ndjson and csv keep their own loops, the first for
 * speed, the second because a quoted field may span lines.
 */
export function lineDecoder(
  format: InputFormat,
  eachLine: (line: string, lineNo: number, ts: number, out: Event[]) => void,
  now: () => number,
  own?: OwnState,
): Decoder {
  const splitter = new LineSplitter();
  const decode = (lines: string[], out: Event[]): void => {
    if (lines.length === 0) return;
    const ts = now();
    let lineNo = splitter.firstLine;
    for (let i = 0; i < lines.length; i++, lineNo++) eachLine(lines[i]!, lineNo, ts, out);
  };
  return {
    write: (chunk, out) => decode(splitter.push(chunk), out),
    end: (out) => decode(splitter.finish(), out),
    snapshot: (): LineDecoderState => ({ format, lines: splitter.snapshot(), own: own?.snapshot() }),
    restore(state) {
      const s = decoderState<LineDecoderState>(format, state);
      splitter.restore(s.lines);
      own?.restore(s.own);
    },
  };
}

/**
 * A line of nothing but spaces and tabs (a blank line, skipped by every line format). Other
 * whitespace (NBSP, U+3000, form feed) is text: a line of it is bad input, never dropped unseen.
 */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
