// The Kafka sink: records become messages of one topic (key from --key, partition from
// --partition-by, headers passed through, value from the output encoder), sent with acks=all.
// Sends go out one at a time, in input order, so each partition keeps the input order (see
// sendInOrder); write() returns at once while a few sends are queued and waits when there are more
// (that is the backpressure); flush() resolves when every send so far is acknowledged, which is when the
// executor may commit the input offsets.
//
// Partitioning: with --partition-by, partition = toPositive(murmur2(text)) % partitions, where
// text is the value's string (or JSON text), as the Java client does for keys. With --key only,
// kafkajs's default partitioner picks the partition with the same Java-compatible murmur2 of the
// key, so a topic keyed by sluice is partitioned like one keyed by a Java producer (librdkafka's
// default, used by kcat, hashes with CRC32 instead). Without either, kafkajs spreads messages.
//
// --exactly-once: a transactional producer (transactional id `sluice-<group>-<topic>`, so a
// restarted process fences its predecessor and aborts its open transaction). Writes open a
// transaction lazily; the source commits each input batch through commitTransaction(), which puts
// the consumed offsets into that transaction and commits it. Per-partition state (--state
// kafka://…) sends its checkpoint records into the same transaction (sendInTransaction), so that
// output, state and offsets commit together.

import { UnavailableError, UsageError } from '../errors/errors.js';
import type { Event } from '../core/event.js';
import type { EventSink } from '../sinks/sink.js';
import {
  boundedRetry,
  compressionType,
  connectAdmin,
  createKafka,
  javaCompatiblePartitioner,
  kafkaError,
  producerSettings,
  retryConcurrentTransactions,
  topicPartitions,
  withDeadline,
  type Message,
  type Producer,
  type Transaction,
} from './client.js';
import { murmur2, replacementsInstalled } from './kafkajs-fast.js';
import type { KafkaSinkOptions } from './options.js';

export interface OffsetsToCommit {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/** A sink whose writes are committed together with the input offsets (--exactly-once). */
export interface TransactionalSink extends EventSink {
  readonly transactional: true;
  /**
   * Creates the transactional producer (id `sluice-<group>-<topic>`) and fences any predecessor,
   * waiting until its last transaction is committed or aborted; idempotent. Called before the
   * group's committed offsets are read (--state) and before anything is read.
   */
  prepareTransactions(group: string): Promise<void>;
  /** Puts `offsets` (the next offsets to read) into the open transaction and commits it. */
  commitTransaction(consumerGroupId: string, offsets: OffsetsToCommit[]): Promise<void>;
  /**
   * Sends messages to another topic inside the open transaction (opening it if need be), in turn
   * with the writes; resolves once they are acknowledged. They become visible to read_committed
   * readers when commitTransaction commits.
   */
  sendInTransaction(topic: string, messages: Message[]): Promise<void>;
}

export function isTransactionalSink(x: unknown): x is TransactionalSink {
  return typeof x === 'object' && x !== null && (x as { transactional?: unknown }).transactional === true &&
    typeof (x as { commitTransaction?: unknown }).commitTransaction === 'function';
}

export function partitionFor(text: string, partitions: number): number {
  return (murmur2(Buffer.from(text, 'utf8')) & 0x7fffffff) % partitions;
}

const textOf = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);

/** Sends of at most about this many bytes, well under the broker's default message.max.bytes (1 MiB). */
const MAX_SEND_BYTES = 512 * 1024;
/**
 * And of at most this many messages. With sluice's produce encoder (kafkajs-fast.ts,
 * produce-encoder.ts) a send's cost is mostly per send, not per message: on 1M messages of 62 B,
 * sends of ~6,000 (the byte limit) took 2.0 CPU-s against 2.45 for sends of 1,000. On kafkajs's
 * own code (SLUICE_KAFKAJS_DECODER=kafkajs), which groups a send by partition in quadratic time,
 * sends stay at 1,000 messages (10,000 made it several times slower: 86 s for 1M on a busy machine).
 */
const MAX_SEND_MESSAGES = 10_000;
const MAX_SEND_MESSAGES_KAFKAJS = 1000;
/** What a message adds to a send besides its key, value and headers: its record's varints, at most. */
const RECORD_OVERHEAD = 24;
/** Sends queued or in flight before write() makes the executor wait. */
const MAX_IN_FLIGHT = 8;

export async function kafkaSink(opts: KafkaSinkOptions): Promise<EventSink> {
  const c = opts.client;
  const topic = opts.topic;
  const { transactionTimeout } = producerSettings(c.settings);

  const admin = await connectAdmin(c);
  let partitionCount: number;
  try {
    partitionCount = (await topicPartitions(admin, topic, c)).length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const exactly = opts.exactlyOnce;
  const kafka = createKafka(c);
  const what = `writing to '${topic}'`;
  const retry = boundedRetry(c.timeoutMs);
  const compression = compressionType(opts.compression);
  let producer: Producer | null = null;
  let txId: string | null = null;

  const connect = async (p: Producer, ms: number, doing: string): Promise<Producer> => {
    try {
      await withDeadline(p.connect(), ms, doing, c.brokers);
    } catch (e) {
      await p.disconnect().catch(() => undefined);
      throw e;
    }
    return p;
  };
  if (!exactly) {
    producer = await connect(kafka.producer({ allowAutoTopicCreation: false, retry, createPartitioner: javaCompatiblePartitioner }), c.timeoutMs, `connecting to write '${topic}'`);
  }

  const maxSendMessages = replacementsInstalled() ? MAX_SEND_MESSAGES : MAX_SEND_MESSAGES_KAFKAJS;
  function toMessages(batch: Event[]): Message[][] {
    const chunks: Message[][] = [];
    let chunk: Message[] = [];
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) {
      const ev = batch[i]!;
      const value = opts.encodeValue(ev);
      const msg: Message = { value };
      let size = value.length + RECORD_OVERHEAD;
      if (opts.key) {
        const key = textOf(opts.key(ev.value, ev));
        if (key !== null) {
          msg.key = key;
          size += key.length;
        }
      }
      if (opts.partitionBy) {
        const by = textOf(opts.partitionBy(ev.value, ev));
        if (by !== null) msg.partition = partitionFor(by, partitionCount);
      }
      if (opts.headers.length > 0) {
        const headers: { [name: string]: string } = { ...ev.headers };
        for (const [name, fn] of opts.headers) {
          const text = textOf(fn(ev.value, ev));
          if (text === null) delete headers[name];
          else headers[name] = text;
        }
        msg.headers = headers;
        for (const h in headers) size += h.length + headers[h]!.length;
      } else if (ev.headers) {
        msg.headers = ev.headers;
        for (const h in ev.headers) size += h.length + ev.headers[h]!.length;
      }
      if ((bytes + size > MAX_SEND_BYTES || chunk.length >= maxSendMessages) && chunk.length > 0) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(msg);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  // ---- plain (at-least-once) sends
  const inFlight = new Set<Promise<void>>();
  let failure: Error | null = null;
  const track = (p: Promise<unknown>) => {
    const t: Promise<void> = p.then(
      () => { inFlight.delete(t); },
      (e: unknown) => {
        inFlight.delete(t);
        failure ??= kafkaError(e, what, c.brokers);
      },
    );
    inFlight.add(t);
  };
  const check = () => {
    if (failure) throw failure;
  };
  // One send on the wire at a time, in call order: kafkajs's concurrent send()s can reach the
  // connection in another order than they were called (cluster.addMultipleTargetTopics holds a
  // Lock whose release() hands it to the next send, which then runs ahead of the releasing one:
  // two sends of one write() landed swapped), and a send retried after a later one succeeded would
  // land after it too. So send n+1 starts once send n is acknowledged (Kafka's own order guarantee
  // is per partition; kcat -P keeps it too). Sends after a failed one are not made.
  let lastSend: Promise<unknown> = Promise.resolve();
  const sendInOrder = (messages: Message[]) => {
    lastSend = lastSend.then(() => (failure ? undefined : producer!.send({ topic, messages, acks: -1, compression })));
    track(lastSend);
  };

  // ---- transactional sends
  let txn: Transaction | null = null;
  let txChain: Promise<void> = Promise.resolve();
  const begin = async (): Promise<Transaction> => {
    txn ??= await producer!.transaction();
    return txn;
  };

  const sink: TransactionalSink = {
    kind: 'events',
    transactional: exactly as true,
    isTerminal: false,
    get closed() {
      return false;
    },
    write(batch) {
      check();
      if (batch.length === 0) return undefined;
      const chunks = toMessages(batch);
      if (exactly) {
        if (producer === null) throw new UnavailableError(`kafka: ${what}: --exactly-once needs a kafka: input with --group`);
        txChain = txChain.then(async () => {
          const t = await begin();
          for (const messages of chunks) await t.send({ topic, messages, acks: -1, compression });
        }).catch((e: unknown) => {
          failure ??= kafkaError(e, what, c.brokers);
        });
        return txChain.then(check);
      }
      for (const messages of chunks) sendInOrder(messages);
      if (inFlight.size < MAX_IN_FLIGHT) return undefined;
      return (async () => {
        // until fewer than MAX_IN_FLIGHT are queued: a write() of many sends must not grow the queue
        while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
        check();
      })();
    },
    async flush() {
      if (exactly) await txChain;
      else while (inFlight.size > 0) await Promise.all(inFlight);
      check();
    },
    async end() {
      try {
        await sink.flush();
      } finally {
        if (txn) {
          // outputs whose input offsets were not committed: abort, they are produced again next run
          const t = txn;
          txn = null;
          await withDeadline(t.abort(), c.timeoutMs, `aborting the transaction on '${topic}'`, c.brokers).catch(() => undefined);
        }
        if (producer) await withDeadline(producer.disconnect(), c.timeoutMs, 'disconnecting', c.brokers).catch(() => undefined);
      }
    },
    async prepareTransactions(group) {
      const id = `sluice-${group}-${topic}`;
      if (txId !== null) {
        if (txId !== id) throw new UsageError(`--exactly-once: one sink serves one consumer group (${txId}, ${id})`);
        return;
      }
      txId = id;
      const doing = `starting transactions for '${topic}' (transactional id ${id})`;
      producer = await connect(
        kafka.producer({ allowAutoTopicCreation: false, retry: boundedRetry(c.timeoutMs, 20), createPartitioner: javaCompatiblePartitioner, idempotent: true, maxInFlightRequests: 1, transactionalId: id, transactionTimeout }),
        c.timeoutMs,
        doing,
      );
      // The first transaction initializes the transactional producer id (kafkajs's connect() does
      // not): that fences a predecessor and returns only once the coordinator has finished its last
      // transaction (aborted an open one, or written the markers of a commit a SIGKILL did not stop),
      // answering CONCURRENT_TRANSACTIONS until then, which kafkajs retries within --timeout. Done
      // here, before anything is read, so that the group's committed offsets are final when --state
      // compares them with its checkpoints. The deadline leaves those retries time to end with what
      // the broker said.
      await withDeadline(begin(), 2 * c.timeoutMs, doing, c.brokers);
    },
    sendInTransaction(other, messages) {
      check();
      if (producer === null || !exactly) throw new UnavailableError(`kafka: ${what}: transactions need --exactly-once`);
      txChain = txChain.then(async () => {
        const t = await begin();
        await t.send({ topic: other, messages, acks: -1 });
      }).catch((e: unknown) => {
        failure ??= kafkaError(e, `writing to '${other}' in the transaction of '${topic}'`, c.brokers);
      });
      return txChain.then(check);
    },
    async commitTransaction(consumerGroupId, offsets) {
      await sink.flush();
      try {
        const t = await begin();
        txn = null;
        // right after the last commit (its markers still being written) the coordinator refuses
        // AddOffsetsToTxn with CONCURRENT_TRANSACTIONS, which kafkajs does not retry
        await retryConcurrentTransactions(() => t.sendOffsets({ consumerGroupId, topics: offsets }), c.timeoutMs);
        await t.commit();
      } catch (e) {
        throw kafkaError(e, `committing the transaction on '${topic}'`, c.brokers);
      }
    },
  };
  return sink;
}
