// Turns text chunks of any size into complete lines, for every line-oriented decoder.
// Built for the hot path: one native split per chunk (no per-line closures), the piece of
// a line that is still open is kept as an array of chunks and joined once when its newline
// arrives, so a 50 MB line fed in 64 KiB chunks costs linear time. Splits on '\n', strips a
// trailing '\r' (unless keepCR: the csv decoder needs to see it inside quoted fields), and
// strips a UTF-8 BOM at the very start of the input. A last line without '\n' counts; an
// empty input gives no lines. Its state between chunks (the open line, the next line number,
// whether the BOM was looked for, the line end) is saved by snapshot() for checkpoints.
//
// The line end is decided once, at the first one in the input, as editors do: a '\r' not
// followed by '\n' there means classic Mac line ends, and the input is then split on '\r'
// (otherwise such a file was one long line: a csv gave a header and no records, logfmt one
// merged record). A lone '\r' later in an LF file stays in its line. Deciding costs nothing
// once made: the split is the same native call on the chosen character.

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
  /** the line end, once the first one is seen: '\n' (or CRLF) or '\r' (classic Mac); absent before */
  end?: '\n' | '\r';
}

export class LineSplitter {
  /** 1-based number of the first line in the array returned by the last push()/finish() */
  firstLine = 1;
  private nextLine = 1;
  private pending: string[] = [];
  private started = false;
  /** the line end; null until the first one is seen */
  private sep: '\n' | '\r' | null = null;

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
    if (this.sep === null) {
      const endsInCR = this.pending.length > 0 && this.pending[this.pending.length - 1]!.endsWith('\r');
      if (!this.decide(chunk, endsInCR)) {
        this.pending.push(chunk);
        return NO_LINES;
      }
      if (endsInCR && this.sep === '\r') {
        // the '\r' that ended the last chunk ends the first line: split it here, once
        chunk = this.pending.join('') + chunk;
        this.pending = [];
      }
    }
    const sep = this.sep!;
    if (chunk.indexOf(sep) === -1) {
      this.pending.push(chunk);
      return NO_LINES;
    }
    const lines = chunk.split(sep);
    const last = lines.pop() as string;
    if (this.pending.length > 0) {
      this.pending.push(lines[0]!);
      lines[0] = this.pending.join('');
      this.pending = [];
    }
    if (last.length > 0) this.pending.push(last);
    if (sep === '\r') stripLF(lines);
    else if (!this.keepCR) stripCR(lines);
    this.firstLine = this.nextLine;
    this.nextLine += lines.length;
    return lines;
  }

  /** Before the first line end: find it in `chunk` (with what is pending) and set sep; false while it is unknown. */
  private decide(chunk: string, afterCR: boolean): boolean {
    if (afterCR) {
      // the previous chunk ended in '\r': this chunk's first character says which end it was
      this.sep = chunk.charCodeAt(0) === 10 ? '\n' : '\r';
      return true;
    }
    const lf = chunk.indexOf('\n');
    const cr = chunk.indexOf('\r');
    if (cr === -1 || (lf !== -1 && lf < cr)) {
      if (lf === -1) return false;
      this.sep = '\n';
      return true;
    }
    if (cr === chunk.length - 1) return false; // a '\r' at the end: wait for the next character
    this.sep = chunk.charCodeAt(cr + 1) === 10 ? '\n' : '\r';
    return true;
  }

  /** Where it is between two chunks: plain data (the open line joined into one string). */
  snapshot(): SplitterState {
    if (this.pending.length > 1) this.pending = [this.pending.join('')];
    const state: SplitterState = { pending: this.pending.length === 0 ? '' : this.pending[0]!, nextLine: this.nextLine, started: this.started };
    if (this.sep !== null) state.end = this.sep;
    return state;
  }

  /** Go on from a snapshot, before any push. */
  restore(s: SplitterState): void {
    this.pending = s.pending.length === 0 ? [] : [s.pending];
    this.nextLine = s.nextLine;
    this.firstLine = s.nextLine;
    this.started = s.started;
    this.sep = s.end ?? null;
  }

  /** End of input: the last line if it had no newline. */
  finish(): string[] {
    if (this.pending.length === 0) return NO_LINES;
    const lines = [this.pending.join('')];
    this.pending = [];
    if (this.sep === '\r' && lines[0] === '\n') return NO_LINES; // the LF of a last CRLF
    if (this.sep === '\r') stripLF(lines);
    else if (!this.keepCR) stripCR(lines);
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

/** Split on '\r': a CRLF later in the input leaves its '\n' at the start of the next line. */
function stripLF(lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!;
    if (s.charCodeAt(0) === 10) lines[i] = s.slice(1);
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
