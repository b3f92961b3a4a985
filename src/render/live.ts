// Drawing in place on a terminal: a status line on stderr (progress) that comes after ~0.5 s,
// is redrawn at most 10 times a second with `\r` + erase-line and is erased before any other
// message and at the end; and a block of lines on stdout (the live table) redrawn by moving the
// cursor up over the previous drawing and erasing to the end of the screen. Both cut lines to
// the terminal's width so that no line wraps (a wrapped line would throw the cursor count off).
// What is drawn is decided by the caller; this module only knows the escape sequences.

const ERASE_LINE = '\r\x1b[K';
const ERASE_DOWN = '\x1b[J';

/** Cut `line` to `columns` characters (one character, one column: what is drawn here is ASCII or box drawing). */
export function fitLine(line: string, columns: number): string {
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

export interface StatusOptions {
  /** quiet runs shorter than this show nothing */
  delayMs?: number;
  /** at most one redraw per this long */
  everyMs?: number;
  columns?: () => number;
}

/** A status line on stderr; every other stderr text goes through message() so that it is never garbled. */
export class StatusLine {
  private shown = false;
  private last = '';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly text: () => string,
    private readonly opts: StatusOptions = {},
  ) {}

  start(): void {
    const delay = setTimeout(() => {
      if (this.stopped) return;
      this.draw();
      this.timer = setInterval(() => this.draw(), this.opts.everyMs ?? 100);
      this.timer.unref();
    }, this.opts.delayMs ?? 500);
    delay.unref();
    this.timer = delay;
  }

  private draw(): void {
    const cols = this.opts.columns?.() ?? 0;
    const text = fitLine(this.text(), (cols >= 20 ? cols : 80) - 1);
    if (this.shown && text === this.last) return;
    this.write(ERASE_LINE + text);
    this.last = text;
    this.shown = true;
  }

  /** A message for stderr: the status line is erased first, and drawn again at the next tick. */
  message(text: string): void {
    this.clear();
    this.write(text);
  }

  private clear(): void {
    if (!this.shown) return;
    this.write(ERASE_LINE);
    this.shown = false;
  }

  /** Erase the line for good. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    this.clear();
  }
}

/** A block of lines redrawn in place (the text ends in '\n'; at most `rows` − 1 lines, each cut to `columns`). */
export class Redraw {
  private lines = 0;

  /** The escape sequences and text that replace the previous drawing with `text`. */
  draw(text: string, columns: number, rows: number): string {
    let lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.length > rows - 1) lines = [...lines.slice(0, Math.max(1, rows - 2)), `… ${lines.length - Math.max(1, rows - 2)} more lines`];
    const out = this.erase() + lines.map((l) => fitLine(l, columns)).join('\n') + (lines.length > 0 ? '\n' : '');
    this.lines = lines.length;
    return out;
  }

  /** The escape sequences that erase the previous drawing (the cursor ends where it began). */
  erase(): string {
    const up = this.lines > 0 ? `\x1b[${this.lines}A\r${ERASE_DOWN}` : '';
    this.lines = 0;
    return up;
  }
}

/** `12.3 MB`: bytes for a person. */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** `1h02m`, `3m05s`, `12s`: a duration for a person. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface Progress {
  /** bytes read so far */
  bytes: number;
  /** bytes in all, when known (plain files; not compressed ones, whose offsets count decompressed bytes) */
  total: number | null;
  records: number;
  elapsedMs: number;
}

/** `sluice: 12.3 MB of 45.6 MB (27%), 120000 records, 35.2 MB/s, ETA 1s` */
export function progressText(p: Progress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.bytes / secs : 0;
  let text = `sluice: ${humanBytes(p.bytes)}`;
  if (p.total !== null && p.total > 0) text += ` of ${humanBytes(p.total)} (${Math.min(100, Math.floor((p.bytes / p.total) * 100))}%)`;
  text += `, ${p.records} records, ${humanBytes(Math.round(rate))}/s`;
  if (p.total !== null && rate > 0 && p.bytes < p.total) text += `, ETA ${humanDuration(((p.total - p.bytes) / rate) * 1000)}`;
  return text;
}
