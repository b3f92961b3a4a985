// Text from the input shown on a terminal (messages on stderr, the table format) must not be
// able to drive the terminal: a bad line holding ESC [2J or an OSC title sequence would clear
// the screen or retitle the window when a message echoes it. `printable` shows every control
// character as an escape: C0 (with \n \t \r by name), DEL, C1 (U+0080–U+009F: 8-bit CSI and
// OSC), and the bidirectional overrides and isolates that reorder what the reader sees.

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code < 0x100 ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
}

/** `s` with every control character escaped (`\x1b`, `\n`, `\u202e`); unchanged when it has none. */
export function printable(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeChar) : s;
}

/** The same, line by line: the line breaks of a multi-line message (a caret diagnostic) are kept. */
export function printableLines(s: string): string {
  return UNSAFE.test(s) ? s.split('\n').map(printable).join('\n') : s;
}

/** One character for a message: `'x'` when it is printable ASCII, else its code point (`U+001B`). */
export function charName(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x21 && code <= 0x7e) return `'${c}'`;
  return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
}
