import { textParsers, type TextParser } from '../../src/formats/parse/index.js';

/** A parser from the registry, as the stage builds it. */
export function parser(name: string, arg?: string, infer = true): TextParser {
  const spec = textParsers.get(name);
  if (spec === undefined) throw new Error(`no parser ${name}`);
  return spec.create(arg, { infer });
}
