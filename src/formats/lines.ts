// lines: each input line becomes `{line: "..."}` (empty lines included), for plain text
// logs that the `parse` stage can take apart later.

import type { Event } from '../runtime/event.js';
import { makeEvent } from '../runtime/event.js';
import type { DecoderFactory } from './types.js';
import { LineSplitter } from './line-splitter.js';

export const decodeLines: DecoderFactory = (source, _opts, _bad, now) => {
  const splitter = new LineSplitter();

  function decode(lines: string[], out: Event[]): void {
    const n = lines.length;
    if (n === 0) return;
    const ts = now();
    let lineNo = splitter.firstLine;
    for (let i = 0; i < n; i++, lineNo++) {
      out.push(makeEvent({ line: lines[i] }, undefined, source, lineNo, ts));
    }
  }

  return {
    write(chunk, out) {
      decode(splitter.push(chunk), out);
    },
    end(out) {
      decode(splitter.finish(), out);
    },
  };
};
