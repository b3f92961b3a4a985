// lines: each input line becomes `{line: "..."}` (empty lines included), for plain text
// logs that the `parse` stage can take apart later.

import { makeEvent } from '../core/event.js';
import type { DecoderFactory } from './types.js';
import { lineDecoder } from './line-splitter.js';
import { defineFormat } from './spec.js';

export const decodeLines: DecoderFactory = (source, _opts, _bad, now) =>
  lineDecoder('lines', (line, lineNo, ts, out) => {
    out.push(makeEvent({ line }, undefined, source, lineNo, ts));
  }, now);

export const linesFormat = defineFormat({
  name: 'lines',
  summary: 'each line becomes {"line": "..."} (.txt; a .log file is sniffed)',
  extensions: ['txt', 'text'],
  sniff: () => 1, // anything, when nothing else fits
  decoder: decodeLines,
  message: () => (text, src, out, _bad, _where, ts) => {
    out.push(makeEvent({ line: text }, undefined, src, 0, ts));
  },
  sample: '127.0.0.1 - - "GET / HTTP/1.1" 200 a=b',
});
