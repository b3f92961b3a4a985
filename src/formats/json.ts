// json: a top-level array whose elements are the records, or JSON values one after another
// (`{..}{..}`, pretty-printed objects, `1 2 3`), as jq reads them. Every top-level array is
// unwrapped into its elements. The decoder is an incremental scanner that only tracks
// nesting, strings and escapes to find where each value ends, then hands that one value to
// JSON.parse: it never holds more than the value being read, whatever the input size.
// Between chunks the scanner's state is a handful of numbers and flags plus the text of the
// value being read; snapshot() saves them (also mid-way through a top-level array).
// The encoder writes a JSON array with one record per line, streamed.

import { makeEvent } from '../core/event.js';
import { mayBeInexact } from '../core/numbers.js';
import type { Event, Value } from '../core/event.js';
import { TOO_DEEP, tooDeep } from '../core/depth.js';
import { decoderState, valueJson, type DecoderFactory, type DecoderState, type EncoderFactory } from './types.js';
import { jsonSyntaxError } from './json-syntax.js';
import { defineFormat, jsonMessageFor } from './spec.js';

// where the scanner is, outside a value
const TOP = 0; // between top-level values
const ARR_FIRST = 1; // just after a top-level '['
const ARR_NEXT = 2; // after ',' inside a top-level array
const ARR_AFTER = 3; // after an element of a top-level array

// what kind of value is being collected
const CONTAINER = 1;
const STRING = 2;
const SCALAR = 3;

const TRUNCATED = 'truncated JSON at end of input';

interface JsonState extends DecoderState {
  started: boolean;
  /** line of the next character */
  line: number;
  /** TOP, or where in a top-level array (opened on arrayLine) */
  mode: number;
  arrayLine: number;
  /** the value being read: its kind (0: none), text so far, first line and scanner flags */
  kind: number;
  text: string;
  valueLine: number;
  missingComma: boolean;
  inString: boolean;
  escaped: boolean;
  closers: number[];
}

export const decodeJson: DecoderFactory = (source, _opts, bad, now) => {
  let started = false;
  let line = 1;
  let mode = TOP;
  let arrayLine = 0;

  let kind = 0; // 0 = not inside a value
  let pieces: string[] = [];
  let valueLine = 0;
  let missingComma = false;
  let inString = false;
  let escaped = false;
  const closers: number[] = [];

  function finish(text: string, out: Event[], ts: number): void {
    kind = 0;
    if (mode !== TOP) mode = ARR_AFTER;
    if (missingComma) {
      missingComma = false;
      bad(text, "invalid JSON: expected ',' or ']' before this array element", valueLine);
      return;
    }
    let value: Value;
    try {
      value = JSON.parse(text) as Value;
    } catch {
      bad(text, jsonSyntaxError(text, valueLine), valueLine);
      return;
    }
    if (tooDeep(text, value)) {
      bad(text, TOO_DEEP, valueLine);
      return;
    }
    out.push(makeEvent(value, undefined, source, valueLine, ts, mayBeInexact(text, value) ? text : undefined));
  }

  function take(chunk: string, start: number, end: number): string {
    if (pieces.length === 0) return chunk.slice(start, end);
    pieces.push(chunk.slice(start, end));
    const text = pieces.join('');
    pieces = [];
    return text;
  }

  function write(chunk: string, out: Event[]): void {
    if (chunk.length === 0) return;
    if (!started) {
      started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const ts = now();
    const n = chunk.length;
    let start = 0; // where the value being collected starts in this chunk
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (kind !== 0) {
        if (c === 10) line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) {
            inString = false;
            if (kind === STRING) finish(take(chunk, start, i + 1), out, ts);
          }
        } else if (kind === CONTAINER) {
          if (c === 34) inString = true;
          else if (c === 123) closers.push(125);
          else if (c === 91) closers.push(93);
          else if (c === 125 || c === 93) {
            // a mismatched closer ends the value too: JSON.parse then reports it
            if (closers.pop() !== c) closers.length = 0;
            if (closers.length === 0) finish(take(chunk, start, i + 1), out, ts);
          }
        } else if (c <= 32 || c === 44 || c === 93 || c === 125 || c === 91 || c === 123 || c === 34) {
          // end of a scalar (number, true, junk): look at this character again outside it
          if (c === 10) line--;
          finish(take(chunk, start, i), out, ts);
          i--;
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 13) continue;
      if (c === 10) {
        line++;
        continue;
      }
      if (mode === TOP) {
        if (c === 91) {
          mode = ARR_FIRST;
          arrayLine = line;
          continue;
        }
        if (c === 44 || c === 93 || c === 125) {
          bad(chunk[i]!, `invalid JSON: unexpected '${chunk[i]}'`, line);
          continue;
        }
      } else if (c === 93) {
        if (mode === ARR_NEXT) bad(']', "invalid JSON: trailing ',' before ']'", line);
        mode = TOP;
        continue;
      } else if (c === 44) {
        if (mode === ARR_AFTER) mode = ARR_NEXT;
        else bad(',', "invalid JSON: unexpected ','", line);
        continue;
      } else if (mode === ARR_AFTER) {
        missingComma = true;
      }
      // a value starts here
      start = i;
      valueLine = line;
      if (c === 123 || c === 91) {
        kind = CONTAINER;
        closers.push(c === 123 ? 125 : 93);
      } else if (c === 34) {
        kind = STRING;
        inString = true;
      } else {
        kind = SCALAR;
      }
    }
    if (kind !== 0) pieces.push(start === 0 ? chunk : chunk.slice(start));
  }

  return {
    write,
    snapshot(): JsonState {
      if (pieces.length > 1) pieces = [pieces.join('')];
      return {
        format: 'json', started, line, mode, arrayLine, kind, text: pieces.length === 0 ? '' : pieces[0]!,
        valueLine, missingComma, inString, escaped, closers: closers.slice(),
      };
    },
    restore(state) {
      const s = decoderState<JsonState>('json', state);
      ({ started, line, mode, arrayLine, kind, valueLine, missingComma, inString, escaped } = s);
      pieces = s.text.length === 0 ? [] : [s.text];
      closers.length = 0;
      for (const c of s.closers) closers.push(c);
    },
    end(out) {
      const ts = now();
      if (kind !== 0) {
        const text = take('', 0, 0);
        if (kind === SCALAR) {
          finish(text, out, ts);
        } else {
          kind = 0;
          bad(text, TRUNCATED, valueLine);
          mode = TOP;
        }
        inString = false;
        escaped = false;
        closers.length = 0;
      }
      if (mode !== TOP) {
        bad('[', TRUNCATED, arrayLine);
        mode = TOP;
      }
    },
  };
};

export const encodeJson: EncoderFactory = (opts) => {
  const typeError = opts.typeError;
  let count = 0;
  return {
    write(batch) {
      const n = batch.length;
      if (n === 0) return '';
      const parts = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const ev = batch[i]!;
        parts[i] = ev.origin === undefined ? JSON.stringify(ev.value) : valueJson(ev, typeError);
      }
      const text = (count === 0 ? '[\n' : ',\n') + parts.join(',\n');
      count += n;
      return text;
    },
    end() {
      return count === 0 ? '[]\n' : '\n]\n';
    },
  };
};

export const jsonFormat = defineFormat({
  name: 'json',
  summary: 'a top-level array, or JSON values one after another (.json)',
  extensions: ['json'],
  // an array, or an object that is not one JSON line (ndjson scores that higher)
  sniff: (s) => (s.char === '[' || s.char === '{' ? 80 : 0),
  decoder: decodeJson,
  encoder: encodeJson,
  message: jsonMessageFor,
  sample: '{\n  "a": 1,\n  "b": [true, "x"]\n}\n',
});
