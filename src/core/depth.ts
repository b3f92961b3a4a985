// How deep a record may nest. V8 parses JSON of any depth (JSON.parse is iterative), but
// JSON.stringify, v8.serialize (checkpoints) and sluice's own recursive walks (grouping keys,
// comparisons) run out of stack a few thousand levels down: at 5,000 levels a record crashed
// the run. So every decoder of nested text (ndjson, json, Kafka JSON values, `parse json`,
// json()) refuses a value nested deeper than MAX_DEPTH as bad input, and everything after the
// decoder may recurse safely. The check is free on the hot path: a value MAX_DEPTH + 1 levels
// deep needs at least 2 * (MAX_DEPTH + 1) characters of text, so only longer texts are walked
// (iteratively), and then only their containers.

import type { Value } from './event.js';

/** Containers inside containers, the record itself counting 1 (`{"a":[1]}` is 2 deep). */
export const MAX_DEPTH = 1024;

/** The reason a too-deep value is bad input. */
export const TOO_DEEP = `nested deeper than ${MAX_DEPTH} levels`;

/** `value`, parsed from `text`, nests deeper than MAX_DEPTH. Cheap unless the text is long. */
export function tooDeep(text: string, value: Value): boolean {
  return text.length > 2 * MAX_DEPTH && depthOver(value, MAX_DEPTH);
}

/** Whether `value` nests deeper than `max` levels; walks its containers without recursion. */
export function depthOver(value: Value, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Value[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const d = depths.pop()!;
    if (d > max) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e = v[i]!;
        if (typeof e === 'object' && e !== null) {
          stack.push(e);
          depths.push(d + 1);
        }
      }
    } else {
      const o = v as { [key: string]: Value };
      for (const k in o) {
        const e = o[k]!;
        if (typeof e === 'object' && e !== null) {
          stack.push(e);
          depths.push(d + 1);
        }
      }
    }
  }
  return false;
}
