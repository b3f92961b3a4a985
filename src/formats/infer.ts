// Type inference for text cells (csv, tsv, logfmt, kv), following Miller: decimal and hex
// integers, floats (with exponent), and — as DESIGN asks — true/false. Unlike Miller, a
// number written with leading zeros ("007", zip codes) stays a string, so that no input
// text is ever changed by reading and writing it back.

import type { Value } from '../runtime/event.js';

const NUMBER = /^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const HEX = /^[-+]?0x[0-9a-fA-F]+$/;

export function inferValue(s: string): Value {
  const c = s.charCodeAt(0);
  // fast exit: most strings do not start like a number or boolean
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 116 || c === 102)) return s;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (NUMBER.test(s)) {
    const n = Number(s);
    // -0 would print back as 0: keep the text
    return Number.isFinite(n) && !Object.is(n, -0) ? n : s;
  }
  if (HEX.test(s)) {
    const n = s.startsWith('-') ? -parseInt(s.slice(3), 16) : parseInt(s.replace(/^\+/, '').slice(2), 16);
    return Number.isSafeInteger(n) ? n : s;
  }
  return s;
}
