// Contract for built-in functions: pure functions in one table with name, arity, help and
// examples. The examples run as tests. Functions never throw on data: a wrong type gives
// null and is reported through `ctx.typeError()` so that --stats can count it. A missing
// value arrives as undefined and is treated exactly like null.

import type { Value } from '../runtime/event.js';

export interface FnContext {
  /** count a wrong-type value (shown in --stats); the function then returns null */
  typeError(): void;
  /** wall-clock now in epoch milliseconds, fixed per batch so a batch is consistent */
  now(): number;
}

export type FnImpl = (ctx: FnContext, ...args: (Value | undefined)[]) => Value;

export interface FunctionSpec {
  name: string;
  /** e.g. 'substr(s, start[, len])' */
  usage: string;
  summary: string;
  category: 'string' | 'number' | 'time' | 'type' | 'json';
  minArgs: number;
  maxArgs: number;
  impl: FnImpl;
  /**
   * Optional compile-time specialisation for constant arguments (a regex pattern, a time
   * format, a duration): returns an impl that has done the constant work once. `consts[i]` is
   * the argument's value when it is a literal, else undefined. May throw Error with a message
   * for an invalid constant (reported as a program error pointing at the argument).
   */
  specialize?(consts: (Value | undefined)[]): FnImpl | undefined;
  /** `expr` is an expression over the record `input` (a JSON object); `output` its JSON value */
  examples: { expr: string; input?: string; output: string }[];
}
