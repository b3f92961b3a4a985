// Value semantics shared by compiled expressions and operators (sort, dedupe, group keys):
// SQL-like total null handling, number/numeric-string coercion, ordering and equality.
// Nothing here throws on data; a value of the wrong type is reported through `typeError`.

import type { Value } from '../core/event.js';

export type Maybe = Value | undefined;

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A numeric string's number, else NaN. */
export function numericString(s: string): number {
  return NUMERIC.test(s) ? Number(s) : NaN;
}

/** Truthiness for `where`, `!`, `&&`, `||` and `?:`: null, false, 0, "" and NaN are false. */
export function truthy(v: Maybe): boolean {
  if (v === true) return true;
  if (v === false || v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return true;
}

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual(a[k]!, b[k]!)) return false;
  return true;
}

/** `==`: nulls equal each other only; numbers equal numeric strings; containers compare deeply. */
export function looseEqual(a: Maybe, b: Maybe): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'string') return a === numericString(b as string);
  if (ta === 'string' && tb === 'number') return numericString(a as string) === b;
  if (ta === 'object' && tb === 'object') return deepEqual(a, b);
  return false;
}

/**
 * Order two values for `<`-style comparisons: negative, zero, positive, or null when they
 * cannot be compared (a null, or mismatched types — the latter counted as a type error).
 */
export function compareValues(a: Maybe, b: Maybe, typeError: () => void): number | null {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return (a as number) - (b as number);
  if (ta === 'string' && tb === 'string') return a! < b! ? -1 : a! > b! ? 1 : 0;
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (ta === 'number' && tb === 'string') {
    const n = numericString(b as string);
    if (!Number.isNaN(n)) return (a as number) - n;
  } else if (ta === 'string' && tb === 'number') {
    const n = numericString(a as string);
    if (!Number.isNaN(n)) return n - (b as number);
  } else if (ta === 'boolean' && tb === 'boolean') {
    return Number(a) - Number(b);
  }
  typeError();
  return null;
}

const TYPE_RANK: { [t: string]: number } = { number: 0, string: 1, boolean: 2, array: 3, object: 4, null: 5 };

function rank(v: Maybe): number {
  if (v === null || v === undefined) return TYPE_RANK.null!;
  if (Array.isArray(v)) return TYPE_RANK.array!;
  return TYPE_RANK[typeof v]!;
}

/** A total order for sort/top: numbers, then strings, booleans, arrays, objects; nulls last. */
export function totalOrder(a: Maybe, b: Maybe): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0: return (a as number) - (b as number);
    case 1: return a! < b! ? -1 : a! > b! ? 1 : 0;
    case 2: return Number(a) - Number(b);
    case 5: return 0;
    default: {
      const sa = JSON.stringify(a);
      const sb = JSON.stringify(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
  }
}

/**
 * A Map key for grouping and dedupe: primitives stand for themselves (so 1 and "1" differ),
 * containers by their JSON text, missing as null.
 */
export function groupKey(v: Maybe): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return '\u0000' + JSON.stringify(v);
  return v;
}
