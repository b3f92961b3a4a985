// Generates man/sluice.1 and the README's tables (stages, formats, exit status) from the
// registries. Both files are checked in; test/cli/docs.test.ts fails when they differ from what
// this produces. Run `npm run gen` after changing an operator, function, aggregate, format,
// option or exit status.

import { SIGNAL_RULES } from './signals-help.js';
import { EXPORT_RULES, EXPORT_USAGE_LINE } from './export-help.js';
import { FLINK_MAPPING } from '../plan/flink-sql.js';
import { STATE_RULES } from './state-help.js';
import { BAD_INPUT_RULES } from './bad-input-help.js';
import { REGEX_RULES } from '../lang/regex.js';
import { INPUT_RULES } from './input-help.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { aggregateList } from '../aggregates/index.js';
import { exitStatuses } from '../errors/errors.js';
import { formatList } from '../formats/index.js';
import { functionList } from '../lang/functions.js';
import { operatorList } from '../operators/index.js';
import { exitRows, formatRows, HELP_TOPICS, kafkaHelpText } from './help.js';
import { version } from './main.js';
import { optionTable } from './options.js';

function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? '\\&' + l : l))
    .join('\n');
}

function tp(term: string, body: string): string {
  return `.TP\n.B ${roff(term)}\n${roff(body)}\n`;
}

export function manPage(): string {
  let m = `.TH SLUICE 1 "" "sluice ${version()}" "User Commands"\n`;
  m += '.SH NAME\nsluice \\- filter, reshape and aggregate streams of records from files, stdin and Kafka\n';
  m += '.SH SYNOPSIS\n.B sluice\n[\\fIOPTIONS\\fR] \\fIPROGRAM\\fR [\\fIINPUT\\fR ...]\n.br\n.B sluice\n[\\fIOPTIONS\\fR] \\fIOP ARG\\fR [\\fBthen\\fR \\fIOP ARG\\fR ...] [\\fIINPUT\\fR ...]\n.br\n.B sluice kafka\ntopics|describe \\fITOPIC\\fR|groups|lag \\fIGROUP\\fR|create \\fITOPIC\\fR|delete \\fITOPIC\\fR [\\fB\\-b\\fR \\fIBROKERS\\fR]\n.br\n.B sluice help\n[\\fIOPERATOR\\fR|' + HELP_TOPICS.map((t) => `\\fB${roff(t)}\\fR`).join('|') + ']\n.br\n.B sluice completion\nbash|zsh|fish\n.br\n.B sluice schema\n[\\fIOPTIONS\\fR] [\\fIINPUT\\fR ...]\n';
  m += '.SH DESCRIPTION\n' + roff(
    'sluice reads records from files or stdin, runs them through a chain of stages separated by | and writes the ' +
    'result to stdout. The argument form is the same language: every operator takes one argument and "then" ' +
    "separates stages, so `sluice where 'status >= 500' then head 5` is `sluice 'where status >= 500 | head 5'`. " +
    'An INPUT is a path, - for stdin, or a gzip, zstd or xz file (recognised by its first bytes; see INPUTS); no INPUT reads stdin. ' +
    'Records that pass through a program unchanged are written as they were read.') + '\n';
  m += '.SH INPUTS\n';
  for (const [term, body] of INPUT_RULES) m += tp(term, body);
  m += '.SH STAGES\n';
  for (const op of operatorList) {
    const alias = op.aliases.length ? ` Alias: ${op.aliases.join(', ')}.` : '';
    const examples = op.examples.map((e) => roff(`$ sluice '${e.program}'`)).join('\n');
    m += `.TP\n.B ${roff(op.usage)}\n${roff(`${op.summary}. ${op.description}${alias}`)}\n.RS\n.nf\n${examples}\n.fi\n.RE\n`;
  }
  m += '.SH EXPRESSIONS\n' + roff(
    'Fields by name (status), nested paths (req.headers.host, tags[0], tags[-1]), back-quoted odd names (`user id`), ' +
    'the whole record as this (whatever it is: this[0] of an array record, this > 5 of a number; a field named this is `this`), ' +
    'metadata with @ (@file @line @offset @partition @topic @key @headers @timestamp), literals (numbers, "strings" or ' +
    "'strings', true false null, durations 250ms 10s 5m 1h 1d in milliseconds, regexes /.../i, [arrays], {objects}), " +
    'operators == != < <= > >= && || ! and or not + - * / % ?? =~ !~ in, and a ? b : c. ' +
    'A lambda x => EXPR is the last argument of map() and filter() over arrays (map(items, x => x.price * 2)); in EXPR, x is ' +
    'the element and other names are still fields of the record. ' +
    '$NAME is the value given by --arg NAME VALUE (a string) or --argjson NAME JSON; without such an option $NAME is the ' +
    'field of that name. env("NAME") reads an environment variable. A program can also come from a file (-f FILE), ' +
    'over several lines, with # comments. As a missing field is null, a misspelt one gives no error: when a field that ' +
    'the program reads from its input is in none of the first 1000 records while a field of a close name is, one warning ' +
    "on stderr names both (field 'statuss' never seen in the first 1000 records; did you mean 'status'?).") + '\n.PP\n' + roff(
    'Null semantics are SQL-like and total: a missing field is null; a comparison with null other than == null and ' +
    '!= null is false; arithmetic and functions on null give null. A value of the wrong type gives null and is counted ' +
    'in --stats; expressions never fail on data. A number and a numeric string compare as numbers. A record passes ' +
    '"where" when the expression is truthy: anything but null, false, 0 and "".') + '\n';
  m += '.SH REGULAR EXPRESSIONS\n';
  for (const [term, body] of REGEX_RULES) m += tp(term, body);
  m += '.SH TIME AND WINDOWS\n';
  for (const [term, body] of TIME_RULES) m += tp(term, body);
  m += '.SH STATE AND CHECKPOINTS\n';
  for (const [term, body] of STATE_RULES) m += tp(term, body);
  m += '.SH BAD INPUT\n';
  for (const [term, body] of BAD_INPUT_RULES) m += tp(term, body);
  m += '.SH SIGNALS\n';
  for (const [term, body] of SIGNAL_RULES) m += tp(term, body);
  m += '.SH EXPORT TO FLINK SQL\n' + roff(EXPORT_USAGE_LINE) + '\n';
  for (const [term, body] of EXPORT_RULES) m += tp(term, body);
  m += '.PP\nWhat maps, and how Flink differs:\n';
  for (const [a, b, c] of FLINK_MAPPING) m += tp(a, `${b}: ${c}.`);
  m += '.SH KAFKA\n.nf\n' + roff(kafkaHelpText().replace(/^Kafka\n\n/, '')) + '\n.fi\n';
  m += '.SH FUNCTIONS\n';
  for (const f of functionList) m += tp(f.usage, f.summary);
  m += '.SH AGGREGATES\n' + roff('Used as a stage: count(), avg(latency) as avg_ms by service. Output names default to count, avg_latency, p95_latency; "as NAME" overrides.') + '\n';
  for (const a of aggregateList) m += tp(a.usage, `${a.summary}. ${a.description}`);
  m += '.SH OPTIONS\n';
  for (const o of optionTable) m += tp(o.flags, o.help + (o.choices ? ` (${o.choices.join('|')})` : ''));
  m += '.SH FORMATS\n';
  for (const [name, text] of formatRows()) m += tp(name, text);
  m += '.SH EXIT STATUS\n';
  for (const [code, text] of exitRows()) m += tp(code, text);
  m += '.SH ENVIRONMENT\n' + tp('NO_COLOR', 'no colour, even on a terminal') + tp('FORCE_COLOR', 'colour even when not on a terminal');
  m += '.SH EXAMPLES\n.nf\n' + roff([
    "sluice 'where status >= 500' fixtures/events.ndjson",
    "sluice 'count(), p95(latency_ms) by service' fixtures/events.ndjson",
    "sluice -I lines 'parse nginx | where status >= 500 | select remote_addr, path' fixtures/access.log",
    "sluice 'assert amount >= 0 else \"negative amount\"' fixtures/orders.csv",
  ].join('\n')) + '\n.fi\n';
  m += '.SH SEE ALSO\njq(1), mlr(1), kcat(1)\n';
  return m;
}

/** The rules of event time, as precise as Flink SQL's; each is tested (test/time, test/cases/time). */
export const TIME_RULES: [string, string][] = [
  ['Event time', 'With `on FIELD` a record\'s time is read from FIELD: ISO-8601/RFC 3339 (a stamp without a zone is UTC, or the zone of --tz), epoch seconds, milliseconds, microseconds or nanoseconds chosen by magnitude (below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds; numbers or numeric strings), nginx/apache stamps (10/Oct/2000:13:55:36 -0700), syslog stamps (Oct 11 22:14:15, in the current year unless that is more than a day ahead), or exactly the strftime format of --time-format. A record whose time cannot be read is bad input (--on-error). Without `on`, @timestamp is used: the arrival time for files and stdin, the message time for Kafka.'],
  ['Windows', 'Windows are half-open intervals [start, end) in epoch milliseconds. Tumbling windows are [k*SIZE, (k+1)*SIZE), aligned to the Unix epoch in UTC. Sliding windows start at multiples of SLIDE and last SIZE; a record is in every one that holds it; SLIDE may not exceed SIZE. Session windows are per key: a record alone is [t, t+GAP); it merges with every open session of its key that it overlaps, so a late record can bridge two sessions into one. Count windows are per key and do not use time.'],
  ['Watermark', 'Each input partition (a file, stdin, a Kafka partition) keeps the largest event time it has shown. The watermark is the lowest of these over the active partitions, minus the allowed lateness (`allow DURATION`, default 0), and it never goes back. A partition is active once it is assigned (it then holds the watermark back until it has data) or sends a record; it leaves the minimum when it ends (a file read to its end, a Kafka partition at its end under -e), is revoked, or has had no record for --idle-partition DURATION, and comes back with its next record. With no active partition the watermark stays put, so files read one after another behave as one stream. A partition quiet for 30 s while others have records is named once in a warning. With --idle DURATION on a live input, after DURATION without records the watermark also follows the wall clock. --stats lists each partition\'s watermark when there are several.'],
  ['Firing', 'A window fires when the watermark reaches its end (end <= watermark). A record is checked against the watermark before it is added: it joins only the windows that have not fired. A record that joins none is late: it is counted in --stats and dropped, or written to the dead-letter file with --late dead-letter, with how far behind the watermark it was. At the end of a finite input every open window fires. Interrupted (Ctrl-C, SIGTERM, SIGHUP), sluice writes the open windows marked "final": false, or with --state keeps them in the checkpoint (see SIGNALS).'],
  ['Order and determinism', 'Results come in order of window end, then window start, then the order in which keys first appeared in that window (for sessions: the arrival of the session\'s first record). Each result holds window_start and window_end (ISO-8601 UTC with milliseconds, or epoch milliseconds with --time-format-out epoch_ms), the keys, then the aggregates. The same input gives the same bytes, however it is cut into chunks. When the partitions are known from the start and the disorder inside each stays within allow, the results do not depend on how partitions interleave: the same windows with the same values; first, last, collect and, within one window end, the order of keys follow arrival order.'],
  ['Count windows', '`count N` emits a key\'s window when its N-th record arrives; `count N every M` emits the key\'s last N records at every M-th record. At the end of input a partial window is emitted. window_start and window_end are the times of the window\'s first and last records.'],
  ['Emission', '`emit final` (the default) writes each window once. `emit every DURATION` also writes early results of the windows that changed, by the wall clock and only on a live input (a pipe, a terminal, --follow, Kafka), marked "final": false; the final result is marked "final": true. `emit changes` writes a window\'s result after every record that changes it ("final": false), then the final one. A plain aggregate (no window) accepts the same emit clause.'],
  ['dedupe within', '`dedupe KEYS within DURATION [on FIELD]` lets a key pass again once DURATION has gone by since it last passed, in event time with `on`; memory holds only the keys seen within DURATION of the latest time.'],
];

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's generated blocks: name → markdown table, each between `<!-- NAME:start … -->` and `<!-- NAME:end -->`. */
export function readmeBlocks(): Record<string, string> {
  return {
    stages: table(['stage', 'what it does'], operatorList.map((op) => [`\`${cell(op.usage)}\``, op.summary])),
    formats: table(['format', 'reads', 'writes', 'what it is'], formatList.map((f) => [`\`${f.name}\``, f.decoder ? 'yes' : '', f.encoder ? 'yes' : '', cell(f.summary)])),
    exit: table(['status', 'meaning'], exitStatuses.map((s) => [String(s.code), cell(s.meaning)])),
  };
}

function table(header: string[], rows: string[][]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export function updateReadme(readme: string): string {
  for (const [name, text] of Object.entries(readmeBlocks())) {
    const start = `<!-- ${name}:start (generated by npm run gen; do not edit) -->`;
    const end = `<!-- ${name}:end -->`;
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no generated ${name} block`);
    readme = readme.slice(0, a) + `${start}\n${text}\n${end}` + readme.slice(b + end.length);
  }
  return readme;
}

if (process.argv.includes('--write')) {
  const root = new URL('../../', import.meta.url);
  writeFileSync(new URL('man/sluice.1', root), manPage());
  const readmePath = new URL('README.md', root);
  writeFileSync(readmePath, updateReadme(readFileSync(readmePath, 'utf8')));
  process.stdout.write('wrote man/sluice.1 and the README tables\n');
}
