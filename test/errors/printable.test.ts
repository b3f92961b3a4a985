import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charName, printable, printableLines } from '../../src/errors/printable.js';

// what a terminal acts on: C0, DEL, C1, and the bidi controls
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// code units from NUL to past the bidi controls (fc.string's 'binary' unit takes seconds to set up)
const anyChars = fc.array(fc.integer({ min: 0, max: 0x2100 }), { maxLength: 40 }).map((a) => String.fromCharCode(...a));

describe('printable', () => {
  it('leaves no control character, and changes nothing else', () => {
    fc.assert(fc.property(anyChars, (s) => {
      const p = printable(s);
      expect(CONTROL.test(p)).toBe(false);
      if (!CONTROL.test(s)) expect(p).toBe(s);
    }));
  });

  it('shows ESC, BEL, NUL, line ends and a bidi override as escapes', () => {
    expect(printable('\x1b[2J\x1b]0;title\x07\0a\nb\tc\r\u202e\x9b')).toBe('\\x1b[2J\\x1b]0;title\\x07\\x00a\\nb\\tc\\r\\u202e\\x9b');
    expect(printableLines('where x\x1b\n      ^')).toBe('where x\\x1b\n      ^');
  });

  it('charName', () => {
    expect(charName('x')).toBe("'x'");
    expect(charName('\x1b')).toBe('U+001B');
    expect(charName('\ufffd')).toBe('U+FFFD');
    expect(charName('😀')).toBe('U+1F600');
  });
});
