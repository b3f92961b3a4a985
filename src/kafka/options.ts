// What the CLI hands to the Kafka source, sink and inspection commands. Kept free of
// kafkajs so that the CLI can build it without loading the client.

import type { InputFormat } from '../formats/types.js';
import type { Event, Value } from '../runtime/event.js';

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
}

export interface KafkaSinkOptions {
  client: KafkaClientOptions;
  topic: string;
  key: ((r: Value, ev: Event) => Value | undefined) | null;
  partitionBy: ((r: Value, ev: Event) => Value | undefined) | null;
  /** the message value for a record */
  encodeValue(ev: Event): string;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  exactlyOnce: boolean;
}
