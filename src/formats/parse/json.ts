import type { Rec, Value } from '../../core/event.js';
import { TOO_DEEP, tooDeep } from '../../core/depth.js';
import { parserOf, type TextParserSpec } from './types.js';

function parseJsonObject(text: string): Rec | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  if (tooDeep(text, v as Value)) return TOO_DEEP;
  return v as Rec;
}

export const jsonParser: TextParserSpec = {
  name: 'json',
  summary: 'a JSON object; its keys become fields (anything else is an error)',
  usage: 'parse json [from FIELD]',
  needsArg: false,
  examples: [
    { input: '{"user":"ada","n":3,"tags":["x"]}', output: '{"user":"ada","n":3,"tags":["x"]}' },
  ],
  create: () => parserOf(jsonParser, parseJsonObject),
};
