// lines: each input line becomes `{line: "..."}` (empty lines included), for plain text
// logs that the `parse` stage can take apart later.

import { makeEvent } from '../core/event.js';
import type { DecoderFactory } from './types.js';
import { lineDecoder } from './line-splitter.js';

export const decodeLines: DecoderFactory = (source, _opts, _bad, now) =>
  lineDecoder('lines', (line, lineNo, ts, out) => {
    out.push(makeEvent({ line }, undefined, source, lineNo, ts));
  }, now);
