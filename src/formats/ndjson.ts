// ndjson (JSON Lines): one JSON value per line. This is the hot path of the whole program,
// so the decoder is a plain loop over the lines of each chunk, one JSON.parse per line, and
// the arrival time is read once per chunk (all records of a chunk arrived together). Given the
// fields the program needs, lines go through the projecting reader instead (ndjson-project.ts),
// which builds only those fields and falls back to JSON.parse on any doubt. The encoder writes
// `raw` unchanged when allowed, and builds a batch with one join.

import { makeEvent } from '../core/event.js';
import type { Event, Value } from '../core/event.js';
import { TOO_DEEP, tooDeep } from '../core/depth.js';
import { decoderState, valueJson, type DecoderFactory, type DecoderState, type EncoderFactory } from './types.js';
import { isBlank, LineSplitter, type SplitterState } from './line-splitter.js';
import { jsonSyntaxError } from './json-syntax.js';
import { LineProjector } from './ndjson-project.js';
import { defineFormat, jsonMessageFor } from './spec.js';

interface NdjsonState extends DecoderState {
  lines: SplitterState;
}

export const decodeNdjson: DecoderFactory = (source, opts, bad, now) => {
  const splitter = new LineSplitter();
  // the fields the program needs (DecodeOptions.fields): other fields are skipped, not built
  // (`__proto__` cannot be set as a plain property: such a program reads whole records)
  const projector = opts.fields != null && !opts.fields.includes('__proto__') ? new LineProjector(opts.fields) : null;
  let whole = projector === null ? 0 : (opts.wholeFirst ?? 0);

  function decode(lines: string[], out: Event[]): void {
    const n = lines.length;
    if (n === 0) return;
    const ts = now();
    let lineNo = splitter.firstLine;
    for (let i = 0; i < n; i++, lineNo++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      if (projector !== null && whole === 0) {
        const rec = projector.project(line);
        if (rec !== undefined) {
          out.push(makeEvent(rec, line, source, lineNo, ts, line));
          continue;
        }
      }
      let value: Value;
      try {
        value = JSON.parse(line) as Value;
      } catch {
        if (!isBlank(line)) bad(line, jsonSyntaxError(line), lineNo);
        continue;
      }
      if (tooDeep(line, value)) {
        bad(line, TOO_DEEP, lineNo);
        continue;
      }
      if (whole > 0) whole--;
      out.push(makeEvent(value, line, source, lineNo, ts, line));
    }
  }

  return {
    write(chunk, out) {
      decode(splitter.push(chunk), out);
    },
    end(out) {
      decode(splitter.finish(), out);
    },
    snapshot: (): NdjsonState => ({ format: 'ndjson', lines: splitter.snapshot() }),
    restore(state) {
      splitter.restore(decoderState<NdjsonState>('ndjson', state).lines);
    },
  };
};

export const encodeNdjson: EncoderFactory = (opts) => {
  const passRaw = opts.passRaw;
  const typeError = opts.typeError;
  return {
    write(batch) {
      const n = batch.length;
      if (n === 0) return '';
      const parts = new Array<string>(n + 1);
      for (let i = 0; i < n; i++) {
        const ev = batch[i]!;
        const raw = ev.raw;
        parts[i] = passRaw && raw !== undefined ? raw : ev.origin === undefined ? JSON.stringify(ev.value) : valueJson(ev, typeError);
      }
      parts[n] = '';
      return parts.join('\n');
    },
    end() {
      return '';
    },
  };
};

export const ndjsonFormat = defineFormat({
  name: 'ndjson',
  summary: 'one JSON value per line (.ndjson, .jsonl); the default output in a pipe',
  extensions: ['ndjson', 'jsonl', 'ldjson'],
  // a first line that is JSON, or too long to be all there (JSON lines are the common case); a blank input
  sniff: (s) => (s.char === '' || (s.char === '{' && (!s.complete || isJson(s.first))) ? 90 : 0),
  decoder: decodeNdjson,
  encoder: encodeNdjson,
  message: jsonMessageFor,
  sample: '{"a":1,"b":"x","c":[2,{"d":null}]}',
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
