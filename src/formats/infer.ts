// Type inference for text cells (csv, tsv, logfmt, kv): numbers and — as DESIGN asks —
// true/false. A cell becomes a number only when the number writes back as the same text
// ("42", "-1.5", "1e+21"); any other numeric-looking cell ("007", "1.50", "0x1F", "1e3")
// stays text, so reading and writing a file never changes it (Miller keeps the original text
// beside the number for the same reason). Such text still compares and computes as a number:
// `where price > 1` and `sum(price)` read numeric strings.
//
// The common cells (plain integers and decimals of up to 15 digits) are decided by one scan
// without the regex, Number() and String() round trip, which were a third of reading a csv
// file: a decimal of at most 15 significant digits is the only such decimal that rounds to its
// double, so String() gives it back exactly when it has no redundant zero and is written in
// the form String() uses (fixed, for 1e-6 <= |x| < 1e21). Its value is m / 10^k with m < 2^53
// and k <= 15, both exact doubles, and one correctly rounded division, as Number() gives.
// Everything else goes the old way.

import type { Value } from '../core/event.js';

const NUMBER = /^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** plainNumber's answer for text that no number can be (a sign inside it, not after an exponent). */
const NOT_A_NUMBER = Number.POSITIVE_INFINITY;

/**
 * The number that a plain decimal cell (`-12`, `0.25`, `6.8`) writes back as exactly; NaN when
 * this scan cannot tell (the caller then asks the regex), NOT_A_NUMBER when the text can never be
 * a number.
 */
function plainNumber(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  const start = i;
  let m = 0;
  // integer part: "0" or no leading zero
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
  }
  const intDigits = i - start;
  if (intDigits === 0 || (intDigits > 1 && s.charCodeAt(start) === 48)) return NaN;
  if (i === n) {
    if (intDigits > 15 || (neg && m === 0)) return NaN;
    return neg ? -m : m;
  }
  if (s.charCodeAt(i) !== 46) return s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43 ? NOT_A_NUMBER : NaN;
  i++;
  const fracStart = i;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    m = m * 10 + d;
  }
  const k = i - fracStart;
  // "1." and "1.50" do not write back; nor more than 15 digits, nor below 1e-6 ("0.0000001" is 1e-7)
  if (k === 0 || s.charCodeAt(n - 1) === 48 || intDigits + k > 15 || m === 0) return NaN;
  if (intDigits === 1 && s.charCodeAt(start) === 48 && m < POW10[Math.max(k - 6, 0)]!) return NaN;
  const v = m / POW10[k]!;
  return neg ? -v : v;
}

export function inferValue(s: string): Value {
  const c = s.charCodeAt(0);
  // fast exit: most strings do not start like a number or boolean
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 116 || c === 102)) return s;
  if (c <= 57 && c !== 43 && c !== 46) {
    const v = plainNumber(s);
    if (v === NOT_A_NUMBER) return s;
    if (v === v) return v;
  }
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (NUMBER.test(s)) {
    const n = Number(s);
    return String(n) === s ? n : s;
  }
  return s;
}
