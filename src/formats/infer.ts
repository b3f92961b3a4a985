// Type inference for text cells (csv, tsv, logfmt, kv): numbers and — as DESIGN asks —
// true/false. A cell becomes a number only when the number writes back as the same text
// ("42", "-1.5", "1e+21"); any other numeric-looking cell ("007", "1.50", "0x1F", "1e3")
// stays text, so reading and writing a file never changes it (Miller keeps the original text
// beside the number for the same reason). Such text still compares and computes as a number:
// `where price > 1` and `sum(price)` read numeric strings.

import type { Value } from '../core/event.js';

const NUMBER = /^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

export function inferValue(s: string): Value {
  const c = s.charCodeAt(0);
  // fast exit: most strings do not start like a number or boolean
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 116 || c === 102)) return s;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (NUMBER.test(s)) {
    const n = Number(s);
    return String(n) === s ? n : s;
  }
  return s;
}
