// What the CLI hands to the Kafka source, sink and inspection commands. Kept free of
// kafkajs so that the CLI can build it without loading the client.

import { readFile } from 'node:fs/promises';
import { UnavailableError, UsageError } from '../errors/errors.js';
import type { InputFormat } from '../formats/types.js';
import { parseDuration } from '../time/duration.js';
import type { Event, Value } from '../core/event.js';

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
  format: InputFormat | 'auto';
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
}

export interface KafkaSinkOptions {
  client: KafkaClientOptions;
  topic: string;
  key: ((r: Value, ev: Event) => Value | undefined) | null;
  partitionBy: ((r: Value, ev: Event) => Value | undefined) | null;
  /** --header NAME=EXPR: headers set on every message, over those it was read with */
  headers: [name: string, value: (r: Value, ev: Event) => Value | undefined][];
  /** the message value for a record */
  encodeValue(ev: Event): string;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  exactlyOnce: boolean;
}

/** What the command line says about the client: -X settings, --kafka-config, --timeout. */
export interface ClientFlags {
  X: string[];
  kafkaConfig?: string;
  timeout: string;
}

/** Merge --kafka-config and -X (later wins) and read --timeout; shared by sources, sinks and `sluice kafka`. */
export async function clientOptions(flags: ClientFlags, brokers: string[]): Promise<KafkaClientOptions> {
  const settings: { [key: string]: string } = {};
  const add = (kv: string, where: string) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`${where}: expected key=value, got '${kv}'`);
    settings[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  };
  if (flags.kafkaConfig !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.kafkaConfig, 'utf8');
    } catch {
      throw new UnavailableError(`cannot read '${flags.kafkaConfig}' (--kafka-config)`);
    }
    text.split('\n').forEach((line, i) => {
      const l = line.trim();
      if (l && !l.startsWith('#')) add(l, `${flags.kafkaConfig}:${i + 1}`);
    });
  }
  for (const kv of flags.X) add(kv, '-X');
  const timeoutMs = parseDuration(flags.timeout);
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout takes a duration such as 10s, not '${flags.timeout}'`);
  return { brokers, settings, timeoutMs, clientId: settings['client.id'] ?? 'sluice' };
}
