// Field paths as operators use them (set, drop, rename): an AST path turned into segments,
// and copy-on-write updates that never mutate a record another stage may still hold.

import { isUnsafeKey } from '../lang/compiler.js';
import type { Expr } from '../lang/ast.js';
import { isRecord, type Value } from '../core/event.js';

export type Segment = string | number;

export function segments(e: Expr): Segment[] {
  switch (e.kind) {
    case 'name': return [e.name];
    case 'member': return [...segments(e.object), e.name];
    case 'index': {
      const v = e.index.kind === 'lit' ? e.index.value : null;
      if (typeof v !== 'number' && typeof v !== 'string') throw new Error('path index must be a literal');
      return [...segments(e.object), v];
    }
    default: throw new Error('not a path');
  }
}

export function putKey(o: { [k: string]: Value }, k: string, v: Value): void {
  if (isUnsafeKey(k)) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function ownGet(v: Value | undefined, seg: Segment): Value | undefined {
  if (typeof seg === 'number') return Array.isArray(v) ? v[seg < 0 ? v.length + seg : seg] : undefined;
  return isRecord(v) && Object.hasOwn(v, seg) ? v[seg] : undefined;
}

/** A copy of `v` with the value at `segs` replaced (intermediate objects created). */
export function setPath(v: Value | undefined, segs: readonly Segment[], value: Value, i = 0): Value {
  if (i === segs.length) return value;
  const seg = segs[i]!;
  if (typeof seg === 'number') {
    const arr = Array.isArray(v) ? v.slice() : [];
    const idx = seg < 0 ? arr.length + seg : seg;
    if (idx < 0) return arr;
    while (arr.length < idx) arr.push(null);
    arr[idx] = setPath(arr[idx], segs, value, i + 1);
    return arr;
  }
  const o: { [k: string]: Value } = isRecord(v) ? { ...v } : {};
  putKey(o, seg, setPath(ownGet(o, seg), segs, value, i + 1));
  return o;
}

/** A copy of `v` without the value at `segs` (unchanged when absent). */
export function deletePath(v: Value, segs: readonly Segment[], i = 0): Value {
  const seg = segs[i]!;
  const last = i === segs.length - 1;
  if (typeof seg === 'number') {
    if (!Array.isArray(v)) return v;
    const idx = seg < 0 ? v.length + seg : seg;
    if (idx < 0 || idx >= v.length) return v;
    const arr = v.slice();
    if (last) arr.splice(idx, 1);
    else arr[idx] = deletePath(arr[idx]!, segs, i + 1);
    return arr;
  }
  if (!isRecord(v) || !Object.hasOwn(v, seg)) return v;
  const o = { ...v };
  if (last) delete o[seg];
  else putKey(o, seg, deletePath(o[seg]!, segs, i + 1));
  return o;
}

export function getPath(v: Value | undefined, segs: readonly Segment[]): Value | undefined {
  let cur = v;
  for (const s of segs) {
    cur = ownGet(cur, s);
    if (cur === undefined) return undefined;
  }
  return cur;
}
