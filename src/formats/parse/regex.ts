import type { Rec } from '../../core/event.js';
import { inferValue } from '../infer.js';
import { setField } from '../columns.js';
import { parserOf, type TextParser, type TextParserSpec } from './types.js';
import { userRegex } from '../../lang/regex.js';

const USAGE = "parse regex '(?<name>…)…' [from FIELD]";

function compile(arg: string | undefined): { re: RegExp; names: string[] } {
  if (arg === undefined || arg === '') {
    throw new Error(`needs a regular expression with named groups, e.g. '(?<ip>\\S+) (?<rest>.*)'`);
  }
  // linear time whatever the pattern (src/lang/regex.ts); a pattern that needs backtracking is refused
  let re: RegExp;
  try {
    re = userRegex(arg);
  } catch (e) {
    throw new Error((e as Error).message.replace(/^invalid regex: \/[^]*\/[a-z]*: /, 'invalid regular expression: '));
  }
  // an alternative that always matches the empty string reveals every group name, in order
  const probe = new RegExp(`(?:${arg})|`).exec('');
  const names = Object.keys(probe?.groups ?? {});
  if (names.length === 0) {
    throw new Error(`the regular expression has no named groups: name each part to keep, as in (?<ip>\\S+)`);
  }
  return { re, names };
}

function create(arg: string | undefined, opts: { infer: boolean }): TextParser {
  const { re, names } = compile(arg);
  const infer = opts.infer;
  return parserOf(regexParser, (text) => {
    let m: RegExpExecArray | null;
    try {
      m = re.exec(text);
    } catch (e) {
      return `regex failed: ${(e as Error).message}`;
    }
    if (m === null) return 'no match';
    const groups = m.groups!;
    const rec: Rec = {};
    for (const name of names) {
      const v = groups[name];
      setField(rec, name, v === undefined ? null : infer ? inferValue(v) : v);
    }
    return rec;
  });
}

export const regexParser: TextParserSpec = {
  name: 'regex',
  summary: 'a regular expression (JavaScript syntax, run in linear time: see `sluice help regex`); its named groups (?<name>…) become fields',
  usage: USAGE,
  needsArg: true,
  examples: [
    {
      arg: '(?<ip>\\S+) took (?<ms>\\d+)ms(?: \\((?<note>[^)]*)\\))?',
      input: '10.1.2.3 took 250ms',
      output: '{"ip":"10.1.2.3","ms":250,"note":null}',
    },
  ],
  create,
};
