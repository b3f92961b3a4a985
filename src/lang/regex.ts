// Regexes from programs and from data, run in linear time.
//
// A backtracking engine takes exponential time on patterns such as (a+)+$ (28 a's and a b: 17 s,
// with SIGINT unanswered), and a pattern may come from the data. V8 has a second, linear-time
// engine; with --enable-experimental-regexp-engine-on-excessive-backtracks every regex still
// runs on the fast backtracking engine (irregexp) and moves to the linear one when a match
// backtracks too much. That covers only patterns the linear engine can run, so every user pattern
// is checked here by compiling it with the `l` flag (the linear engine itself, enabled by
// --enable-experimental-regexp-engine) and refused when it cannot: backreferences, lookaround,
// counted repetition beyond 16, the u flag. The linear engine has no case-insensitive mode, so a
// pattern with the i flag is rewritten into the equivalent one without it (every letter becomes
// the class of its case variants, by the same Canonicalize rule as JavaScript's i without u).
// The flags are set when this module loads, before any user pattern is compiled; Node 20, 22
// and 24 honour them at run time.

import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
// V8 moves a match to the linear engine after this many backtracks, anew at every match: at
// the default 50,000 a line of 30 a's and a b costs 0.8 ms against (a+)+$, at 1,000 it costs
// 25 µs; ordinary patterns on 1 KB lines stay far below it and on the fast engine
setFlagsFromString('--regexp-backtracks-before-fallback=1000');
setFlagsFromString('--enable-experimental-regexp-engine');

/** What `sluice help regex` and the manual say about patterns. */
export const REGEX_RULES: [string, string][] = [
  ['Where', 'Regexes appear in `=~` and `!~` (a /literal/ or a string, also one from the data), extract(), replace(), split() and `parse regex`.'],
  ['Syntax', "JavaScript's: classes [a-z] \\d \\w \\s, anchors ^ $ \\b, groups (…) (?:…) (?<name>…), alternation |, quantifiers * + ? {n,m} and their lazy forms, flags i (ignore case), m (^ and $ at line ends) and s (. matches newlines)."],
  ['Linear time', 'Every match takes time proportional to the text, whatever the pattern: (a+)+$ against 30 a\'s and a b takes microseconds, not minutes, and a pattern taken from the data cannot stall sluice. Patterns that need backtracking are refused: backreferences \\1 and \\k<name>, lookahead (?=…) (?!…), lookbehind (?<=…) (?<!…), counted repetition above 16 in all (a{17}, [0-9a-f]{32}: write [0-9a-f]+ and check len() instead) and the u flag (so no \\p{…} classes).'],
  ['Refused', 'A refused or invalid pattern in the program is a program error (exit 2) pointing at it; one that comes from the data makes the expression null and counts a type error in --stats.'],
];

// ---- the i flag, rewritten away ----

let caseClasses: Map<number, number[]> | null = null;

/** JavaScript's Canonicalize for the i flag without u (ECMA-262 22.2.2.7.3). */
function canonicalize(c: number): number {
  const u = String.fromCharCode(c).toUpperCase();
  if (u.length !== 1) return c;
  const cu = u.charCodeAt(0);
  return c >= 128 && cu < 128 ? c : cu;
}

/** The code units that match c under the i flag (c itself included), sorted. */
function caseVariants(c: number): number[] {
  if (caseClasses === null) {
    const byCanon = new Map<number, number[]>();
    for (let x = 0; x <= 0xffff; x++) {
      const k = canonicalize(x);
      const list = byCanon.get(k);
      if (list === undefined) byCanon.set(k, [x]);
      else list.push(x);
    }
    caseClasses = new Map();
    for (const list of byCanon.values()) if (list.length > 1) for (const x of list) caseClasses.set(x, list);
  }
  return caseClasses.get(c) ?? [c];
}

const hex4 = (c: number) => '\\u' + c.toString(16).padStart(4, '0');

/** A class body for a set of code units, as ranges. */
function classBody(units: Set<number>): string {
  const sorted = [...units].sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out += j === i ? hex4(sorted[i]!) : `${hex4(sorted[i]!)}-${hex4(sorted[j]!)}`;
    i = j + 1;
  }
  return out;
}

/** A single code unit as a pattern atom matching all its case variants. */
function foldedAtom(c: number, original: string): string {
  const v = caseVariants(c);
  return v.length > 1 ? `[${v.map(hex4).join('')}]` : original;
}

const CLASS_ESCAPES = 'dDwWsS';
const CONTROL = { n: 10, r: 13, t: 9, f: 12, v: 11 } as const;
const isLetter = (ch: string | undefined) => ch !== undefined && /[A-Za-z]/.test(ch);
const HEX2 = /^[0-9a-fA-F]{2}/;
const HEX4 = /^[0-9a-fA-F]{4}/;

/**
 * The pattern, written without the i flag (Annex B syntax, no u flag). Called only on a
 * pattern that compiles, so the syntax is valid.
 */
export function foldCase(src: string): string {
  const hasNamedGroups = /\(\?<[^=!]/.test(src);
  let out = '';
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const e = src[i + 1];
      if (e === undefined) { out += ch; i++; continue; }
      if (CLASS_ESCAPES.includes(e) || e === 'b' || e === 'B' || e in CONTROL || e === '0') { out += ch + e; i += 2; continue; }
      if (e >= '1' && e <= '9') {
        let j = i + 1;
        while (j < src.length && src[j]! >= '0' && src[j]! <= '9') j++;
        out += src.slice(i, j);
        i = j;
        continue;
      }
      if (e === 'c') {
        if (isLetter(src[i + 2])) { out += src.slice(i, i + 3); i += 3; continue; }
        out += '\\\\'; // Annex B: a lone \c is a backslash, then c as itself
        i++;
        continue;
      }
      if (e === 'x' && HEX2.test(src.slice(i + 2))) {
        out += foldedAtom(parseInt(src.slice(i + 2, i + 4), 16), src.slice(i, i + 4));
        i += 4;
        continue;
      }
      if (e === 'u' && HEX4.test(src.slice(i + 2))) {
        out += foldedAtom(parseInt(src.slice(i + 2, i + 6), 16), src.slice(i, i + 6));
        i += 6;
        continue;
      }
      if (e === 'k' && hasNamedGroups) {
        const end = src.indexOf('>', i);
        out += src.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      // an identity escape: the character itself
      out += foldedAtom(e.charCodeAt(0), ch + e);
      i += 2;
      continue;
    }
    if (ch === '[') {
      const r = foldClass(src, i);
      out += r.text;
      i = r.end;
      continue;
    }
    if (ch === '(' && src[i + 1] === '?') {
      if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        const end = src.indexOf('>', i);
        out += src.slice(i, end + 1);
        i = end + 1;
      } else {
        const n = src[i + 2] === '<' ? 4 : 3;
        out += src.slice(i, i + n);
        i += n;
      }
      continue;
    }
    out += foldedAtom(ch.charCodeAt(0), ch);
    i++;
  }
  return out;
}

/** One class [...] starting at src[start], with every code unit's case variants added. */
function foldClass(src: string, start: number): { text: string; end: number } {
  let i = start + 1;
  const negated = src[i] === '^';
  if (negated) i++;
  const units = new Set<number>();
  const escapes: string[] = [];
  // one class atom: a code unit, or a class escape such as \d (null unit)
  const atom = (): { unit: number | null; text: string } => {
    const ch = src[i]!;
    if (ch !== '\\') { i++; return { unit: ch.charCodeAt(0), text: ch }; }
    const e = src[i + 1]!;
    const from = i;
    i += 2;
    if (CLASS_ESCAPES.includes(e)) return { unit: null, text: '\\' + e };
    if (e === 'b') return { unit: 8, text: '\\b' };
    if (e in CONTROL) return { unit: CONTROL[e as keyof typeof CONTROL], text: '' };
    if (e === 'c') {
      const l = src[i];
      if (l !== undefined && /[A-Za-z0-9_]/.test(l)) { i++; return { unit: l.charCodeAt(0) % 32, text: '' }; }
      i = from + 1; // a lone \c in a class: the backslash itself, then c
      return { unit: 0x5c, text: '' };
    }
    if (e === 'x' && HEX2.test(src.slice(i))) { i += 2; return { unit: parseInt(src.slice(i - 2, i), 16), text: '' }; }
    if (e === 'u' && HEX4.test(src.slice(i))) { i += 4; return { unit: parseInt(src.slice(i - 4, i), 16), text: '' }; }
    if (e >= '0' && e <= '7') {
      // legacy octal: up to three digits, at most 0o377
      let v = e.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && src[i] !== undefined && src[i]! >= '0' && src[i]! <= '7' && v * 8 + (src.charCodeAt(i) - 48) <= 0o377; k++) {
        v = v * 8 + (src.charCodeAt(i) - 48);
        i++;
      }
      return { unit: v, text: '' };
    }
    return { unit: e.charCodeAt(0), text: '' };
  };
  while (src[i] !== ']') {
    const a = atom();
    if (src[i] === '-' && src[i + 1] !== ']' && src[i + 1] !== undefined) {
      const save = i;
      i++;
      const b = atom();
      if (a.unit !== null && b.unit !== null) {
        for (let c = a.unit; c <= b.unit; c++) units.add(c);
        continue;
      }
      // Annex B: a class escape at either end makes the - a literal
      i = save + 1;
      if (a.unit === null) escapes.push(a.text); else units.add(a.unit);
      units.add(0x2d);
      if (b.unit === null) escapes.push(b.text); else units.add(b.unit);
      continue;
    }
    if (a.unit === null) escapes.push(a.text); else units.add(a.unit);
  }
  for (const c of [...units]) for (const v of caseVariants(c)) units.add(v);
  return { text: `[${negated ? '^' : ''}${classBody(units)}${escapes.join('')}]`, end: i + 1 };
}

// ---- checking and compiling ----

/**
 * Does the pattern hold a lookbehind group? Node 22's linear engine runs them and Node 20's does
 * not; they are refused everywhere so that a program means the same on every supported Node.
 */
function hasLookbehind(src: string): boolean {
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && src.startsWith('?<', i + 1) && (src[i + 3] === '=' || src[i + 3] === '!')) return true;
  }
  return false;
}

/** Why the linear engine refuses a valid pattern, in words a user can act on. */
function whyNotLinear(src: string): string {
  if (/\(\?<?[=!]/.test(src)) return 'lookahead and lookbehind ((?=…) (?!…) (?<=…) (?<!…)) are not supported';
  if (/\\[1-9]|\\k</.test(src)) return 'backreferences (\\1, \\k<name>) are not supported';
  if (/\{\d/.test(src)) return 'counted repetition is limited to 16 in all (a{17}, [0-9a-f]{32} are refused; use + and check len())';
  return 'it cannot run in linear time';
}

/**
 * A user's pattern as a RegExp that runs in linear time, or an Error whose message says why
 * not (invalid, or a feature that needs backtracking). `flags` may hold i, m, s (and g, y for
 * internal use); u is refused.
 */
export function userRegex(source: string, flags = ''): RegExp {
  let native: RegExp;
  try {
    native = new RegExp(source, flags);
  } catch (e) {
    throw new Error(`invalid regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (flags.includes('u')) throw new Error(`unsupported regex /${source}/${flags}: the u flag is not supported (regexes run in linear time; see \`sluice help regex\`)`);
  const plainFlags = flags.replace('i', '');
  const pattern = flags.includes('i') ? foldCase(source) : source;
  try {
    if (hasLookbehind(source)) throw new Error('lookbehind');
    new RegExp(pattern, plainFlags + 'l');
  } catch {
    throw new Error(`unsupported regex /${source}/${flags}: ${whyNotLinear(source)} (regexes run in linear time; see \`sluice help regex\`)`);
  }
  return pattern === source && plainFlags === flags ? native : new RegExp(pattern, plainFlags);
}

/** userRegex for a pattern from the data: null when it is invalid or refused. */
export function tryUserRegex(source: string, flags = ''): RegExp | null {
  try {
    return userRegex(source, flags);
  } catch {
    return null;
  }
}
