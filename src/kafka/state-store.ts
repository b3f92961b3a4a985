// --state kafka://HOST:PORT/TOPIC: per-partition state in a compacted Kafka topic, as Kafka
// Streams keeps its changelogs, so that the state of an input partition moves with it to whichever
// member of the consumer group is given the partition.
//
// One record per input partition and checkpoint: key `<group>/<input topic>/<partition>`, value an
// encoded Checkpoint (runtime/checkpoint.ts: magic, SHA-256, the task's stage snapshots, its next
// offset, its counters), header `sluice-epoch` = the owner epoch. Compaction keeps the newest
// record of each key. Reading reads the whole topic from its beginning to its end (read_committed:
// records of a transaction that never committed are not seen) by position, without a group, and keeps
// for each wanted key the record with the highest epoch, of those the newest: a process that took
// a partition over writes with a higher epoch than the one it restored, so a late write of the
// member that lost it cannot hide the new owner's state (see Checkpoint.partition).
//
// Writing: a plain producer with acks=all, or, with --exactly-once, the sink's transaction, so
// that output, state and input offsets commit together.
//
// sluice creates the topic when it is missing: one partition, cleanup.policy=compact, replication
// min(3, brokers), segments of 64 MiB (restoring reads what compaction has not cleaned yet) and
// records of up to 64 MiB. A topic that exists must be compacted.

import { DataError, UnavailableError, UsageError } from '../errors/errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type PartitionStateStore } from '../runtime/checkpoint.js';
import {
  boundedRetry,
  connectAdmin,
  connectFetcher,
  createKafka,
  fetchTopicOffsets,
  kafkaError,
  withDeadline,
  type Admin,
  type Message,
  type Producer,
} from './client.js';
import { recordKeyText, recordOffset } from './kafkajs-fast.js';
import type { KafkaClientOptions } from './options.js';
import type { TransactionalSink } from './sink.js';

export interface KafkaStateOptions {
  client: KafkaClientOptions;
  topic: string;
  /** the consumer group whose partitions' state this is (the records' key prefix) */
  group: string;
  /** how the user wrote --state, for messages */
  name: string;
  /** --exactly-once: records are written in this sink's transaction */
  transaction: TransactionalSink | null;
}

export interface KafkaStateStore extends PartitionStateStore {
  /** disconnect; pending writes are done by then */
  close(): Promise<void>;
}

export const EPOCH_HEADER = 'sluice-epoch';
/** The configs sluice creates the state topic with. */
export const STATE_TOPIC_CONFIG: { readonly [name: string]: string } = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(64 * 1024 * 1024),
  'max.message.bytes': String(64 * 1024 * 1024),
};
const TOPIC_RESOURCE = 2;

/** The record key of an input partition's state. */
export function stateKey(group: string, partition: string): string {
  return `${group}/${partition}`;
}

export async function kafkaStateStore(opts: KafkaStateOptions): Promise<KafkaStateStore> {
  const c = opts.client;
  const { topic, name } = opts;
  const admin = await connectAdmin(c);
  let producer: Producer | null = null;
  let maxBytes: number;
  try {
    maxBytes = await ensureTopic(admin, opts);
    if (opts.transaction === null) {
      producer = createKafka(c).producer({ allowAutoTopicCreation: false, retry: boundedRetry(c.timeoutMs), idempotent: true, maxInFlightRequests: 1 });
      await withDeadline(producer.connect(), c.timeoutMs, `connecting to write state to '${topic}'`, c.brokers);
    }
  } catch (e) {
    await producer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw e;
  }
  const prefix = `${opts.group}/`;

  return {
    name,
    async load(partitions) {
      const wanted = new Map(partitions.map((p) => [stateKey(opts.group, p), p]));
      const found = await readNewest(admin, opts, new Set(wanted.keys()));
      const out = new Map<string, Checkpoint>();
      for (const [key, rec] of found) {
        const cp = decodeRecord(rec.value, name, wanted.get(key)!, rec.where);
        if (cp.partition === undefined || stateKey(opts.group, cp.partition.id) !== key) {
          throw new DataError(`--state ${name}: the record of ${key} at ${rec.where} holds the state of ${cp.partition?.id ?? 'no partition'}`, name);
        }
        out.set(wanted.get(key)!, cp);
      }
      return out;
    },
    async save(checkpoints) {
      let bytes = 0;
      // encoded now, before anything else can change the state
      const messages: Message[] = checkpoints.map((cp) => {
        const part = cp.partition;
        if (part === undefined) throw new Error('a per-partition checkpoint without its partition');
        const value = encodeCheckpoint(cp);
        if (value.length > maxBytes) {
          throw new UnavailableError(
            `--state ${name}: the state of ${part.id} is ${value.length} bytes, more than the topic '${topic}' takes ` +
            `(max.message.bytes=${maxBytes}); raise it, or keep less state per partition`);
        }
        bytes += value.length;
        return { key: prefix + part.id, value, headers: { [EPOCH_HEADER]: String(part.epoch) } };
      });
      if (messages.length === 0) return 0;
      if (opts.transaction) {
        await opts.transaction.sendInTransaction(topic, messages);
      } else {
        try {
          await producer!.send({ topic, messages, acks: -1 });
        } catch (e) {
          throw kafkaError(e, `writing state to '${topic}'`, c.brokers);
        }
      }
      return bytes;
    },
    async close() {
      if (producer) await withDeadline(producer.disconnect(), c.timeoutMs, 'disconnecting', c.brokers).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

/**
 * The state topic, created when it is missing (two members creating it at once is fine); a topic
 * that exists must be compacted. Returns the largest record it takes.
 */
async function ensureTopic(admin: Admin, opts: KafkaStateOptions): Promise<number> {
  const c = opts.client;
  const { topic, name } = opts;
  const what = `the state topic '${topic}'`;
  const existing = await withDeadline(admin.listTopics(), c.timeoutMs, `listing topics for ${what}`, c.brokers);
  if (!existing.includes(topic)) {
    const cluster = await withDeadline(admin.describeCluster(), c.timeoutMs, `describing the cluster for ${what}`, c.brokers);
    await withDeadline(admin.createTopics({
      topics: [{
        topic,
        numPartitions: 1,
        replicationFactor: Math.min(3, cluster.brokers.length),
        configEntries: Object.entries(STATE_TOPIC_CONFIG).map(([n, value]) => ({ name: n, value })),
      }],
      waitForLeaders: true,
    }), c.timeoutMs, `creating ${what}`, c.brokers);
    // a fresh topic's partitions may take a moment to have a leader
    for (let until = Date.now() + c.timeoutMs; ;) {
      const ready = await admin.fetchTopicMetadata({ topics: [topic] })
        .then((m) => m.topics[0]?.partitions.every((p) => p.leader >= 0) === true, () => false);
      if (ready) break;
      if (Date.now() > until) throw new UnavailableError(`kafka: ${what} was created but has no leader on ${c.brokers.join(',')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const res = await withDeadline(
    admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['cleanup.policy', 'max.message.bytes'] }], includeSynonyms: false }),
    c.timeoutMs, `reading the configs of ${what}`, c.brokers);
  const configs = new Map(res.resources.flatMap((r) => r.configEntries).map((e) => [e.configName, e.configValue]));
  const policy = configs.get('cleanup.policy') ?? 'delete';
  if (!policy.split(',').map((p) => p.trim()).includes('compact')) {
    throw new UsageError(
      `--state ${name}: topic '${topic}' has cleanup.policy=${policy}, so state records would be deleted with age; ` +
      `give a compacted topic (cleanup.policy=compact), or a new topic name for sluice to create`);
  }
  return Number(configs.get('max.message.bytes') ?? STATE_TOPIC_CONFIG['max.message.bytes']);
}

interface Found {
  epoch: number;
  value: Buffer;
  /** `topic/partition@offset`, for messages */
  where: string;
}

/**
 * Read the state topic from its beginning to its end (read_committed: the ends are the last stable
 * offsets) and keep, for each wanted key, the record with the highest epoch, of those the newest.
 */
async function readNewest(admin: Admin, opts: KafkaStateOptions, wanted: Set<string>): Promise<Map<string, Found>> {
  const c = opts.client;
  const { topic } = opts;
  const found = new Map<string, Found>();
  if (wanted.size === 0) return found;
  const ranges = (await fetchTopicOffsets(admin, topic, c)).filter((o) => o.high > o.low);
  if (ranges.length === 0) return found;
  const ends = new Map(ranges.map((o) => [o.partition, o.high]));
  const positions = new Map(ranges.map((o) => [o.partition, o.low]));
  const what = `reading the state topic '${topic}'`;
  // read by position, as a read without --group is: no throwaway group is left on the cluster
  const fetcher = await connectFetcher(c, [topic], {
    maxBytesPerPartition: Number(STATE_TOPIC_CONFIG['max.message.bytes']) + 1024 * 1024,
    maxBytes: 2 * Number(STATE_TOPIC_CONFIG['max.message.bytes']),
  });
  const stall = Math.max(c.timeoutMs, 30_000);
  let lastProgress = Date.now();
  try {
    for (;;) {
      const todo = [...positions].filter(([p, at]) => at < ends.get(p)!).map(([partition, offset]) => ({ topic, partition, offset }));
      if (todo.length === 0) break;
      const fetched = await fetcher.fetch(todo);
      for (const f of fetched) {
        const end = ends.get(f.partition)!;
        for (const m of f.messages) {
          const offset = recordOffset(m);
          if (offset >= end) break;
          const key = recordKeyText(m);
          if (key === null || !wanted.has(key) || m.value === null) continue;
          const epoch = Number(headerText(m.headers?.[EPOCH_HEADER])) || 0;
          const have = found.get(key);
          if (have === undefined || epoch >= have.epoch) {
            found.set(key, { epoch, value: Buffer.from(m.value), where: `${topic}/${f.partition}@${offset}` });
          }
        }
        if (f.next > positions.get(f.partition)!) {
          positions.set(f.partition, f.next);
          lastProgress = Date.now();
        }
      }
      if (Date.now() - lastProgress > stall) throw new UnavailableError(`kafka: ${what}: no progress from ${c.brokers.join(',')} for ${stall / 1000} s`);
    }
  } catch (e) {
    throw kafkaError(e, what, c.brokers);
  } finally {
    await fetcher.disconnect();
  }
  return found;
}

function headerText(v: Buffer | string | (Buffer | string)[] | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.length > 0 ? headerText(v[v.length - 1]) : '';
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** A state record's checkpoint; a record that is not whole is an error naming it, never a fresh start. */
function decodeRecord(value: Buffer, name: string, partition: string, where: string): Checkpoint {
  try {
    return decodeCheckpoint(value, name);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    const why = e.message.replace(`--state ${name}: `, '').replace(/ \(move it away, or delete it, to start afresh\)$/, '');
    throw new DataError(`--state ${name}: the state of ${partition} (${where}) is ${why.startsWith('not') ? why : `unreadable: ${why}`}; ` +
      'use another state topic or --group to start afresh', name);
  }
}
