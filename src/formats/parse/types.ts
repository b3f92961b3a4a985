// Contracts for the text parsers behind the `parse FORMAT [from FIELD]` stage. A parser turns
// one string into a record, or returns a short reason why it could not; it never throws on
// data. Only a factory may throw, for a bad argument (an invalid regex), so that the program
// is rejected before any record is read.

import type { Rec } from '../../core/event.js';

export interface ParseExample {
  /** the stage argument, for parsers that take one (`regex`) */
  arg?: string;
  input: string;
  /** the resulting record as compact JSON, with inference on */
  output: string;
}

export interface TextParser {
  name: string;
  summary: string;
  usage: string;
  examples: ParseExample[];
  /** the record, or a short reason (a string) when the text is not in this format */
  parse(text: string): Rec | string;
}

/** `arg`: the regex source for `regex`, else undefined. Throws Error for a bad argument. */
export type TextParserFactory = (arg: string | undefined, opts: { infer: boolean }) => TextParser;

export interface TextParserSpec {
  name: string;
  /** one line for `sluice help parse` */
  summary: string;
  /** the stage as written, e.g. `parse nginx [from FIELD]` */
  usage: string;
  needsArg: boolean;
  examples: ParseExample[];
  create: TextParserFactory;
}

/** A TextParser whose descriptive fields come from its spec. */
export function parserOf(spec: TextParserSpec, parse: (text: string) => Rec | string): TextParser {
  return { name: spec.name, summary: spec.summary, usage: spec.usage, examples: spec.examples, parse };
}
