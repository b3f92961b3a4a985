// Help text generated from the registries (operators, functions, aggregates, formats, options,
// exit statuses), so that --help, `sluice help TOPIC` and the manual cannot drift from what the
// program does.

import { STATE_RULES } from './state-help.js';
import { EXPORT_USAGE_LINE, exportHelpText } from './export-help.js';
import { BAD_INPUT_RULES } from './bad-input-help.js';
import { INPUT_RULES } from './input-help.js';
import { SIGNAL_RULES } from './signals-help.js';
import { aggregateList, aggregates } from '../aggregates/index.js';
import { exitStatuses, UsageError } from '../errors/errors.js';
import { suggestion } from '../errors/diagnostic.js';
import { formatList } from '../formats/index.js';
import { functionList, functions } from '../lang/functions.js';
import { REGEX_RULES } from '../lang/regex.js';
import { findOperator, operatorList } from '../operators/index.js';
import type { AnyOperator } from '../operators/types.js';
import { optionTable } from './options.js';
import { AVRO_RULES, JSONSCHEMA_RULES, PROTOBUF_RULES, SECURITY_RULES, SUPPORTED_SETTINGS } from '../kafka/options.js';

/** The topics of `sluice help` besides stages, functions and aggregates. */
export const HELP_TOPICS = ['functions', 'aggregates', 'formats', 'kafka', 'state', 'inputs', 'bad-input', 'signals', 'regex', 'export'] as const;

const rules = (rows: [string, string][]) => rows.map(([t, b]) => `${t}\n${wrap(b, 78, '  ')}`).join('\n');

/** [name, summary] of every format, for --help, `sluice help formats` and the manual. */
export const formatRows = (): [string, string][] => formatList.map((f) => [f.name, f.summary]);

/** [code, meaning] of every exit status, for --help and the manual. */
export const exitRows = (): [string, string][] => exitStatuses.map((s) => [String(s.code), s.meaning]);

function columns(rows: [string, string][], indent = 2): string {
  const w = Math.min(30, Math.max(...rows.map(([a]) => a.length)));
  return rows.map(([a, b]) => (a.length > w ? `${' '.repeat(indent)}${a}\n${' '.repeat(indent + w + 2)}${b}` : `${' '.repeat(indent)}${a.padEnd(w)}  ${b}`)).join('\n') + '\n';
}

export function mainHelp(): string {
  return `sluice — filter, reshape and aggregate streams of records from files, stdin and Kafka

Usage:
  sluice [OPTIONS] PROGRAM [INPUT ...]
  sluice [OPTIONS] OP ARG [then OP ARG ...] [INPUT ...]
  sluice kafka topics|describe TOPIC|groups|lag GROUP [-b BROKERS]   (sluice kafka --help)
  ${EXPORT_USAGE_LINE}   (sluice help export)
  sluice help [OPERATOR | ${HELP_TOPICS.join(' | ')}]
  sluice completion bash|zsh|fish   (eval "$(sluice completion bash)")
  sluice schema [OPTIONS] [INPUT ...]   (infer a JSON Schema from records; check data with --schema FILE)

A PROGRAM is stages separated by '|'. The argument form is the same language:
  sluice 'where status >= 500 | head 5' app.ndjson
  sluice where 'status >= 500' then head 5 app.ndjson
An INPUT is a path, '-' for stdin, a .gz file, or a Kafka topic: kafka://HOST:PORT/TOPIC
(or kafka:TOPIC with --brokers); no INPUT reads stdin. --to kafka://HOST:PORT/TOPIC writes to one.

Stages:
${columns(operatorList.map((op) => [op.usage, op.summary]))}
Options:
${columns(optionTable.map((o) => [o.flags, o.help + (o.choices ? ` (${o.choices.join('|')})` : '')]))}
Formats:
${columns(formatRows())}
Exit status:
${columns(exitRows())}
More: sluice help OPERATOR, sluice help functions, sluice help aggregates, man sluice
`;
}

export function operatorHelp(op: AnyOperator): string {
  const aliases = op.aliases.length ? `\nAlias: ${op.aliases.join(', ')}\n` : '';
  const ex = op.examples
    .map((e) => `  $ sluice '${e.program}'\n${indent(e.input, '    < ')}${indent(e.output, '    > ')}`)
    .join('\n');
  return `${op.usage}\n\n${wrap(op.summary.charAt(0).toUpperCase() + op.summary.slice(1) + '. ' + op.description)}\n${aliases}\nExamples:\n${ex}`;
}

function indent(text: string, prefix: string): string {
  return text.split('\n').filter((l) => l.length > 0).map((l) => prefix + l + '\n').join('');
}

export function wrap(text: string, width = 78, pad = ''): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width - pad.length) { lines.push(pad + cur); cur = w; }
    else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(pad + cur);
  return lines.join('\n') + '\n';
}

export function functionsHelp(): string {
  let out = 'Functions (null in, null out; a wrong type gives null and counts in --stats):\n';
  let category = '';
  for (const f of functionList) {
    if (f.category !== category) { category = f.category; out += `\n${category}:\n`; }
    out += columns([[f.usage, f.summary]]);
  }
  return out + '\nsluice help FUNCTION shows examples.\n';
}

export function aggregatesHelp(): string {
  return 'Aggregates (use as a stage: `count(), avg(x) by key`):\n\n' +
    columns(aggregateList.map((a) => [a.usage, a.summary])) +
    '\nOutput names: count, avg_x, p95_x, ...; `as NAME` overrides. sluice help AGGREGATE shows details.\n';
}

export function helpTopic(topic: string): string {
  if (topic === 'kafka') return kafkaHelpText();
  if (topic === 'functions') return functionsHelp();
  if (topic === 'aggregates') return aggregatesHelp();
  if (topic === 'formats') return 'Formats:\n' + columns(formatRows());
  if (topic === 'regex') return 'Regular expressions\n\n' + REGEX_RULES.map(([t, b]) => `${t}\n${wrap(b, 78, '  ')}`).join('\n');
  if (topic === 'state') return 'State and checkpoints (--state PATH)\n\n' + STATE_RULES.map(([t, b]) => `${t}\n${wrap(b, 78, '  ')}`).join('\n');
  if (topic === 'inputs') return 'Inputs (files, stdin, compression, encodings)\n\n' + rules(INPUT_RULES);
  if (topic === 'signals') return 'Signals (SIGINT, SIGTERM, SIGHUP)\n\n' + rules(SIGNAL_RULES);
  if (topic === 'export') return exportHelpText();
  if (topic === 'bad-input') return 'Bad input (--on-error, --dead-letter)\n\n' + BAD_INPUT_RULES.map(([t, b]) => `${t}\n${wrap(b, 78, '  ')}`).join('\n');
  // a name may be a stage, a function and an aggregate at once (top, min): show each
  const sections: string[] = [];
  const op = findOperator(topic);
  if (op) sections.push(operatorHelp(op));
  const fn = functions.get(topic);
  if (fn) {
    sections.push(`${fn.usage}  (function)\n\n${wrap(fn.summary)}\nExamples:\n` +
      fn.examples.map((e) => `  ${e.expr}${e.input ? `   with ${e.input}` : ''}   → ${e.output}\n`).join(''));
  }
  const agg = aggregates.get(topic);
  if (agg) {
    sections.push(`${agg.usage}  (aggregate)\n\n${wrap(agg.summary + '. ' + agg.description)}\nExamples:\n` +
      agg.examples.map((e) => `  $ sluice '${e.program}'\n${indent(e.input, '    < ')}${indent(e.output, '    > ')}`).join('\n'));
  }
  if (sections.length > 0) return sections.join('\n');
  const all = [...operatorList.flatMap((o) => [o.name, ...o.aliases]), ...functions.keys(), ...aggregates.keys(), ...HELP_TOPICS];
  throw new UsageError(`no help for '${topic}'${suggestion(topic, all)} (topics: any stage, function or aggregate; ${HELP_TOPICS.join('; ')})`);
}

/** `sluice help kafka`: the inspection commands and how topics are read and written. */
export function kafkaHelpText(): string {
  return `Kafka

Read:    sluice [OPTIONS] PROGRAM kafka://HOST:PORT[,HOST:PORT]/TOPIC[,TOPIC]
         sluice -b HOST:PORT PROGRAM kafka:TOPIC          (or SLUICE_BROKERS)
Write:   sluice PROGRAM INPUT --to kafka://HOST:PORT/TOPIC [--key EXPR] [--partition-by EXPR]
Inspect: sluice kafka topics|describe TOPIC|groups|lag GROUP [-b BROKERS]   (sluice kafka --help)
Topics:  sluice kafka create TOPIC [--partitions N] [--config k=v] | delete TOPIC --yes

${columns(optionTable.filter((o) => o.group === 'kafka').map((o) => [o.flags, o.help + (o.choices ? ` (${o.choices.join('|')})` : '')]))}
Without --group, sluice reads every partition by itself, as kcat does: nothing is committed
and no consumer group is left on the cluster. Delivery is at least once: offsets are committed (with --group) only after every result
derived from them has been written and acknowledged; when head N ends the read part-way
through a fetch, only the messages up to the last one head took are committed, so the next
run with the group goes on from there. --exactly-once makes Kafka to Kafka transactional.
Writing (acks=all), each partition gets its messages in input order, as kcat -P writes them.
Values are decoded with -I (auto: JSON, logfmt, else {"line": ...}); key,
headers, topic, partition, offset and timestamp are @key, @headers, @topic, @partition,
@offset and @timestamp.

${AVRO_RULES}

${PROTOBUF_RULES}

${JSONSCHEMA_RULES}

${SECURITY_RULES}

${columns(Object.entries(SUPPORTED_SETTINGS).map(([k, v]) => [`-X ${k}`, v]))}
  $ sluice kafka topics -b broker:9094 -X security.protocol=sasl_ssl \\
      -X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=alice -X sasl.password=... \\
      -X ssl.ca.location=ca.pem
  $ KCAT_CONFIG=~/.config/kcat.conf sluice 'where amount > 100' -e \\
      kafka://broker:9094/orders
`;
}
