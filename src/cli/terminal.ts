// What a terminal shows while sluice works (issue #11): a progress line on stderr for file
// inputs, and a live table on stdout for an aggregate or windows over a live input. Only on a
// terminal, never under NO_COLOR or TERM=dumb, never in a pipe. The drawing itself is
// render/live.ts; this module decides when, and from what.

import { isRecord, type Value } from '../core/event.js';
import { renderTable } from '../formats/table.js';
import type { Encoder } from '../formats/types.js';
import { progressText, Redraw, StatusLine, type Progress } from '../render/live.js';

/** May sluice draw on this stream: a terminal, with colour and cursor movement allowed. */
export function drawable(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

/** The progress line on stderr; `message` is then the one way to write anything else there. */
export function progressLine(write: (text: string) => void, sample: () => Progress, columns: () => number, delayMs = 500): StatusLine {
  const line = new StatusLine(write, () => progressText(sample()), { delayMs, everyMs: 100, columns });
  line.start();
  return line;
}

export interface LiveTableOptions {
  /** the last stage's results not written yet (an aggregate's groups, the open windows); shown below the results written so far */
  peek: (() => Value[]) | null;
  write: (text: string) => void;
  columns: () => number;
  rows: () => number;
  precision: number | 'full';
  everyMs?: number;
}

/**
 * Wrap the table encoder of a live run on a terminal: every ~1 s the current table (the latest
 * results written, then what the last stage holds open) is drawn over the previous one; at the
 * end the drawing is erased and the final table written in its place.
 */
export function liveTable(inner: Encoder, o: LiveTableOptions): { encoder: Encoder; stop(): void; erase(): void } {
  const redraw = new Redraw();
  const written: Value[] = [];
  let last = '';
  const timer = setInterval(() => {
    const rows = o.rows();
    const open = o.peek !== null ? o.peek() : [];
    const values = [...written.slice(-Math.max(0, rows - 2 - open.length)), ...open];
    const text = renderTable(values, o.precision);
    if (text === last) return;
    last = text;
    o.write(redraw.draw(text, o.columns(), rows));
  }, o.everyMs ?? 1000);
  timer.unref();
  const stop = () => clearInterval(timer);
  return {
    stop,
    // before a message on stderr: the table goes, the message stays, the next tick draws the table below it
    erase() {
      const text = redraw.erase();
      last = '';
      if (text !== '') o.write(text);
    },
    encoder: {
      write(batch) {
        // results written final (fired windows); early ones ("final": false) are what peek shows
        for (const ev of batch) if (!isRecord(ev.value) || ev.value.final !== false) written.push(ev.value);
        if (written.length > 1000) written.splice(0, written.length - 1000);
        return inner.write(batch);
      },
      end() {
        stop();
        return redraw.erase() + inner.end();
      },
    },
  };
}
