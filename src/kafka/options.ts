// What the CLI hands to the Kafka source, sink and inspection commands. Kept free of
// kafkajs so that the CLI can build it without loading the client.

import { readFile } from 'node:fs/promises';
import { UnavailableError, UsageError } from '../errors/errors.js';
import type { InputFormat } from '../formats/types.js';
import { parseDuration } from '../time/duration.js';
import type { Event, Value } from '../core/event.js';

/** The -X settings sluice understands, with the values they take (shown in errors and help). */
export const SUPPORTED_SETTINGS: { readonly [key: string]: string } = {
  'client.id': 'client id sent to the brokers (default sluice)',
  'security.protocol': 'plaintext | ssl | sasl_plaintext | sasl_ssl',
  'sasl.mechanism': 'PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512',
  'sasl.mechanisms': 'same as sasl.mechanism (librdkafka spelling)',
  'sasl.username': 'SASL user name',
  'sasl.password': 'SASL password',
  'ssl.ca.location': 'PEM file with the CA certificate(s)',
  'ssl.certificate.location': 'PEM file with the client certificate',
  'ssl.key.location': 'PEM file with the client private key',
  'ssl.key.password': 'passphrase of the client key',
  'enable.ssl.certificate.verification': 'true | false',
  'ssl.endpoint.identification.algorithm': 'https | none',
  'isolation.level': 'read_committed (default) | read_uncommitted, for reading',
  'session.timeout.ms': 'consumer group session timeout (default 30000)',
  'heartbeat.interval.ms': 'consumer group heartbeat interval (default 3000)',
  'max.partition.fetch.bytes': 'most bytes fetched per partition, about one batch (default 1048576)',
  'fetch.max.bytes': 'most bytes per fetch (default 10485760)',
  'transaction.timeout.ms': 'with --exactly-once (default 60000)',
};

/** -I avro, for `sluice help kafka` and the manual. */
export const AVRO_RULES = `Avro values (-I avro; Kafka inputs only): with --schema-registry URL, values are in the
Confluent wire format (byte 0, a 4-byte schema id, the datum) and each schema is fetched
once from URL/schemas/ids/ID; with --value-schema FILE (.avsc), values are bare Avro
datums.
Records are printed as people read them: timestamp-millis/-micros as ISO-8601 UTC text
("2023-11-14T22:13:20.123Z"), local-timestamp-* without the Z, date as "YYYY-MM-DD",
time-* as "HH:MM:SS.fff", decimal as the exact decimal in a string ("-1.23"), bytes and
fixed as base64, a long beyond 2^53 as its exact digits in a string, enums as their
symbol, a union as its value. A value that does not decode, lacks the magic byte or names
a schema the registry does not have is a bad message (--on-error, --dead-letter with the
value in base64); a registry that cannot be reached or answers an error is exit 69.
  $ sluice 'where status == "PAID" | select id, amount, paid_at' -e \\
      kafka://broker:9092/payments -I avro --schema-registry http://registry:8081
Writing Avro: --to kafka://…/TOPIC -O avro --value-schema FILE.avsc writes each record as
a bare Avro datum; with --schema-registry URL the schema is registered under --subject
(default TOPIC-value) before the first record and values carry the id it gets (Confluent
wire format). Records are taken as -I avro prints them (ISO-8601 timestamps, decimals as
text, bytes as base64, unions bare; a missing field takes its default). A record that
does not fit is bad input naming the field ("-O avro: amount: expected a decimal with at
most 2 digits after the point"), under --on-error like a bad input line.
  $ sluice 'where ok' payments.ndjson --to kafka://broker:9092/payments -O avro \\
      --value-schema payment.avsc --schema-registry http://registry:8081`;

/** -I protobuf, for `sluice help kafka` and the manual. */
export const PROTOBUF_RULES = `Protobuf values (-I protobuf; Kafka inputs only): with --schema-registry URL, values are
in the Confluent wire format (byte 0, a 4-byte schema id, the message indexes, the message)
and each .proto (with its references) is fetched once; with --value-schema FILE.proto,
values are bare messages of --value-type NAME (default: the file's first message); imports
are read beside FILE, google/protobuf/*.proto are built in.
Records follow the proto3 JSON mapping with the .proto's field names: fields at their
default are shown (0, "", false, [], {}), an unset message is null, an unset oneof or
optional field is left out; enums by name, bytes as base64, 64-bit integers as numbers
(beyond 2^53 as exact digits in a string), Timestamp as "2023-11-14T22:13:20.123Z",
Duration as "1.500s", wrappers as their value, Struct as JSON.
  $ sluice 'select id, status, paid_at' -e kafka://broker:9092/orders \\
      -I protobuf --value-schema order.proto --value-type shop.Order`;

/** -I jsonschema, for `sluice help kafka` and the manual. */
export const JSONSCHEMA_RULES = `JSON Schema values (-I jsonschema; Kafka inputs only): with --schema-registry URL, values
are JSON in the Confluent wire format (byte 0, a 4-byte schema id, the JSON text) checked
against the registry's JSON Schema; with --value-schema FILE.json, bare JSON values checked
against FILE. The draft is the schema's $schema (2020-12, 2019-09, else draft-07); formats
are checked. A value that is not JSON or fails the schema is a bad message naming the place
("JSON Schema: /amount must be >= 0"). For all three formats a value that does not decode,
lacks the magic byte or names a schema the registry does not have is a bad message
(--on-error, --dead-letter, counted in --stats); an unreachable registry is exit 69.`;

/** How the security settings are given, for `sluice help kafka` and the manual. */
export const SECURITY_RULES = `Security settings (the names kcat and librdkafka use) come from -X key=value, from a
file of key=value lines: --kafka-config FILE, else $SLUICE_KAFKA_CONFIG, else kcat's
$KCAT_CONFIG (one file serves both tools); -X wins over the file. security.protocol is
sasl_plaintext when only sasl.* is given. A wrong user or password, or a broker
certificate that the CA (ssl.ca.location; else the system's CAs) does not vouch for, ends
the run at once with exit 69 and one line naming the user and mechanism or the
certificate; passwords are never printed.`;

/** -I formats that only Kafka message values come in (schema-bound; src/kafka/avro.ts, protobuf.ts, jsonschema.ts). */
export const KAFKA_VALUE_FORMATS = ['avro', 'protobuf', 'jsonschema'] as const;
export type KafkaValueFormat = (typeof KAFKA_VALUE_FORMATS)[number];
/** -O formats that only Kafka message values are written in (--to kafka://…; src/kafka/avro.ts). */
export const KAFKA_WRITE_FORMATS = ['avro'] as const;
export type KafkaWriteFormat = (typeof KAFKA_WRITE_FORMATS)[number];

export interface KafkaClientOptions {
  brokers: string[];
  /** -X key=value settings and the --kafka-config file, merged (later wins) */
  settings: { [key: string]: string };
  /** connection and request timeout in ms (--timeout) */
  timeoutMs: number;
  clientId: string;
}

export interface KafkaSourceOptions {
  client: KafkaClientOptions;
  topics: string[];
  /** beginning|end|stored|N|-N|@TIMESTAMP|@-1h, as written (validated by the source) */
  offset: string | undefined;
  partitions: number[] | null;
  group: string | null;
  exitAtEnd: boolean;
  count: number | null;
  /** how message values are decoded */
  format: InputFormat | 'auto' | KafkaValueFormat;
  /** -I avro|protobuf|jsonschema: Confluent wire format with schemas from this registry (--schema-registry) */
  schemaRegistry?: string | null;
  /** -I avro|protobuf|jsonschema: bare values written with the schema in this file (--value-schema) */
  valueSchema?: string | null;
  /** -I protobuf --value-schema: the message type of the values (--value-type; default the file's first message) */
  valueType?: string | null;
  infer: boolean;
  /** with --exactly-once, offsets are committed inside the sink's transaction */
  transactionalSink: unknown | null;
  /** a checkpoint's positions: these partitions start here, whatever --offset says */
  startAt?: { topic: string; partition: number; offset: number }[];
  /**
   * per-partition state (--state kafka://…): every assignment waits until the executor restored
   * the partitions' tasks (EventInput.onAssigned) before they are read
   */
  partitionTasks?: boolean;
  /**
   * a local --state file: this process holds the state of every partition (of --partition's, if
   * given), so with -e it ends only once each of them is read to its end, by this process, by the
   * run its checkpoint comes from, or (the group's committed offsets say) by another member, not
   * when a killed predecessor still holds some in the group
   */
  wholeInput?: boolean;
}

export interface KafkaSinkOptions {
  client: KafkaClientOptions;
  topic: string;
  key: ((r: Value, ev: Event) => Value | undefined) | null;
  partitionBy: ((r: Value, ev: Event) => Value | undefined) | null;
  /** --header NAME=EXPR: headers set on every message, over those it was read with */
  headers: [name: string, value: (r: Value, ev: Event) => Value | undefined][];
  /** the message value for a record (bytes with -O avro) */
  encodeValue(ev: Event): string | Buffer;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  exactlyOnce: boolean;
}

/** What the command line says about the client: -X settings, --kafka-config, --timeout. */
export interface ClientFlags {
  X: string[];
  kafkaConfig?: string;
  timeout: string;
}

/**
 * The settings file: --kafka-config, else $SLUICE_KAFKA_CONFIG, else $KCAT_CONFIG (as kcat reads it,
 * so one file serves both), with the name to show in errors.
 */
export function configFile(flags: ClientFlags, env: NodeJS.ProcessEnv): { path: string; from: string } | null {
  if (flags.kafkaConfig !== undefined) return { path: flags.kafkaConfig, from: '--kafka-config' };
  for (const name of ['SLUICE_KAFKA_CONFIG', 'KCAT_CONFIG']) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return { path: v.trim(), from: `$${name}` };
  }
  return null;
}

/**
 * Merge the settings file (see configFile) and -X (later wins) and read --timeout; shared by
 * sources, sinks and `sluice kafka`.
 */
export async function clientOptions(flags: ClientFlags, brokers: string[], env: NodeJS.ProcessEnv = process.env): Promise<KafkaClientOptions> {
  const settings: { [key: string]: string } = {};
  const add = (kv: string, where: string) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`${where}: expected key=value, got '${kv}'`);
    settings[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  };
  const file = configFile(flags, env);
  if (file !== null) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch {
      throw new UnavailableError(`cannot read '${file.path}' (${file.from})`);
    }
    text.split('\n').forEach((line, i) => {
      const l = line.trim();
      if (l && !l.startsWith('#')) add(l, `${file.path}:${i + 1}`);
    });
  }
  for (const kv of flags.X) add(kv, '-X');
  const timeoutMs = parseDuration(flags.timeout);
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout takes a duration such as 10s, not '${flags.timeout}'`);
  return { brokers, settings, timeoutMs, clientId: settings['client.id'] ?? 'sluice' };
}
