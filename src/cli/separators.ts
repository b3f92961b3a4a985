// --ifs and --ofs: the field separator of csv/tsv input and output, as a character or by the
// name Miller gives it (`semicolon`, `tab`, `comma`, `pipe`, `space`, `colon`).

import { UsageError } from '../errors/errors.js';

export const SEPARATOR_NAMES: Readonly<Record<string, string>> = {
  comma: ',', semicolon: ';', tab: '\t', pipe: '|', space: ' ', colon: ':',
};

/** The separator an --ifs/--ofs value names: one character other than a quote or a line end. */
export function parseSeparator(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  const sep = SEPARATOR_NAMES[text] ?? (text === '\\t' ? '\t' : text);
  if ([...sep].length !== 1 || sep.length !== 1 || sep === '"' || sep === '\n' || sep === '\r') {
    throw new UsageError(`${flag} takes one character or a name (${Object.keys(SEPARATOR_NAMES).join(', ')}), not '${text}'`);
  }
  return sep;
}
