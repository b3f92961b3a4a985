// Small helpers every aggregate file uses: parameter checks and the merge guard.

import type { Value } from '../core/event.js';

/**
 * checkParams for aggregates that take only a value argument. Messages from checkParams are
 * shown after the function's name and before its usage: `top: k must be ...: top(x[, k])`.
 */
export function noParams(params: Value[]): string | null {
  return params.length === 0 ? null : 'takes no parameters besides the value';
}

/** Thrown when an accumulator is merged with one of another kind: a bug in the executor. */
export function mismatch(name: string): never {
  throw new Error(`internal: cannot merge a ${name} accumulator with a different aggregate`);
}
