// The lexer: program text -> tokens with spans. Durations (250ms, 1h30m) and regex literals
// (/…/i) are recognised here; a `/` starts a regex only where a value may begin, as in JS.

import { UsageError } from '../errors/errors.js';
import { caret } from '../errors/diagnostic.js';
import { parseDuration } from '../time/duration.js';
import type { Span } from './ast.js';
import { userRegex } from './regex.js';

export type TokenKind =
  | 'ident' | 'qident' | 'number' | 'duration' | 'string' | 'regex' | 'meta' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** identifier/name text, string contents, punctuation, or the number's source text */
  text: string;
  /** numeric value for number/duration */
  num: number;
  /** regex flags */
  flags: string;
  span: Span;
}

const PUNCT = [
  '==', '!=', '<=', '>=', '=~', '!~', '&&', '||', '??', '=>',
  '|', '(', ')', '[', ']', '{', '}', ',', '.', ':', '?', '!', '<', '>', '=', '+', '-', '*', '/', '%',
];

const isIdentStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_$]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Reserved operator words, after which an operand begins: `not /x/` starts a regex. */
const OPERAND_BEFORE = new Set(['not', 'and', 'or', 'in']);

function valueEnds(prev: Token | undefined): boolean {
  if (!prev) return false;
  switch (prev.kind) {
    case 'ident':
      return !OPERAND_BEFORE.has(prev.text);
    case 'qident': case 'number': case 'duration': case 'string': case 'regex': case 'meta':
      return true;
    case 'punct':
      // after `.` comes a field name, never a regex: `./owners.csv` in `join ./owners.csv on id` is a path
      return prev.text === ')' || prev.text === ']' || prev.text === '}' || prev.text === '.';
    default:
      return false;
  }
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (msg: string, start: number, end: number): never => {
    throw new UsageError(msg, caret(text, { start, end }));
  };
  const push = (kind: TokenKind, t: string, start: number, num = 0, flags = '') =>
    out.push({ kind, text: t, num, flags, span: { start, end: i } });

  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const m = /^(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)/.exec(text.slice(i))!;
      i += m[0].length;
      // a unit right after the number makes it a duration: 250ms, 1h30m, 1.5s
      const dur = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h|d|w))+/.exec(text.slice(start));
      if (dur && !isIdentPart(text[start + dur[0].length] ?? '')) {
        const ms = parseDuration(dur[0]);
        if (ms !== null) {
          i = start + dur[0].length;
          push('duration', dur[0], start, ms);
          continue;
        }
      }
      if (isIdentPart(text[i] ?? '')) {
        while (i < text.length && isIdentPart(text[i]!)) i++;
        fail(`invalid number or duration '${text.slice(start, i)}' (durations: 250ms 10s 5m 1h 1d)`, start, i);
      }
      const n = Number(m[0]);
      push('number', m[0], start, n);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i]!)) i++;
      push('ident', text.slice(start, i), start);
      continue;
    }
    if (c === '@') {
      i++;
      while (i < text.length && isIdentPart(text[i]!)) i++;
      if (i === start + 1) fail("'@' must be followed by a metadata name such as @file or @line", start, i);
      push('meta', text.slice(start + 1, i), start);
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) fail('unterminated back-quoted name', start, text.length);
      i = end + 1;
      push('qident', text.slice(start + 1, end), start);
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated string', start, text.length);
        const d = text[i]!;
        if (d === c) { i++; break; }
        if (d === '\\') {
          const e = text[i + 1];
          i += 2;
          switch (e) {
            case 'n': s += '\n'; break;
            case 't': s += '\t'; break;
            case 'r': s += '\r'; break;
            case '0': s += '\0'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case '/': s += '/'; break;
            case '\\': s += '\\'; break;
            case '"': s += '"'; break;
            case "'": s += "'"; break;
            case 'u': {
              const hex = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(text.slice(i));
              if (!hex) fail('invalid \\u escape in string', i - 2, i);
              const cp = parseInt((hex![1] ?? hex![2])!, 16);
              if (cp > 0x10ffff) fail('invalid \\u escape in string', i - 2, i + hex![0].length);
              s += String.fromCodePoint(cp);
              i += hex![0].length;
              break;
            }
            default:
              // keep unknown escapes literally (handy for regex-like strings: '\d')
              s += '\\' + (e ?? '');
          }
          continue;
        }
        s += d;
        i++;
      }
      push('string', s, start);
      continue;
    }
    if (c === '/' && !valueEnds(out[out.length - 1])) {
      i++;
      let inClass = false;
      let src = '';
      for (;;) {
        if (i >= text.length || text[i] === '\n') fail('unterminated regex', start, i);
        const d = text[i]!;
        if (d === '\\') { src += d + (text[i + 1] ?? ''); i += 2; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) { i++; break; }
        src += d;
        i++;
      }
      const fstart = i;
      while (i < text.length && /[a-z]/.test(text[i]!)) i++;
      const flags = text.slice(fstart, i);
      if (/[^imsu]/.test(flags)) fail(`unsupported regex flag in '${flags}' (use i, m, s, u)`, fstart, i);
      try {
        userRegex(src, flags);
      } catch (e) {
        fail((e as Error).message, start, i);
      }
      push('regex', src, start, 0, flags);
      continue;
    }
    const p = PUNCT.find((q) => text.startsWith(q, i));
    if (!p) fail(`unexpected character '${c}'`, start, start + 1);
    i += p!.length;
    push('punct', p!, start);
  }
  out.push({ kind: 'eof', text: '', num: 0, flags: '', span: { start: text.length, end: text.length } });
  return out;
}
