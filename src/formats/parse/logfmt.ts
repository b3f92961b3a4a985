import { parseLogfmt } from '../logfmt.js';
import { parserOf, type TextParserSpec } from './types.js';

export const logfmtParser: TextParserSpec = {
  name: 'logfmt',
  summary: 'logfmt pairs: k=v, k="quoted \\" value", a bare key is true',
  usage: 'parse logfmt [from FIELD]',
  needsArg: false,
  examples: [
    {
      input: 'level=warn msg="disk \\"data\\" at 91%" used_pct=91.5 retry',
      output: '{"level":"warn","msg":"disk \\"data\\" at 91%","used_pct":91.5,"retry":true}',
    },
  ],
  create: (_arg, opts) => parserOf(logfmtParser, (text) => parseLogfmt(text, opts.infer)),
};
