// The built-in functions: pure functions in one table with name, arity, help and examples,
// read by the compiler, `sluice help` and the generated docs; the examples run as tests.
//
// Rules every function follows unless its summary says otherwise:
// - Null in, null out: a null or missing argument makes the result null. The exceptions are
//   coalesce and min/max (which skip nulls), and exists, type, bool and tojson (which always
//   answer: exists(missing) is false, type(missing) "null", bool(missing) false, tojson(missing)
//   "null").
// - String functions read numbers and booleans as their text (as `=~` does); number functions
//   read numeric strings (as arithmetic does). Anything else is a wrong type: it is counted
//   through ctx.typeError() and the result is null. Nothing throws on data.
// - Strings are measured and cut in code points (len, substr, split on ""), so 'Zoë' and '😀'
//   have the lengths a reader expects; combining sequences still count per code point.
// - Regex literals arrive as RegExp objects. Constant patterns, time formats and durations are
//   prepared once in `specialize`, and an invalid constant is a program error.

import type { Value } from '../core/event.js';
import { tooDeep } from '../core/depth.js';
import { parseDuration } from '../time/duration.js';
import { formatIso, strftime as formatTime, strftimer } from '../time/format.js';
import { timestampParser, type TimestampParser } from '../time/timestamp.js';
import { asLambda, type FnArg, type FnContext, type FnImpl, type FunctionSpec } from './function-types.js';
import { compareValues, groupKey, looseEqual, numericString, totalOrder, truthy } from './values.js';
import { tryUserRegex, userRegex } from './regex.js';

// ---- argument helpers ----

/**
 * Run a function body that builds a string or array from data, which may pass the engine's
 * limits (a string longer than MAX_STRING_LENGTH, a value nested deeper than the stack):
 * V8 throws RangeError then, and like any other value it cannot handle, the result is a
 * counted null. Nothing else is caught: any other error is a bug.
 */
function bounded(ctx: FnContext, f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    ctx.typeError();
    return null;
  }
}

function isNull(v: FnArg): v is null | undefined {
  return v === null || v === undefined;
}

/** A scalar's text; undefined (counted) for arrays, objects and regexes. Call after null checks. */
function text(ctx: FnContext, v: FnArg): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.typeError();
  return undefined;
}

/** A number or numeric string as a finite number; NaN (counted) otherwise. Call after null checks. */
function num(ctx: FnContext, v: FnArg): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = numericString(v);
    if (Number.isFinite(n)) return n;
  }
  ctx.typeError();
  return NaN;
}

/** A finite result, with -0 turned into 0; null otherwise. */
function finite(n: number): Value {
  return Number.isFinite(n) ? n + 0 : null;
}

/** A FnArg that is a JSON value (RegExp counted as a wrong type and turned into undefined). */
function value(ctx: FnContext, v: FnArg): Value | undefined {
  if (v instanceof RegExp) { ctx.typeError(); return undefined; }
  return v;
}

// ---- strings ----

function hasSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

/** Code points [start, start+count) with substr's rules (negative start counts from the end). */
export function substring(s: string, start: number, count: number | undefined): string {
  const cps = hasSurrogates(s) ? Array.from(s) : null;
  const n = cps === null ? s.length : cps.length;
  const from = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
  const to = count === undefined ? n : count <= 0 ? from : Math.min(n, from + count);
  return cps === null ? s.slice(from, to) : cps.slice(from, to).join('');
}

const substr: FnImpl = (ctx, ...args) => {
  const [s, start, count] = args;
  if (isNull(s) || isNull(start) || (args.length > 2 && isNull(count))) return null;
  const t = text(ctx, s);
  if (t === undefined) return null;
  const a = num(ctx, start);
  if (Number.isNaN(a)) return null;
  let c: number | undefined;
  if (args.length > 2) {
    c = num(ctx, count);
    if (Number.isNaN(c)) return null;
    c = Math.trunc(c);
  }
  return substring(t, Math.trunc(a), c);
};

function replaceLiteral(s: string, pattern: string, repl: string): string {
  return pattern === '' ? s : s.split(pattern).join(repl);
}

const globalRegexes = new WeakMap<RegExp, RegExp>();

/** The same regex with the g flag (made once per RegExp object). */
function globalOf(re: RegExp): RegExp {
  if (re.global) return re;
  let g = globalRegexes.get(re);
  if (g === undefined) {
    g = new RegExp(re.source, re.flags + 'g');
    globalRegexes.set(re, g);
  }
  return g;
}

/** The same regex without g and y, so that exec always starts at 0. */
function singleOf(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

function replaceCore(ctx: FnContext, s: FnArg, pattern: string | RegExp, r: FnArg): Value {
  if (isNull(s) || isNull(r)) return null;
  const t = text(ctx, s);
  if (t === undefined) return null;
  const repl = text(ctx, r);
  if (repl === undefined) return null;
  return bounded(ctx, () => (typeof pattern === 'string' ? replaceLiteral(t, pattern, repl) : t.replace(pattern, repl)));
}

const replace: FnImpl = (ctx, s, p, r) => {
  if (isNull(s) || isNull(p) || isNull(r)) return null;
  if (p instanceof RegExp) return replaceCore(ctx, s, globalOf(p), r);
  const pat = text(ctx, p);
  return pat === undefined ? null : replaceCore(ctx, s, pat, r);
};

/** Text and regex patterns given as strings, compiled once each (null for an invalid one). */
const stringRegexes = new Map<string, RegExp | null>();

function regexFromString(p: string): RegExp | null {
  let re = stringRegexes.get(p);
  if (re === undefined) {
    re = tryUserRegex(p);
    if (stringRegexes.size >= 1000) stringRegexes.clear();
    stringRegexes.set(p, re);
  }
  return re;
}

/** A constant regex argument (a regex literal or a string) for `specialize`; throws if invalid. */
function constRegex(fn: string, p: FnArg): RegExp {
  if (p instanceof RegExp) return p;
  if (typeof p !== 'string') throw new Error(`${fn}: the pattern must be a regex like /a(b+)/ or a string`);
  return userRegex(p);
}

const NO_GROUP = Symbol('no group argument');
type Group = FnArg | typeof NO_GROUP;

const groupCache = new WeakMap<RegExp, { count: number; names: string[] }>();

/** Capture groups of a regex: how many, and the names. */
function groupsOf(re: RegExp): { count: number; names: string[] } {
  let g = groupCache.get(re);
  if (g === undefined) {
    const m = new RegExp(re.source + '|', re.flags.replace(/[gy]/g, '')).exec('')!;
    g = { count: m.length - 1, names: Object.keys(m.groups ?? {}) };
    groupCache.set(re, g);
  }
  return g;
}

function extractCore(ctx: FnContext, s: FnArg, re: RegExp, group: Group): Value {
  if (isNull(s) || group === null || group === undefined) return null;
  const t = text(ctx, s);
  if (t === undefined) return null;
  re.lastIndex = 0;
  const m = re.exec(t);
  if (group === NO_GROUP) return m === null ? null : (m.length > 1 ? m[1] : m[0]) ?? null;
  let index: number | string;
  if (typeof group === 'number') index = group;
  else if (typeof group === 'string') index = /^[0-9]+$/.test(group) ? Number(group) : group;
  else { ctx.typeError(); return null; }
  if (typeof index === 'number') {
    if (!Number.isInteger(index) || index < 0 || index > groupsOf(re).count) { ctx.typeError(); return null; }
    return m === null ? null : m[index] ?? null;
  }
  if (!groupsOf(re).names.includes(index)) { ctx.typeError(); return null; }
  return m === null ? null : m.groups![index] ?? null;
}

const extract: FnImpl = (ctx, ...args) => {
  const [s, p, g] = args;
  if (isNull(p)) return null;
  let re: RegExp | null;
  if (p instanceof RegExp) re = singleOf(p);
  else if (typeof p === 'string') re = regexFromString(p);
  else { if (!isNull(s)) ctx.typeError(); return null; }
  if (re === null) { if (!isNull(s)) ctx.typeError(); return null; }
  return extractCore(ctx, s, re, args.length > 2 ? g : NO_GROUP);
};

function split(ctx: FnContext, s: FnArg, sep: FnArg): Value {
  if (isNull(s) || isNull(sep)) return null;
  const t = text(ctx, s);
  if (t === undefined) return null;
  // capture groups in the separator are kept, as in JS; one that did not take part is null
  if (sep instanceof RegExp) return t.split(singleOf(sep)).map((x) => (x === undefined ? null : x));
  const d = text(ctx, sep);
  if (d === undefined) return null;
  return d === '' ? Array.from(t) : t.split(d);
}

function joinItem(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function contains(ctx: FnContext, h: FnArg, n: FnArg): Value {
  if (isNull(h) || isNull(n)) return null;
  if (Array.isArray(h)) {
    const needle = value(ctx, n);
    if (needle === undefined) return null;
    for (const x of h) if (looseEqual(x, needle)) return true;
    return false;
  }
  if (typeof h === 'object' && !(h instanceof RegExp)) {
    if (typeof n !== 'string') { ctx.typeError(); return null; }
    return Object.hasOwn(h, n);
  }
  const t = text(ctx, h);
  if (t === undefined) return null;
  const sub = text(ctx, n);
  return sub === undefined ? null : t.includes(sub);
}

/** A two-string predicate such as startswith. */
function textTest(f: (s: string, p: string) => boolean): FnImpl {
  return (ctx, s, p) => {
    if (isNull(s) || isNull(p)) return null;
    const a = text(ctx, s);
    if (a === undefined) return null;
    const b = text(ctx, p);
    return b === undefined ? null : f(a, b);
  };
}

/** A one-string function such as lower. */
function textMap(f: (s: string) => Value): FnImpl {
  return (ctx, s) => {
    if (isNull(s)) return null;
    const t = text(ctx, s);
    return t === undefined ? null : bounded(ctx, () => f(t));
  };
}

// ---- numbers ----

function numMap(f: (x: number) => number): FnImpl {
  return (ctx, x) => {
    if (isNull(x)) return null;
    return finite(f(num(ctx, x)));
  };
}

/** Shift the decimal point of a non-negative number by d places, through its text (exact). */
function shiftDecimal(x: number, d: number): number {
  const [m, e] = String(x).split('e');
  return Number(`${m}e${Number(e ?? 0) + d}`);
}

/** Round half away from zero to `digits` decimals (negative: tens, hundreds, …), as SQL does. */
export function roundTo(x: number, digits: number): number {
  const a = Math.abs(x);
  let r: number;
  if (digits === 0) r = Math.round(a);
  else if (digits > 0 && Number.isInteger(a)) r = a;
  else {
    const shifted = shiftDecimal(a, digits);
    if (!Number.isFinite(shifted)) return x;
    r = shiftDecimal(Math.round(shifted), -digits);
  }
  return (x < 0 ? -r : r) + 0;
}

const round: FnImpl = (ctx, ...args) => {
  const [x, digits] = args;
  if (isNull(x) || (args.length > 1 && isNull(digits))) return null;
  const n = num(ctx, x);
  if (Number.isNaN(n)) return null;
  let d = 0;
  if (args.length > 1) {
    d = num(ctx, digits);
    if (Number.isNaN(d)) return null;
    d = Math.max(-400, Math.min(400, Math.trunc(d)));
  }
  return finite(roundTo(n, d));
};

/** min/max: skip nulls, compare as `<` does (numbers, strings, numeric strings with numbers). */
function extreme(sign: 1 | -1): FnImpl {
  return (ctx, ...args) => {
    let best: Value | undefined;
    for (const a of args) {
      if (isNull(a)) continue;
      const v = value(ctx, a);
      if (v === undefined) return null;
      if (typeof v === 'object') { ctx.typeError(); return null; }
      if (best === undefined) { best = v; continue; }
      const c = compareValues(v, best, () => ctx.typeError());
      if (c === null) return null;
      if (c * sign > 0) best = v;
    }
    return best ?? null;
  };
}

/** int/float: numbers, numeric strings, and booleans (1/0). */
function toNumber(f: (x: number) => number): FnImpl {
  return (ctx, x) => {
    if (isNull(x)) return null;
    if (typeof x === 'boolean') return x ? 1 : 0;
    return finite(f(num(ctx, x)));
  };
}

// ---- time ----

/** A readable timestamp argument as epoch ms; NaN (counted) when unreadable. */
function timeOf(ctx: FnContext, x: FnArg): number {
  const t = x instanceof RegExp ? null : ctx.readTime(x);
  if (t === null) { ctx.typeError(); return NaN; }
  return t;
}

/** Parsers for time(x, fmt[, tz]) by format and zone, made once each (null for an invalid format or zone). */
const formatParsers = new Map<string, TimestampParser | null>();

function formatParser(fmt: string, tz: string | undefined): TimestampParser | null {
  const key = `${tz ?? ''}\u0000${fmt}`;
  let p = formatParsers.get(key);
  if (p === undefined) {
    try {
      p = timestampParser({ format: fmt, tz });
    } catch {
      p = null;
    }
    if (formatParsers.size >= 256) formatParsers.clear();
    formatParsers.set(key, p);
  }
  return p;
}

function timeWith(ctx: FnContext, x: FnArg, read: TimestampParser): Value {
  if (isNull(x)) return null;
  const t = typeof x === 'string' || typeof x === 'number' ? read(x) : null;
  if (t === null) { ctx.typeError(); return null; }
  return finite(t);
}

const time: FnImpl = (ctx, ...args) => {
  const [x, fmt, tz] = args;
  if (args.length === 1) return isNull(x) ? null : finite(timeOf(ctx, x));
  if (isNull(x) || isNull(fmt) || (args.length > 2 && isNull(tz))) return null;
  if (typeof fmt !== 'string' || (args.length > 2 && typeof tz !== 'string')) { ctx.typeError(); return null; }
  const read = formatParser(fmt, args.length > 2 ? (tz as string) : ctx.tz);
  if (read === null) { ctx.typeError(); return null; }
  return timeWith(ctx, x, read);
};

function strftimeCore(ctx: FnContext, x: FnArg, format: (ms: number) => string): Value {
  if (isNull(x)) return null;
  const t = timeOf(ctx, x);
  return Number.isNaN(t) ? null : format(t);
}

const strftime: FnImpl = (ctx, ...args) => {
  const [x, fmt, tz] = args;
  if (isNull(x) || isNull(fmt) || (args.length > 2 && isNull(tz))) return null;
  if (typeof fmt !== 'string' || (args.length > 2 && typeof tz !== 'string')) { ctx.typeError(); return null; }
  let format: (ms: number) => string;
  try {
    const zone = args.length > 2 ? (tz as string) : undefined;
    formatTime(0, fmt, zone); // compiles and caches, or throws for an invalid format or zone
    format = (ms) => formatTime(ms, fmt, zone);
  } catch {
    ctx.typeError();
    return null;
  }
  return strftimeCore(ctx, x, format);
};

/** A bucket size in ms: a positive number (durations are numbers) or duration text; NaN otherwise. */
function bucketSize(d: FnArg): number {
  const ms = typeof d === 'number' ? d : typeof d === 'string' ? parseDuration(d.trim()) ?? NaN : NaN;
  return ms > 0 && Number.isFinite(ms) ? ms : NaN;
}

function bucketCore(ctx: FnContext, x: FnArg, size: number): Value {
  if (isNull(x)) return null;
  const t = timeOf(ctx, x);
  return Number.isNaN(t) ? null : formatIso(Math.floor(t / size) * size);
}

const bucket: FnImpl = (ctx, x, d) => {
  if (isNull(x) || isNull(d)) return null;
  const size = bucketSize(d);
  if (Number.isNaN(size)) { ctx.typeError(); return null; }
  return bucketCore(ctx, x, size);
};

// ---- types and JSON ----

const str: FnImpl = (ctx, x) => {
  if (isNull(x)) return null;
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (x instanceof RegExp) { ctx.typeError(); return null; }
  return bounded(ctx, () => JSON.stringify(x));
};

/** bool(): false for null, missing, false, 0, "", "0" and "false" (any case); true otherwise. */
const bool: FnImpl = (_ctx, x) => {
  if (isNull(x) || x === false || x === 0 || x === '') return false;
  if (typeof x === 'string') return x !== '0' && x.toLowerCase() !== 'false';
  if (typeof x === 'number') return !Number.isNaN(x);
  return true;
};

const type: FnImpl = (_ctx, x) => {
  if (isNull(x)) return 'null';
  if (Array.isArray(x)) return 'array';
  if (x instanceof RegExp) return 'regex';
  return typeof x;
};

const coalesce: FnImpl = (ctx, ...args) => {
  for (const a of args) {
    if (isNull(a)) continue;
    return value(ctx, a) ?? null;
  }
  return null;
};

const json: FnImpl = (ctx, s) => {
  if (isNull(s)) return null;
  if (typeof s !== 'string') return value(ctx, s) ?? null;
  let v: Value;
  try {
    v = JSON.parse(s) as Value;
  } catch {
    ctx.typeError();
    return null;
  }
  // nested deeper than the decoders allow: later stages could not write or compare it
  if (tooDeep(s, v)) {
    ctx.typeError();
    return null;
  }
  return v;
};

const tojson: FnImpl = (ctx, x) => {
  if (isNull(x)) return 'null';
  const v = value(ctx, x);
  return v === undefined ? null : bounded(ctx, () => JSON.stringify(v));
};

// ---- arrays ----

/** An array argument, or undefined (counted) for any other value. Call after null checks. */
function array(ctx: FnContext, v: FnArg): Value[] | undefined {
  if (Array.isArray(v)) return v;
  ctx.typeError();
  return undefined;
}

/** map/filter: the lambda arrives compiled; anything else (only a direct call of the impl can pass one) is a wrong type. */
function withLambda(f: (arr: Value[], fn: (x: Value) => Value | undefined) => Value): FnImpl {
  return (ctx, arr, fn) => {
    if (isNull(arr) || isNull(fn)) return null;
    const a = array(ctx, arr);
    if (a === undefined) return null;
    if (typeof fn !== 'function') { ctx.typeError(); return null; }
    return f(a, asLambda(fn));
  };
}

const mapArray = withLambda((a, fn) => {
  const out: Value[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = fn(a[i]!);
    out[i] = v === undefined ? null : v;
  }
  return out;
});

const filterArray = withLambda((a, fn) => a.filter((x) => truthy(fn(x))));

const sum: FnImpl = (ctx, arr) => {
  if (isNull(arr)) return null;
  const a = array(ctx, arr);
  if (a === undefined) return null;
  let total = 0;
  for (const x of a) {
    if (x === null) continue;
    if (typeof x === 'boolean' || typeof x === 'object') { ctx.typeError(); return null; }
    const n = num(ctx, x);
    if (Number.isNaN(n)) return null;
    total += n;
  }
  return finite(total);
};

const uniq: FnImpl = (ctx, arr) => {
  if (isNull(arr)) return null;
  const a = array(ctx, arr);
  if (a === undefined) return null;
  const seen = new Set<string | number | boolean | null>();
  const out: Value[] = [];
  for (const x of a) {
    const k = groupKey(x);
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
};

/** A slice bound: an integer (a negative one counts from the end), clamped to [0, n]. */
function bound(i: number, n: number): number {
  const t = Math.trunc(i);
  return t < 0 ? Math.max(0, n + t) : Math.min(t, n);
}

const slice: FnImpl = (ctx, ...args) => {
  const [arr, start, end] = args;
  if (isNull(arr) || isNull(start) || (args.length > 2 && isNull(end))) return null;
  const a = array(ctx, arr);
  if (a === undefined) return null;
  const from = num(ctx, start);
  if (Number.isNaN(from)) return null;
  const to = args.length > 2 ? num(ctx, end) : a.length;
  if (Number.isNaN(to)) return null;
  return a.slice(bound(from, a.length), bound(to, a.length));
};

/** Arrays inside arrays spliced in, `depth` levels deep; iterative, so any nesting is fine. */
export function flattenArray(a: Value[], depth: number): Value[] {
  const out: Value[] = [];
  const stack: { items: Value[]; i: number; d: number }[] = [{ items: a, i: 0, d: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.items.length) { stack.pop(); continue; }
    const x = top.items[top.i++]!;
    if (Array.isArray(x) && top.d < depth) stack.push({ items: x, i: 0, d: top.d + 1 });
    else out.push(x);
  }
  return out;
}

const flatten: FnImpl = (ctx, ...args) => {
  const [arr, depth] = args;
  if (isNull(arr) || (args.length > 1 && isNull(depth))) return null;
  const a = array(ctx, arr);
  if (a === undefined) return null;
  let d = Infinity;
  if (args.length > 1) {
    d = num(ctx, depth);
    if (Number.isNaN(d)) return null;
    if (d < 0) { ctx.typeError(); return null; }
  }
  return flattenArray(a, d);
};

// ---- the table ----

type Spec = FunctionSpec;

const strings: Spec[] = [
  {
    name: 'lower', usage: 'lower(s)', summary: 'the string in lower case', category: 'string', minArgs: 1, maxArgs: 1,
    impl: textMap((s) => s.toLowerCase()),
    examples: [
      { expr: 'lower(name)', input: '{"name":"Ann"}', output: '"ann"' },
      { expr: 'lower(missing)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'upper', usage: 'upper(s)', summary: 'the string in upper case', category: 'string', minArgs: 1, maxArgs: 1,
    impl: textMap((s) => s.toUpperCase()),
    examples: [
      { expr: 'upper(level)', input: '{"level":"warn"}', output: '"WARN"' },
      { expr: 'upper(level)', input: '{"level":null}', output: 'null' },
    ],
  },
  {
    name: 'trim', usage: 'trim(s)', summary: 'the string without leading and trailing whitespace', category: 'string', minArgs: 1, maxArgs: 1,
    impl: textMap((s) => s.trim()),
    examples: [
      { expr: 'trim(msg)', input: '{"msg":"  hi there \\t"}', output: '"hi there"' },
      { expr: 'trim(msg)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'len', usage: 'len(x)',
    summary: 'length of a string in code points, of an array in elements, of an object in keys',
    category: 'string', minArgs: 1, maxArgs: 1,
    impl: (ctx, x) => {
      if (isNull(x)) return null;
      if (typeof x === 'string') return codePointLength(x);
      if (Array.isArray(x)) return x.length;
      if (typeof x === 'object' && !(x instanceof RegExp)) return Object.keys(x).length;
      const t = text(ctx, x);
      return t === undefined ? null : codePointLength(t);
    },
    examples: [
      { expr: 'len(name)', input: '{"name":"Zoë"}', output: '3' },
      { expr: 'len(tags)', input: '{"tags":["a","b"]}', output: '2' },
      { expr: 'len(missing)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'substr', usage: 'substr(s, start[, len])',
    summary: 'len code points from 0-based start (a negative start counts from the end; no len: to the end)',
    category: 'string', minArgs: 2, maxArgs: 3, impl: substr,
    examples: [
      { expr: 'substr(s, 0, 3)', input: '{"s":"sluice"}', output: '"slu"' },
      { expr: 'substr(s, -3)', input: '{"s":"sluice"}', output: '"ice"' },
      { expr: 'substr(s, 1)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'split', usage: 'split(s, sep)', summary: 'the array of parts between separators (sep may be a regex; "" splits into characters)',
    category: 'string', minArgs: 2, maxArgs: 2, impl: split,
    examples: [
      { expr: 'split(path, "/")', input: '{"path":"a/b/c"}', output: '["a","b","c"]' },
      { expr: 'split(line, /\\s+/)', input: '{"line":"GET  /x 200"}', output: '["GET","/x","200"]' },
      { expr: 'split(path, "/")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'join', usage: 'join(arr, sep)', summary: 'the elements as text with sep between them (null elements are empty)',
    category: 'string', minArgs: 2, maxArgs: 2,
    impl: (ctx, arr, sep) => {
      if (isNull(arr) || isNull(sep)) return null;
      if (!Array.isArray(arr)) { ctx.typeError(); return null; }
      const d = text(ctx, sep);
      if (d === undefined) return null;
      return bounded(ctx, () => {
        let out = '';
        for (let i = 0; i < arr.length; i++) out += (i > 0 ? d : '') + joinItem(arr[i]!);
        return out;
      });
    },
    examples: [
      { expr: 'join(tags, ", ")', input: '{"tags":["a","b"]}', output: '"a, b"' },
      { expr: 'join([1, null, "x"], "-")', output: '"1--x"' },
      { expr: 'join(tags, ",")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'replace', usage: 'replace(s, pattern, repl)',
    summary: 'replace every occurrence of a string pattern, or every match of a regex (repl may use $1, $<name>)',
    category: 'string', minArgs: 3, maxArgs: 3, impl: replace,
    specialize(consts) {
      const p = consts[1];
      if (p === undefined || p === null) return undefined;
      if (p instanceof RegExp) {
        const g = globalOf(p);
        return (ctx, s, _p, r) => replaceCore(ctx, s, g, r);
      }
      if (typeof p === 'object') throw new Error('the pattern must be a string or a regex like /a(b+)/');
      const pat = String(p);
      return (ctx, s, _p, r) => replaceCore(ctx, s, pat, r);
    },
    examples: [
      { expr: 'replace(msg, "o", "0")', input: '{"msg":"foo boo"}', output: '"f00 b00"' },
      { expr: 'replace(msg, /(\\d+)ms/, "$1 ms")', input: '{"msg":"took 250ms"}', output: '"took 250 ms"' },
      { expr: 'replace(msg, "a", "b")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'startswith', usage: 'startswith(s, prefix)', summary: 'whether s begins with prefix', category: 'string',
    minArgs: 2, maxArgs: 2, impl: textTest((s, p) => s.startsWith(p)),
    examples: [
      { expr: 'startswith(path, "/api")', input: '{"path":"/api/users"}', output: 'true' },
      { expr: 'startswith(path, "/api")', input: '{"path":"/health"}', output: 'false' },
      { expr: 'startswith(path, "/api")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'endswith', usage: 'endswith(s, suffix)', summary: 'whether s ends with suffix', category: 'string',
    minArgs: 2, maxArgs: 2, impl: textTest((s, p) => s.endsWith(p)),
    examples: [
      { expr: 'endswith(file, ".gz")', input: '{"file":"app.log.gz"}', output: 'true' },
      { expr: 'endswith(file, ".gz")', input: '{"file":"app.log"}', output: 'false' },
      { expr: 'endswith(file, ".gz")', input: '{"file":null}', output: 'null' },
    ],
  },
  {
    name: 'contains', usage: 'contains(x, y)',
    summary: 'whether string x contains y; for an array, whether y is an element; for an object, whether y is a key (as `y in x`)',
    category: 'string', minArgs: 2, maxArgs: 2, impl: contains,
    examples: [
      { expr: 'contains(msg, "timeout")', input: '{"msg":"upstream timeout"}', output: 'true' },
      { expr: 'contains(tags, "b")', input: '{"tags":["a","b"]}', output: 'true' },
      { expr: 'contains(msg, "x")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'extract', usage: 'extract(s, regex[, group])',
    summary: 'the first match of regex in s: capture group 1 (or the whole match when there is none), or the group given by number or name; null when no match',
    category: 'string', minArgs: 2, maxArgs: 3, impl: extract,
    specialize(consts) {
      const p = consts[1];
      if (p === undefined || p === null) return undefined;
      const re = singleOf(constRegex('extract', p));
      const g = consts[2];
      if (consts.length > 2 && g !== undefined && g !== null) {
        const { count, names } = groupsOf(re);
        const ok = typeof g === 'number' ? Number.isInteger(g) && g >= 0 && g <= count
          : typeof g === 'string' ? (/^[0-9]+$/.test(g) ? Number(g) <= count : names.includes(g)) : false;
        if (!ok) {
          const have = count === 0 ? 'no groups' : `groups 0-${count}${names.length ? ` and names ${names.join(', ')}` : ''}`;
          throw new Error(`the regex has no group ${JSON.stringify(g)} (it has ${have})`);
        }
      }
      return (ctx, ...args) => extractCore(ctx, args[0], re, args.length > 2 ? args[2] : NO_GROUP);
    },
    examples: [
      { expr: 'extract(msg, /took (\\d+)ms/)', input: '{"msg":"took 250ms"}', output: '"250"' },
      { expr: 'extract(email, /(?<user>[^@]+)@(?<host>.+)/, "host")', input: '{"email":"ann@x.io"}', output: '"x.io"' },
      { expr: 'extract(msg, /took (\\d+)ms/)', input: '{"msg":"no timing"}', output: 'null' },
    ],
  },
];

const numbers: Spec[] = [
  {
    name: 'abs', usage: 'abs(x)', summary: 'the absolute value', category: 'number', minArgs: 1, maxArgs: 1,
    impl: numMap(Math.abs),
    examples: [
      { expr: 'abs(delta)', input: '{"delta":-3.5}', output: '3.5' },
      { expr: 'abs("-2")', output: '2' },
      { expr: 'abs(delta)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'round', usage: 'round(x[, digits])',
    summary: 'x rounded half away from zero, to digits decimals (negative: to tens, hundreds, …)',
    category: 'number', minArgs: 1, maxArgs: 2, impl: round,
    examples: [
      { expr: 'round(x)', input: '{"x":2.5}', output: '3' },
      { expr: 'round(x, 2)', input: '{"x":1.005}', output: '1.01' },
      { expr: 'round(1234, -2)', output: '1200' },
      { expr: 'round(x)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'floor', usage: 'floor(x)', summary: 'the largest integer not above x', category: 'number', minArgs: 1, maxArgs: 1,
    impl: numMap(Math.floor),
    examples: [
      { expr: 'floor(x)', input: '{"x":2.7}', output: '2' },
      { expr: 'floor(-2.5)', output: '-3' },
      { expr: 'floor(x)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'ceil', usage: 'ceil(x)', summary: 'the smallest integer not below x', category: 'number', minArgs: 1, maxArgs: 1,
    impl: numMap(Math.ceil),
    examples: [
      { expr: 'ceil(x)', input: '{"x":2.1}', output: '3' },
      { expr: 'ceil(-2.5)', output: '-2' },
      { expr: 'ceil(x)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'min', usage: 'min(a, b, ...)', summary: 'the smallest argument, skipping nulls (null when all are null)',
    category: 'number', minArgs: 1, maxArgs: Infinity, impl: extreme(-1),
    examples: [
      { expr: 'min(a, b, 10)', input: '{"a":3,"b":7}', output: '3' },
      { expr: 'min(a, missing)', input: '{"a":3}', output: '3' },
      { expr: 'min(a, b)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'max', usage: 'max(a, b, ...)', summary: 'the largest argument, skipping nulls (null when all are null)',
    category: 'number', minArgs: 1, maxArgs: Infinity, impl: extreme(1),
    examples: [
      { expr: 'max(a, b, 10)', input: '{"a":3,"b":70}', output: '70' },
      { expr: 'max(a, missing)', input: '{"a":3}', output: '3' },
      { expr: 'max(a, b)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'int', usage: 'int(x)', summary: 'x as an integer, truncated toward zero (numeric strings and booleans too)',
    category: 'number', minArgs: 1, maxArgs: 1, impl: toNumber(Math.trunc),
    examples: [
      { expr: 'int(x)', input: '{"x":"42"}', output: '42' },
      { expr: 'int(-2.7)', output: '-2' },
      { expr: 'int(x)', input: '{"x":"12abc"}', output: 'null' },
    ],
  },
  {
    name: 'float', usage: 'float(x)', summary: 'x as a number (numeric strings and booleans too)',
    category: 'number', minArgs: 1, maxArgs: 1, impl: toNumber((x) => x),
    examples: [
      { expr: 'float(x)', input: '{"x":"2.5"}', output: '2.5' },
      { expr: 'float(true)', output: '1' },
      { expr: 'float(x)', input: '{}', output: 'null' },
    ],
  },
];

const times: Spec[] = [
  {
    name: 'now', usage: 'now()', summary: 'the current time in epoch milliseconds (fixed within a batch)',
    category: 'time', minArgs: 0, maxArgs: 0,
    impl: (ctx) => ctx.now(),
    examples: [
      { expr: 'type(now())', output: '"number"' },
      { expr: 'now() > 1700000000000', output: 'true' },
    ],
  },
  {
    name: 'time', usage: 'time(x[, fmt[, tz]])',
    summary: 'x as epoch milliseconds: ISO-8601, epoch s/ms/µs/ns (by magnitude), nginx/apache or syslog stamps, or exactly the strftime format fmt (else --time-format); no zone is UTC, --tz or tz',
    category: 'time', minArgs: 1, maxArgs: 3, impl: time,
    specialize(consts) {
      const fmt = consts[1];
      const tz = consts[2];
      if (consts.length < 2 || fmt === undefined || fmt === null || (consts.length > 2 && (tz === undefined || tz === null))) return undefined;
      if (typeof fmt !== 'string') throw new Error('the format must be a string like "%d/%m/%Y %H:%M"');
      if (consts.length > 2 && typeof tz !== 'string') throw new Error('the time zone must be a string like "Europe/Paris" or "+02:00"');
      // an invalid format or zone is a program error, pointing at the call
      timestampParser({ format: fmt, tz: consts.length > 2 ? (tz as string) : undefined });
      if (consts.length > 2) {
        const read = formatParser(fmt, tz as string)!;
        return (ctx, x) => timeWith(ctx, x, read);
      }
      let zone: string | undefined;
      let read: TimestampParser | null = null;
      return (ctx, x) => {
        if (read === null || ctx.tz !== zone) { zone = ctx.tz; read = formatParser(fmt, zone)!; }
        return timeWith(ctx, x, read);
      };
    },
    examples: [
      { expr: 'time(d, "%d/%m/%Y %H:%M")', input: '{"d":"01/05/2024 12:00"}', output: '1714564800000' },
      { expr: 'time(d, "%d/%m/%Y %H:%M", "Europe/Paris")', input: '{"d":"01/05/2024 14:00"}', output: '1714564800000' },
      { expr: 'time(d, "%d/%m/%Y")', input: '{"d":"2024-05-01"}', output: 'null' },
      { expr: 'time(ts)', input: '{"ts":"2024-05-01T12:00:00Z"}', output: '1714564800000' },
      { expr: 'time(ts)', input: '{"ts":1714564800}', output: '1714564800000' },
      { expr: 'time(ts)', input: '{"ts":"10/Oct/2000:13:55:36 -0700"}', output: '971211336000' },
      { expr: 'time(ts)', input: '{"ts":"soon"}', output: 'null' },
    ],
  },
  {
    name: 'strftime', usage: 'strftime(x, fmt[, tz])',
    summary: 'the time x written with a strftime format (%Y %m %d %H %M %S %3f %z %F %T …), in UTC or the zone tz',
    category: 'time', minArgs: 2, maxArgs: 3, impl: strftime,
    specialize(consts) {
      const fmt = consts[1];
      const tz = consts[2];
      if (fmt === undefined || fmt === null || (consts.length > 2 && (tz === undefined || tz === null))) return undefined;
      if (typeof fmt !== 'string') throw new Error('the format must be a string like "%Y-%m-%d %H:%M:%S"');
      if (consts.length > 2 && typeof tz !== 'string') throw new Error('the time zone must be a string like "Europe/Paris" or "+02:00"');
      const format = strftimer(fmt, consts.length > 2 ? (tz as string) : undefined);
      return (ctx, x) => strftimeCore(ctx, x, format);
    },
    examples: [
      { expr: 'strftime(ts, "%Y-%m-%d %H:%M")', input: '{"ts":"2024-05-01T12:34:56Z"}', output: '"2024-05-01 12:34"' },
      { expr: 'strftime(ts, "%H:%M %z", "Europe/Paris")', input: '{"ts":"2024-05-01T12:34:56Z"}', output: '"14:34 +0200"' },
      { expr: 'strftime(ts, "%F")', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'bucket', usage: 'bucket(x, size)',
    summary: 'the start of the size-long, epoch-aligned bucket holding the time x, as ISO-8601 UTC (bucket(ts, 5m))',
    category: 'time', minArgs: 2, maxArgs: 2, impl: bucket,
    specialize(consts) {
      const d = consts[1];
      if (d === undefined || d === null) return undefined;
      const size = d instanceof RegExp ? NaN : bucketSize(d);
      if (Number.isNaN(size)) throw new Error('the bucket size must be a positive duration like 5m');
      return (ctx, x) => bucketCore(ctx, x, size);
    },
    examples: [
      { expr: 'bucket(ts, 5m)', input: '{"ts":"2024-05-01T12:07:31Z"}', output: '"2024-05-01T12:05:00.000Z"' },
      { expr: 'bucket(ts, 1h)', input: '{"ts":1714567651}', output: '"2024-05-01T12:00:00.000Z"' },
      { expr: 'bucket(ts, 1m)', input: '{}', output: 'null' },
    ],
  },
];

const types: Spec[] = [
  {
    name: 'str', usage: 'str(x)', summary: 'x as text: numbers and booleans written out, arrays and objects as JSON',
    category: 'type', minArgs: 1, maxArgs: 1, impl: str,
    examples: [
      { expr: 'str(status)', input: '{"status":200}', output: '"200"' },
      { expr: 'str(tags)', input: '{"tags":["a",1]}', output: '"[\\"a\\",1]"' },
      { expr: 'str(missing)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'bool', usage: 'bool(x)',
    summary: 'false for null, missing, false, 0, "", "0" and "false" (any case); true otherwise. Never null',
    category: 'type', minArgs: 1, maxArgs: 1, impl: bool,
    examples: [
      { expr: 'bool(flag)', input: '{"flag":"false"}', output: 'false' },
      { expr: 'bool(flag)', input: '{"flag":"yes"}', output: 'true' },
      { expr: 'bool(missing)', input: '{}', output: 'false' },
    ],
  },
  {
    name: 'type', usage: 'type(x)', summary: 'the type name: "null" (also for missing), "boolean", "number", "string", "array" or "object"',
    category: 'type', minArgs: 1, maxArgs: 1, impl: type,
    examples: [
      { expr: 'type(x)', input: '{"x":1.5}', output: '"number"' },
      { expr: 'type(tags)', input: '{"tags":[]}', output: '"array"' },
      { expr: 'type(missing)', input: '{}', output: '"null"' },
    ],
  },
  {
    name: 'exists', usage: 'exists(x)', summary: 'whether x is present in the record (a field holding null exists)',
    category: 'type', minArgs: 1, maxArgs: 1, impl: (_ctx, x) => x !== undefined,
    examples: [
      { expr: 'exists(x)', input: '{"x":null}', output: 'true' },
      { expr: 'exists(user.id)', input: '{"user":{"id":7}}', output: 'true' },
      { expr: 'exists(x)', input: '{}', output: 'false' },
    ],
  },
  {
    name: 'coalesce', usage: 'coalesce(a, b, ...)', summary: 'the first argument that is not null or missing (null when none is)',
    category: 'type', minArgs: 1, maxArgs: Infinity, impl: coalesce,
    examples: [
      { expr: 'coalesce(nick, name, "anon")', input: '{"name":"Ann"}', output: '"Ann"' },
      { expr: 'coalesce(nick, "anon")', input: '{"nick":null}', output: '"anon"' },
      { expr: 'coalesce(a, b)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'env', usage: 'env(name)', summary: 'the environment variable of that name as a string (null when it is not set); --arg NAME VALUE sets $NAME instead',
    category: 'type', minArgs: 1, maxArgs: 1,
    impl: textMap((name) => (Object.hasOwn(process.env, name) ? process.env[name]! : null)),
    examples: [
      { expr: 'env("SLUICE_NOT_SET_ANYWHERE")', input: '{}', output: 'null' },
      { expr: 'coalesce(env("SLUICE_NOT_SET_ANYWHERE"), "dev")', input: '{}', output: '"dev"' },
    ],
  },
];

const jsonFns: Spec[] = [
  {
    name: 'json', usage: 'json(s)', summary: 'the value a JSON text stands for (a value that is not text passes through)',
    category: 'json', minArgs: 1, maxArgs: 1, impl: json,
    examples: [
      { expr: 'json(payload).id', input: '{"payload":"{\\"id\\":7}"}', output: '7' },
      { expr: 'json(payload)', input: '{"payload":"not json"}', output: 'null' },
      { expr: 'json(payload)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'tojson', usage: 'tojson(x)', summary: 'x as compact JSON text (missing and null give "null")',
    category: 'json', minArgs: 1, maxArgs: 1, impl: tojson,
    examples: [
      { expr: 'tojson(user)', input: '{"user":{"id":7,"tags":["a"]}}', output: '"{\\"id\\":7,\\"tags\\":[\\"a\\"]}"' },
      { expr: 'tojson("hi")', output: '"\\"hi\\""' },
      { expr: 'tojson(missing)', input: '{}', output: '"null"' },
    ],
  },
];

const arrays: Spec[] = [
  {
    name: 'map', usage: 'map(arr, x => EXPR)', summary: 'the array of EXPR for each element x (the record stays reachable: map(items, x => x.price * rate))',
    category: 'array', minArgs: 2, maxArgs: 2, lambda: true, impl: mapArray,
    examples: [
      { expr: 'map(items, x => x.price * 2)', input: '{"items":[{"price":1.5},{"price":4}]}', output: '[3,8]' },
      { expr: 'map(tags, t => upper(t))', input: '{"tags":["a","b"]}', output: '["A","B"]' },
      { expr: 'map(items, x => x.price)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'filter', usage: 'filter(arr, x => EXPR)', summary: 'the elements x of the array for which EXPR is truthy, in order',
    category: 'array', minArgs: 2, maxArgs: 2, lambda: true, impl: filterArray,
    examples: [
      { expr: 'filter(items, x => x.qty > 0)', input: '{"items":[{"qty":2},{"qty":0},{"qty":1}]}', output: '[{"qty":2},{"qty":1}]' },
      { expr: 'len(filter(codes, c => c >= 500))', input: '{"codes":[200,503,500]}', output: '2' },
      { expr: 'filter(items, x => x)', input: '{"items":"text"}', output: 'null' },
    ],
  },
  {
    name: 'sum', usage: 'sum(arr)', summary: 'the sum of the numbers of an array (numeric strings too, nulls skipped; 0 for []); as a stage, sum(x) is the aggregate',
    category: 'array', minArgs: 1, maxArgs: 1, impl: sum,
    examples: [
      { expr: 'sum(prices)', input: '{"prices":[1.5,2,null,"3"]}', output: '6.5' },
      { expr: 'sum(map(items, x => x.price * x.qty))', input: '{"items":[{"price":2,"qty":3},{"price":1,"qty":1}]}', output: '7' },
      { expr: 'sum(prices)', input: '{"prices":[1,"x"]}', output: 'null' },
    ],
  },
  {
    name: 'sort', usage: 'sort(arr)', summary: 'the array sorted: numbers, then strings, booleans, arrays, objects; nulls last (the order of the sort stage)',
    category: 'array', minArgs: 1, maxArgs: 1,
    impl: (ctx, arr) => {
      if (isNull(arr)) return null;
      const a = array(ctx, arr);
      return a === undefined ? null : a.slice().sort(totalOrder);
    },
    examples: [
      { expr: 'sort(xs)', input: '{"xs":[3,1,2]}', output: '[1,2,3]' },
      { expr: 'sort(xs)', input: '{"xs":["b",null,"a",10]}', output: '[10,"a","b",null]' },
      { expr: 'sort(xs)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'uniq', usage: 'uniq(arr)', summary: 'the array without repeated elements, first occurrences in order (1 and "1" differ)',
    category: 'array', minArgs: 1, maxArgs: 1, impl: uniq,
    examples: [
      { expr: 'uniq(tags)', input: '{"tags":["a","b","a",1,"1"]}', output: '["a","b",1,"1"]' },
      { expr: 'len(uniq(map(items, x => x.sku)))', input: '{"items":[{"sku":"A"},{"sku":"B"},{"sku":"A"}]}', output: '2' },
      { expr: 'uniq(tags)', input: '{"tags":null}', output: 'null' },
    ],
  },
  {
    name: 'slice', usage: 'slice(arr, start[, end])', summary: 'the elements from 0-based start up to, not including, end (negative: from the end; no end: to the end)',
    category: 'array', minArgs: 2, maxArgs: 3, impl: slice,
    examples: [
      { expr: 'slice(xs, 1, 3)', input: '{"xs":[10,20,30,40]}', output: '[20,30]' },
      { expr: 'slice(xs, -2)', input: '{"xs":[10,20,30,40]}', output: '[30,40]' },
      { expr: 'slice(xs, 0, 2)', input: '{}', output: 'null' },
    ],
  },
  {
    name: 'flatten', usage: 'flatten(arr[, depth])', summary: 'arrays inside the array spliced into it, all levels or depth levels (the flatten stage flattens objects)',
    category: 'array', minArgs: 1, maxArgs: 2, impl: flatten,
    examples: [
      { expr: 'flatten(xs)', input: '{"xs":[1,[2,[3,[]]]]}', output: '[1,2,3]' },
      { expr: 'flatten(xs, 1)', input: '{"xs":[1,[2,[3]]]}', output: '[1,2,[3]]' },
      { expr: 'flatten(xs)', input: '{"xs":{"a":1}}', output: 'null' },
    ],
  },
];

const tableFns: Spec[] = [
  {
    name: 'lookup', usage: 'lookup(TABLE, key)',
    summary: 'the row of the lookup table TABLE (`join FILE on KEY as TABLE` in the program) whose key matches, compared as text as join does; the first such row when the table repeats the key; null when none matches (the examples read fixtures/owners.csv as owners)',
    category: 'table', minArgs: 2, maxArgs: 2,
    impl: () => null,
    withTable: (table) => (_ctx, key) => (key instanceof RegExp ? null : table.lookup(key)),
    examples: [
      { expr: 'lookup(owners, service).team', input: '{"service":"api"}', output: '"payments"', tables: { owners: { file: 'fixtures/owners.csv', key: 'service' } } },
      { expr: 'lookup(owners, "web")', output: '{"service":"web","team":"storefront","oncall":"bo"}', tables: { owners: { file: 'fixtures/owners.csv', key: 'service' } } },
      { expr: 'lookup(owners, service)', input: '{"service":"nope"}', output: 'null', tables: { owners: { file: 'fixtures/owners.csv', key: 'service' } } },
    ],
  },
];

/** All built-in functions in help order: strings, numbers, time, types, JSON, arrays, tables. */
export const functionList: FunctionSpec[] = [...strings, ...numbers, ...times, ...types, ...jsonFns, ...arrays, ...tableFns];

export const functions: ReadonlyMap<string, FunctionSpec> = new Map(functionList.map((f) => [f.name, f]));
