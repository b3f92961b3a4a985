// The records of a chunk as a worker thread of --threads sends them back in 'decode' mode
// (plan/thread-plan.ts): columns of typed arrays, which move between threads without a copy,
// instead of an array of objects, which the structured clone copies at about a microsecond a
// record (more than decoding the line did). Each record has a row of 1 + F slots for the F
// fields the program reads: the first says whether the record is the object of those fields
// (projected), or a value to parse again from its line (a record decoded whole: the first
// records of a file while the misspelt-field watch looks at their keys, a line the projecting
// reader passed on to JSON.parse, a value that is not an object, or a field holding an object or
// an array); then one slot per field: absent, a number (in `nums`), a string (its index in
// `strs`, each distinct string once per chunk), true, false or null. So the main thread builds
// the same values the projecting reader builds on one thread: the same numbers (a double goes
// through unchanged, -0 included), the same strings, and JSON.parse of the same line otherwise.

import { makeEvent, type Batch, type Event, type Rec, type Source, type Value } from '../core/event.js';

export interface Columns {
  /** records */
  n: number;
  /** each record's line, counted from the chunk's first line (1) */
  lines: Int32Array;
  /** n rows of 1 + F slots: the row's kind (PROJECTED or WHOLE), then each field's tag */
  tags: Uint8Array;
  /** per slot: the number, or the index in strs of the string (or of the line, for WHOLE) */
  nums: Float64Array;
  strs: string[];
}

const PROJECTED = 0;
const WHOLE = 1;
const ABSENT = 0;
const NUMBER = 1;
const STRING = 2;
const TRUE = 3;
const FALSE = 4;
const NULL = 5;

/** The buffers of `c`, to transfer with it. */
export function columnBuffers(c: Columns): ArrayBuffer[] {
  return [c.lines.buffer as ArrayBuffer, c.tags.buffer as ArrayBuffer, c.nums.buffer as ArrayBuffer];
}

/** Columns of decoded events (a worker's side); `line0` is the line number of the chunk's first line less one. */
export function toColumns(events: readonly Event[], fields: readonly string[], line0: number): Columns {
  const n = events.length;
  const w = fields.length + 1;
  const lines = new Int32Array(n);
  const tags = new Uint8Array(n * w);
  const nums = new Float64Array(n * w);
  const strs: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string): number => {
    let k = index.get(s);
    if (k === undefined) {
      k = strs.length;
      strs.push(s);
      index.set(s, k);
    }
    return k;
  };
  // names that objects inherit (toString, constructor, …) need an own-property check; others are absent when undefined
  const inherited = fields.map((f) => f in Object.prototype);
  for (let i = 0; i < n; i++) {
    const ev = events[i]!;
    const o = i * w;
    lines[i] = ev.line - line0;
    const v = ev.value;
    if (!projected(v, fields, inherited, w, o, tags, nums, str)) {
      tags[o] = WHOLE;
      nums[o] = strs.push(ev.raw ?? JSON.stringify(v)) - 1;
    }
  }
  return { n, lines, tags, nums, strs };
}

/** Fill row `o` with the fields of `v`; false when `v` is not an object of those fields and plain values only. */
function projected(
  v: Value, fields: readonly string[], inherited: readonly boolean[], w: number, o: number, tags: Uint8Array, nums: Float64Array, str: (s: string) => number,
): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  let found = 0;
  for (let j = 1; j < w; j++) {
    const f = fields[j - 1]!;
    const x = v[f];
    if (x === undefined || (inherited[j - 1] && !Object.hasOwn(v, f))) continue;
    found++;
    switch (typeof x) {
      case 'number':
        tags[o + j] = NUMBER;
        nums[o + j] = x;
        break;
      case 'string':
        tags[o + j] = STRING;
        nums[o + j] = str(x);
        break;
      case 'boolean':
        tags[o + j] = x ? TRUE : FALSE;
        break;
      default:
        if (x !== null) return false;
        tags[o + j] = NULL;
    }
  }
  // a record decoded whole holds other fields too: it goes as its line, so that its value is the same
  let keys = 0;
  for (const _ in v) if (++keys > found) return false;
  tags[o] = PROJECTED;
  return true;
}

/** The events of columns (the main thread's side), appended to `out`; `base` is the file's line of the chunk's first line. */
export function fromColumns(c: Columns, fields: readonly string[], source: Source, base: number, timestamp: number, out: Batch): void {
  const { n, lines, tags, nums, strs } = c;
  const w = fields.length + 1;
  for (let i = 0; i < n; i++) {
    const o = i * w;
    let v: Value;
    if (tags[o] === WHOLE) {
      v = JSON.parse(strs[nums[o]!]!) as Value;
    } else {
      const rec: Rec = {};
      for (let j = 1; j < w; j++) {
        const t = tags[o + j];
        if (t === ABSENT) continue;
        rec[fields[j - 1]!] = t === NUMBER ? nums[o + j]! : t === STRING ? strs[nums[o + j]!]! : t === TRUE ? true : t === FALSE ? false : null;
      }
      v = rec;
    }
    out.push(makeEvent(v, undefined, source, base + lines[i]! - 1, timestamp));
  }
}
