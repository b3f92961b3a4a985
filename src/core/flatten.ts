// Flattening nested values into one level of keys, with Miller's conventions (its `flatten`
// verb and the auto-flatten of non-JSON output): a nested object's keys are joined to the
// parent's with the separator (`req.host`), array elements are numbered from 1 (`tags.1`),
// and an empty object or array becomes the text "{}" or "[]" so that no key is lost. Used by
// the `flatten` stage and by the csv and tsv encoders. Values are nested at most MAX_DEPTH
// levels (the decoders refuse deeper ones), so the recursion is bounded.

import type { Rec, Value } from './event.js';

/** Does any field of the record hold an object or an array (something csv cannot write as one cell)? */
export function hasNested(r: Rec): boolean {
  for (const k in r) {
    const v = r[k];
    if (typeof v === 'object' && v !== null) return true;
  }
  return false;
}

function put(out: Rec, key: string, v: Value): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  else out[key] = v;
}

function add(out: Rec, key: string, v: Value, sep: string): void {
  if (typeof v !== 'object' || v === null) { put(out, key, v); return; }
  if (Array.isArray(v)) {
    if (v.length === 0) { put(out, key, '[]'); return; }
    for (let i = 0; i < v.length; i++) add(out, key + sep + (i + 1), v[i]!, sep);
    return;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) { put(out, key, '{}'); return; }
  for (const k of keys) add(out, key + sep + k, v[k]!, sep);
}

/**
 * The record with nested objects and arrays spread into keys joined by `sep`, in order. When two
 * paths give one key (`{"a.b": 1, "a": {"b": 2}}`), the later value wins, as in Miller.
 */
export function flattenRecord(r: Rec, sep: string): Rec {
  const out: Rec = {};
  for (const k of Object.keys(r)) add(out, k, r[k]!, sep);
  return out;
}
