// The command-line options, in one table that commander, --help and the manual all read.
// The -I/-O choices come from the format registry.

import { UsageError } from '../errors/errors.js';
import { inputFormatList, outputFormatList, type InputFormat, type OutputFormat } from '../formats/index.js';
import { KAFKA_VALUE_FORMATS, KAFKA_WRITE_FORMATS, type KafkaValueFormat, type KafkaWriteFormat } from '../kafka/options.js';

export interface OptionSpec {
  flags: string;
  /** commander's attribute name */
  key: string;
  help: string;
  choices?: readonly string[];
  default?: string | boolean;
  /** shown in the manual's option list under this group */
  group: 'program' | 'input' | 'output' | 'errors' | 'state' | 'kafka' | 'info';
  /** may be given more than once (values collected in a list) */
  repeatable?: boolean;
  /** the flags as commander reads them, when they differ from what the help shows */
  commander?: string;
}

export const INPUT_FORMATS: readonly ('auto' | InputFormat | KafkaValueFormat)[] = ['auto', ...inputFormatList.map((f) => f.name), ...KAFKA_VALUE_FORMATS];
export const OUTPUT_FORMATS: readonly (OutputFormat | KafkaWriteFormat)[] = [...outputFormatList.map((f) => f.name), ...KAFKA_WRITE_FORMATS];

export const optionTable: readonly OptionSpec[] = [
  { flags: '-f, --from-file <file>', key: 'fromFile', group: 'program',
    help: 'read the program from this file (as jq -f): stages on as many lines as you like, # comments; every argument is then an INPUT' },
  { flags: '--arg <name> <value>', key: 'arg', group: 'program', repeatable: true, commander: '--arg <name-value>',
    help: 'set $name to the string value in the program (as jq --arg); repeatable' },
  { flags: '--argjson <name> <json>', key: 'argjson', group: 'program', repeatable: true, commander: '--argjson <name-json>',
    help: 'set $name to the JSON value (a number, true, an object ...); repeatable' },
  { flags: '-I, --input-format <format>', key: 'inputFormat', group: 'input', choices: INPUT_FORMATS, default: 'auto',
    help: 'input format; auto decides by extension, then by the first bytes; avro, protobuf and jsonschema read Kafka message values (with --schema-registry or --value-schema)' },
  { flags: '--no-infer', key: 'infer', group: 'input', default: true,
    help: 'keep csv/tsv/logfmt values as strings instead of inferring numbers and booleans' },
  { flags: '--implicit-header', key: 'implicitHeader', group: 'input',
    help: 'csv/tsv input has no header row; fields are named 1, 2, 3, ...' },
  { flags: '--ifs <sep>', key: 'ifs', group: 'input',
    help: "field separator of csv/tsv input: one character, or comma, semicolon, tab, pipe, space, colon (as Miller); with -I auto a .tsv input is read as tsv and any other as csv" },
  { flags: '-O, --output-format <format>', key: 'outputFormat', group: 'output', choices: OUTPUT_FORMATS,
    help: 'output format (default: ndjson, or table for aggregates on a terminal); avro writes Kafka message values (--to kafka:... with --value-schema FILE.avsc)' },
  { flags: '--template <template>', key: 'template', group: 'output',
    help: "output each record through a template such as '{ts} {service} {status}' (implies -O template)" },
  { flags: '--ofs <sep>', key: 'ofs', group: 'output',
    help: 'field separator of csv/tsv output: one character, or comma, semicolon, tab, pipe, space, colon; csv quotes a value that holds it' },
  { flags: '--precision <digits>', key: 'precision', group: 'output',
    help: "significant digits of fractional numbers in -O table and -O chart, for reading (default 4, and never fewer than 2 decimals: 61.041666 shows 61.04, 246.03 stays); full keeps every digit. ndjson, csv and the other machine formats always keep full precision" },
  { flags: '--to <path>', key: 'to', group: 'output', help: 'write output to a file instead of stdout; FILE.gz is written gzip-compressed, FILE.zst zstd-compressed (Node 22.15 or later); .xz, .bz2, .lz4 and .zip are refused (exit 2)' },
  { flags: '--color <when>', key: 'color', group: 'output', choices: ['auto', 'always', 'never'], default: 'auto',
    help: 'colour output: auto (only on a terminal, never under NO_COLOR), always, never' },
  { flags: '--follow', key: 'follow', group: 'input',
    help: 'keep reading files as they grow, like tail -F (rotation and truncation included)' },
  { flags: '--tz <zone>', key: 'tz', group: 'input',
    help: 'zone for timestamps written without one (IANA name such as Europe/Paris, or +02:00); default UTC' },
  { flags: '--time-format <format>', key: 'timeFormat', group: 'input',
    help: "read event times (on FIELD) and the text stamps of time(), strftime() and bucket() with exactly this strftime format, e.g. '%d/%m/%Y %H:%M:%S'" },
  { flags: '--time-format-out <format>', key: 'timeFormatOut', group: 'output', choices: ['iso', 'epoch_ms'], default: 'iso',
    help: 'how window_start and window_end are written' },
  { flags: '--idle <duration>', key: 'idle', group: 'input',
    help: 'on a quiet live input, let the watermark follow the wall clock after this long without records' },
  { flags: '--idle-partition <duration>', key: 'idlePartition', group: 'input',
    help: 'a partition (a Kafka partition, or a file) with no record for this long of wall clock stops holding the watermark back, so windows can fire without it; its next record brings it back' },
  { flags: '--state <path>', key: 'state', group: 'state',
    help: 'keep checkpoints in this file: input positions, windows, aggregates, dedupe memory and counters; a restart with the same program and inputs resumes from the last one. ' +
      'Or, with --group, in a Kafka topic, kafka://HOST:PORT/TOPIC or kafka:TOPIC (created compacted when missing): then each input partition runs its own copy of the program, ' +
      'with its own state and watermark, and its state moves with it to the group member that takes the partition over (with --exactly-once, in the output\'s transactions). ' +
      'That is correct when the topic is keyed by the aggregate\'s key; a key spread over several partitions gives one partial result per partition (re-key with --to kafka:... --key K first)' },
  { flags: '--checkpoint-every <duration>', key: 'checkpointEvery', group: 'state', default: '10s',
    help: 'with --state: how often to checkpoint (also at every clean stop); Kafka offsets are committed only then' },
  { flags: '--max-state <n>', key: 'maxState', group: 'state',
    help: 'the most groups one stage may hold (a key of an aggregate, a key in each window it is in, a session); more stops the run with exit 75, naming the stage. ' +
      'Without it the limit is the memory: a stage stops the run (exit 75) when, after a full garbage collection, 75% of the heap (--max-old-space-size) is still in use' },
  { flags: '--late <policy>', key: 'late', group: 'errors', choices: ['drop', 'dead-letter'], default: 'drop',
    help: 'records too late for their windows: drop (counted in --stats) or dead-letter (needs --dead-letter)' },
  { flags: '--on-error <policy>', key: 'onError', group: 'errors', choices: ['fail', 'skip', 'warn'], default: 'fail',
    help: 'bad input: fail (exit 65 at the first), skip (count it), warn (count it and say where)' },
  { flags: '--strict-utf8', key: 'strictUtf8', group: 'errors',
    help: 'a record with invalid UTF-8 is bad input (--on-error); without it the bytes become U+FFFD and are counted in --stats' },
  { flags: '--dead-letter <path>', key: 'deadLetter', group: 'errors',
    help: 'write each bad input (raw text, reason, location) to this NDJSON file, or to a Kafka topic (kafka://HOST:PORT/TOPIC: the raw text as the message, reason and location as its headers sluice-reason and sluice-location); implies --on-error skip unless given; reading waits while the file or topic catches up; exit 69 if it cannot be opened (a missing topic), 74 if writing it fails' },
  { flags: '-b, --brokers <list>', key: 'brokers', group: 'kafka',
    help: 'Kafka brokers HOST:PORT[,HOST:PORT] for kafka:TOPIC inputs and sinks (default: $SLUICE_BROKERS)' },
  { flags: '-o, --offset <offset>', key: 'offset', group: 'kafka',
    help: 'where to start reading: beginning, end, stored, N, -N (from the end), @TIMESTAMP, @-1h (default: stored with --group, else beginning)' },
  { flags: '-p, --partition <list>', key: 'partition', group: 'kafka', help: 'read only these partitions (comma-separated)' },
  { flags: '-G, --group <id>', key: 'group', group: 'kafka',
    help: 'consumer group: share partitions with other sluice processes and commit offsets (none are committed without it)' },
  { flags: '-e, --exit-at-end', key: 'exitAtEnd', group: 'kafka', help: 'stop at the end of each partition as it was when sluice started' },
  { flags: '-c, --count <n>', key: 'count', group: 'kafka', help: 'stop after reading N messages' },
  { flags: '--envelope', key: 'envelope', group: 'kafka', help: 'write Kafka messages with their metadata (topic, partition, offset, key, headers, timestamp), as kcat -J' },
  { flags: '-k, --key <expr>', key: 'key', group: 'kafka', help: 'with --to kafka:...: the message key of each record' },
  { flags: '--partition-by <expr>', key: 'partitionBy', group: 'kafka', help: 'with --to kafka:...: choose the partition by hashing this expression' },
  { flags: '--header <name=expr>', key: 'header', group: 'kafka', repeatable: true,
    help: 'with --to kafka:...: a message header NAME with the text of EXPR (left out where EXPR is null); repeatable. The headers a message was read with (@headers) are written too; --header overrides one of the same name' },
  { flags: '--compression <codec>', key: 'compression', group: 'kafka', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], default: 'none',
    help: 'compression of produced messages' },
  { flags: '--exactly-once', key: 'exactlyOnce', group: 'kafka',
    help: 'Kafka to Kafka with transactions: each result is written once, offsets committed inside the transaction (needs --group)' },
  { flags: '-X <key=value>', key: 'X', group: 'kafka', repeatable: true, help: 'a Kafka client setting (sasl.*, ssl.*, client.id, ...); repeatable' },
  { flags: '--kafka-config <file>', key: 'kafkaConfig', group: 'kafka', help: 'Kafka client settings, one key=value per line (default: $SLUICE_KAFKA_CONFIG, else $KCAT_CONFIG)' },
  { flags: '--schema-registry <url>', key: 'schemaRegistry', group: 'kafka',
    help: 'with -I avro, protobuf or jsonschema: values in the Confluent wire format (magic byte, schema id); schemas fetched from this Schema Registry, once each' },
  { flags: '--value-schema <file>', key: 'valueSchema', group: 'kafka',
    help: 'with -I avro, protobuf or jsonschema: values are bare, written with the schema in this .avsc, .proto or JSON Schema file (topics without a registry)' },
  { flags: '--subject <name>', key: 'subject', group: 'kafka',
    help: 'with --to kafka:... -O avro --schema-registry: the subject the --value-schema is registered under (default TOPIC-value); values are framed with the id it gets' },
  { flags: '--value-type <name>', key: 'valueType', group: 'kafka',
    help: 'with -I protobuf --value-schema: the message type of the values, as package.Message (default: the first message in the file)' },
  { flags: '--timeout <duration>', key: 'timeout', group: 'kafka', default: '10s',
    help: 'give up on an unreachable broker or missing topic after this long (exit 69)' },
  { flags: '--threads <n>', key: 'threads', group: 'input', default: 'auto',
    help: 'read big files on N worker threads (decode and stateless stages, output in input order and byte for byte as on one); auto: the cores not busy with other work (on Linux: cores minus the other threads runnable at start) for a file of 256 MiB or more, else one. Stateless programs and those ending in a count, min, max, distinct or percentile aggregate run on them whole; for filters then a window or any other aggregate the threads decode and this one runs the program in input order (watermarks and late records as on one thread); running values, head, sort, joins, a stage that changes records before a window, stdin, --follow, CSV and Kafka keep to one thread' },
  { flags: '--sort-buffer <size>', key: 'sortBuffer', group: 'output', default: '512M',
    help: 'memory (estimated from the records\' text) that sort holds before it spills sorted runs to temporary files in $TMPDIR and merges them at the end, as GNU sort -S: K, M, G suffixes; the process\'s resident memory is typically 2 to 3 times this' },
  { flags: '--schema <file>', key: 'schema', group: 'errors',
    help: 'check every record against this JSON Schema (2020-12; `sluice schema FILE` infers one): each violation is reported with its location and counted (schema errors in --stats). ' +
      'Under --on-error fail (the default) every violation is reported, the records go on, and sluice exits 1 at the end, as assert does; under skip, warn or --dead-letter the records that break it are dropped as bad input' },
  { flags: '--drift', key: 'drift', group: 'errors',
    help: 'warn at the first record where a top-level field appears, vanishes or changes type, relative to --schema if given, else to the records before it' },
  { flags: '--report <report>', key: 'report', group: 'errors', repeatable: true,
    help: 'CI reports of the checks (each assert, and --schema): junit=FILE (a JUnit XML test case per check), github (GitHub Actions ::error annotations, on stderr so that stdout stays data), summary (per check: the count and the first locations, on stderr); repeatable' },
  { flags: '--join-buffer <size>', key: 'joinBuffer', group: 'output', default: '256M',
    help: 'memory (estimated from the rows\' text) that the lookup table of a join may take; a larger table stops the run with exit 75: K, M, G suffixes' },
  { flags: '--stats', key: 'stats', group: 'info', help: 'print counts (records in/out, bad, type errors), elapsed time and rate on stderr' },
  { flags: '--stats-every <duration>', key: 'statsEvery', group: 'info',
    help: 'for a long job: every DURATION write a line on stderr with the counts so far (records in and out, bad, late, type errors), the rates over the interval, the watermark of each input partition, the lag of each Kafka partition (messages not read yet) and event_lag_ms (the wall clock less the largest event time seen)' },
  { flags: '--stats-format <format>', key: 'statsFormat', group: 'info', choices: ['logfmt', 'ndjson'], default: 'logfmt',
    help: 'the lines of --stats-every as logfmt or NDJSON' },
  { flags: '--metrics <host:port>', key: 'metrics', group: 'info',
    help: 'serve the figures of --stats-every as Prometheus metrics at http://HOST:PORT/metrics while the job runs (port 0 picks a free one; the address is said on stderr); exit 69 if it cannot listen' },
  { flags: '--explain', key: 'explain', group: 'info', help: 'print the plan (each stage in canonical form and its kind; with a window, where the first records fall) and exit' },
  { flags: '--version', key: 'version', group: 'info', help: 'print the version and exit' },
  { flags: '-h, --help', key: 'help', group: 'info', help: 'print this help and exit; `sluice help OPERATOR` for one operator' },
];

export interface CliOptions {
  fromFile?: string;
  /** `--arg NAME VALUE`, joined as NAME + NUL + VALUE (see joinPairOptions) */
  arg: string[];
  argjson: string[];
  inputFormat: 'auto' | InputFormat | KafkaValueFormat;
  schemaRegistry?: string;
  valueSchema?: string;
  valueType?: string;
  subject?: string;
  infer: boolean;
  implicitHeader?: boolean;
  ifs?: string;
  ofs?: string;
  outputFormat?: OutputFormat | KafkaWriteFormat;
  template?: string;
  precision?: string;
  to?: string;
  color: 'auto' | 'always' | 'never';
  onError: 'fail' | 'skip' | 'warn';
  strictUtf8?: boolean;
  follow?: boolean;
  tz?: string;
  timeFormat?: string;
  timeFormatOut: 'iso' | 'epoch_ms';
  idle?: string;
  idlePartition?: string;
  state?: string;
  checkpointEvery: string;
  maxState?: string;
  late: 'drop' | 'dead-letter';
  brokers?: string;
  offset?: string;
  partition?: string;
  group?: string;
  exitAtEnd?: boolean;
  count?: string;
  envelope?: boolean;
  key?: string;
  partitionBy?: string;
  header: string[];
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  exactlyOnce?: boolean;
  X: string[];
  kafkaConfig?: string;
  timeout: string;
  deadLetter?: string;
  sortBuffer: string;
  threads: string;
  report: string[];
  schema?: string;
  drift?: boolean;
  joinBuffer: string;
  stats?: boolean;
  statsEvery?: string;
  statsFormat: 'logfmt' | 'ndjson';
  metrics?: string;
  explain?: boolean;
  version?: boolean;
  help?: boolean;
}

/** Options that take two values (`--arg NAME VALUE`, as jq); commander takes one, so they are joined. */
export const PAIR_OPTIONS = ['--arg', '--argjson'] as const;

/** `--arg NAME VALUE` becomes `--arg NAME\0VALUE` for commander; */
export function joinPairOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    if ((PAIR_OPTIONS as readonly string[]).includes(a)) {
      if (i + 2 >= argv.length) throw new UsageError(`${a} takes a name and a value: ${a} NAME VALUE`);
      out.push(a, `${argv[i + 1]}\0${argv[i + 2]}`);
      i += 2;
    } else {
      out.push(a);
    }
  }
  return out;
}
