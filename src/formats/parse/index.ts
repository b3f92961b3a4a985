// The registry of text parsers for the `parse FORMAT [from FIELD]` stage: the stage looks the
// format up here and lists these names in its errors, and test/parsers runs every example. (The
// stage's summary in help and the manual still names the formats by hand.)

import { apacheParser } from './apache.js';
import { csvParser } from './csv.js';
import { jsonParser } from './json.js';
import { kvParser } from './kv.js';
import { logfmtParser } from './logfmt.js';
import { nginxParser } from './nginx.js';
import { regexParser } from './regex.js';
import { syslogParser } from './syslog.js';
import type { TextParserSpec } from './types.js';

export type { ParseExample, TextParser, TextParserFactory, TextParserSpec } from './types.js';

const specs: TextParserSpec[] = [jsonParser, logfmtParser, kvParser, csvParser, regexParser, nginxParser, apacheParser, syslogParser];

/** name -> spec (summary, usage, needsArg, examples, create), in the order help lists them */
export const textParsers: ReadonlyMap<string, TextParserSpec> = new Map(specs.map((s) => [s.name, s]));
