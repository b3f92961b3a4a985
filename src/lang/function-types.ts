// Contract for built-in functions: pure functions in one table with name, arity, help and
// examples. The examples run as tests. Functions never throw on data: a wrong type gives
// null and is reported through `ctx.typeError()` so that --stats can count it. A missing
// value arrives as undefined and is treated exactly like null.

import type { Value } from '../core/event.js';

export interface FnContext {
  /** count a wrong-type value (shown in --stats); the function then returns null */
  typeError(): void;
  /** wall-clock now in epoch milliseconds, fixed per batch so a batch is consistent */
  now(): number;
  /** read a timestamp as epoch ms (null when unreadable), in the zone of --tz */
  readTime(v: Value | undefined): number | null;
  /** --tz, for functions that read a time with a format of their own (time(x, fmt)) */
  tz?: string;
}

/**
 * An argument as a function receives it: a JSON value, undefined for a missing one, or a
 * RegExp for a regex literal (`/…/i`), which is not a JSON value. Functions that take no
 * regex treat a RegExp as a wrong type.
 */
export type FnArg = Value | RegExp | undefined;

/** A compiled lambda: the body's value for one parameter value (undefined = missing). */
export type Lambda = (x: Value) => Value | undefined;

/** The lambda argument of a function declared with `lambda: true` (the compiler guarantees it is one). */
export function asLambda(a: FnArg): Lambda {
  return a as unknown as Lambda;
}

export type FnImpl = (ctx: FnContext, ...args: FnArg[]) => Value;

export interface FunctionSpec {
  name: string;
  /** e.g. 'substr(s, start[, len])' */
  usage: string;
  summary: string;
  category: 'string' | 'number' | 'time' | 'type' | 'json' | 'array' | 'table';
  minArgs: number;
  /** Infinity for a variadic function */
  maxArgs: number;
  impl: FnImpl;
  /**
   * The last argument is a lambda `x => EXPR` (map, filter): the function receives it as a
   * Lambda (read it with asLambda); anywhere else a lambda is a program error.
   */
  lambda?: true;
  /**
   * Optional compile-time specialisation for constant arguments (a regex pattern, a time
   * format, a duration): returns an impl that has done the constant work once. `consts[i]` is
   * the argument's value when it is a literal (a RegExp for a regex literal), else undefined;
   * `consts.length` is the number of arguments of the call. May throw Error with a message
   * for an invalid constant (reported as a program error pointing at the argument).
   */
  specialize?(consts: FnArg[]): FnImpl | undefined;
  /**
   * The first argument names a lookup table (`join FILE on KEY as NAME` anywhere in the program),
   * written bare or quoted: the compiler resolves it once and calls this with the table; the impl
   * returned takes the remaining arguments.
   */
  withTable?(table: NamedTable): FnImpl;
  /** `expr` is an expression over the record `input` (a JSON object); `output` its JSON value */
  examples: { expr: string; input?: string; output: string; tables?: { [name: string]: { file: string; key: string } } }[];
}

/** A lookup table as expressions see it (src/operators/join-table.ts loads it). */
export interface NamedTable {
  /** the first row whose key matches `key` (as text), or null */
  lookup(key: Value | undefined): Value;
}

/** The lookup tables a program declares, by name. */
export interface TableResolver {
  get(name: string): NamedTable | undefined;
  names(): Iterable<string>;
}
