// Why a JSON text is invalid, in sluice's own words, with where. Only called after JSON.parse
// has refused a text (the fast parser stays V8's): V8's messages change between Node versions
// (Node 22 appends "(line 1 column 2)") and quote the input raw, control bytes included, so a
// bad line could drive the user's terminal through the message. This scanner follows RFC 8259
// with an explicit stack (no recursion, any depth) and stops at the first problem.

import { charName } from '../errors/printable.js';

const VALUE = 0; // a value is expected
const FIRST_ELEMENT = 1; // after '[': a value or ']'
const KEY = 2; // after ',' in an object: a property name
const FIRST_KEY = 3; // after '{': a property name or '}'
const AFTER = 4; // after a value: ',' or the closer, or the end

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

/** The first problem of a JSON text: its offset and what it is; null if there is none. */
export function jsonProblem(text: string): { at: number; what: string } | null {
  const n = text.length;
  const closers: number[] = [];
  let state = VALUE;
  let i = 0;
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
    if (i >= n) return state === AFTER && closers.length === 0 ? null : { at: i, what: 'unexpected end of text' };
    const c = text.charCodeAt(i);
    if (state === AFTER) {
      if (closers.length === 0) return { at: i, what: `unexpected ${charName(text[i]!)} after the value` };
      const top = closers[closers.length - 1]!;
      if (c === 44) {
        state = top === 125 ? KEY : VALUE;
        i++;
      } else if (c === top) {
        closers.pop();
        i++;
      } else {
        return { at: i, what: `expected ',' or '${String.fromCharCode(top)}', found ${charName(charAt(text, i))}` };
      }
      continue;
    }
    if (state === KEY || state === FIRST_KEY) {
      if (c === 125 && state === FIRST_KEY) {
        closers.pop();
        i++;
        state = AFTER;
        continue;
      }
      if (c !== 34) return { at: i, what: `expected a property name in double quotes, found ${charName(charAt(text, i))}` };
      const end = stringEnd(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++;
      if (i >= n) return { at: i, what: 'unexpected end of text' };
      if (text.charCodeAt(i) !== 58) return { at: i, what: `expected ':' after the property name, found ${charName(charAt(text, i))}` };
      i++;
      state = VALUE;
      continue;
    }
    // a value
    if (c === 93 && state === FIRST_ELEMENT) {
      closers.pop();
      i++;
      state = AFTER;
      continue;
    }
    state = AFTER;
    if (c === 123) {
      closers.push(125);
      state = FIRST_KEY;
      i++;
    } else if (c === 91) {
      closers.push(93);
      state = FIRST_ELEMENT;
      i++;
    } else if (c === 34) {
      const end = stringEnd(text, i);
      if (typeof end !== 'number') return end;
      i = end;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) return { at: i + 1, what: 'a number needs digits after its sign' };
      i += m[0].length;
      const d = text.charCodeAt(i);
      if (d === 46 || d === 101 || d === 69) return { at: i, what: `a number needs digits after its '${text[i]}'` };
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      return { at: i, what: `unexpected ${charName(charAt(text, i))}${c === 0xfffd ? ' (input that is not UTF-8)' : ''}` };
    }
  }
}

/** The whole character at `i` (both halves of a surrogate pair). */
function charAt(text: string, i: number): string {
  return String.fromCodePoint(text.codePointAt(i) ?? 0);
}

/** The offset after the string starting at `i` (its opening quote), or the problem in it. */
function stringEnd(text: string, i: number): number | { at: number; what: string } {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      const d = text.charCodeAt(j + 1);
      if (d === 117) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return { at: j, what: 'a \\u escape needs four hex digits' };
        j += 5;
      } else if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) {
        j++;
      } else {
        if (j + 1 >= n) return { at: i, what: 'unterminated string' };
        const e = charName(charAt(text, j + 1));
        return { at: j, what: `unknown escape ${e.startsWith("'") ? `'\\${e.slice(1)}` : `'\\' + ${e}`} in a string` };
      }
    } else if (c < 32) {
      return { at: j, what: `control character ${charName(text[j]!)} in a string (write it as \\u${c.toString(16).padStart(4, '0')})` };
    }
  }
  return { at: i, what: 'unterminated string' };
}

/**
 * The reason a text that JSON.parse refused is bad input: `invalid JSON: WHAT at column C`
 * (`at line L column C` when the text spans lines; `firstLine` is the line it starts on).
 * Columns count UTF-16 units from 1.
 */
export function jsonSyntaxError(text: string, firstLine = 1): string {
  const p = jsonProblem(text);
  if (p === null) return 'invalid JSON';
  const lineStart = text.lastIndexOf('\n', p.at - 1) + 1;
  const column = p.at - lineStart + 1;
  if (text.indexOf('\n') < 0) return `invalid JSON: ${p.what} at column ${column}`;
  let line = firstLine;
  for (let k = text.indexOf('\n'); k >= 0 && k < p.at; k = text.indexOf('\n', k + 1)) line++;
  return `invalid JSON: ${p.what} at line ${line} column ${column}`;
}
