// --dead-letter kafka://HOST:PORT/TOPIC: each bad input (or late record with --late dead-letter)
// becomes one message of TOPIC: its value the text as read, headers `sluice-reason` and
// `sluice-location` (`file:line` or `topic/partition@offset`). As the file version
// (sinks/dead-letter.ts): messages are gathered into sends (≤ 1000 messages / 512 KiB, acks=all),
// write() answers a promise while 8 sends are in flight (the executor waits for it before reading
// on: bounded memory), flush() waits for every send (the executor flushes before it commits input
// offsets), and a send that fails is an OutputError (exit 74) saying how many dead letters were
// written. The topic must exist (exit 69 before anything is read, as a file that cannot be opened).

import { OutputError } from '../errors/errors.js';
import type { DeadLetterSink } from '../sinks/dead-letter.js';
import {
  boundedRetry,
  connectAdmin,
  createKafka,
  describeCause,
  javaCompatiblePartitioner,
  topicPartitions,
  withDeadline,
  type Message,
} from './client.js';
import type { KafkaClientOptions } from './options.js';

export const REASON_HEADER = 'sluice-reason';
export const LOCATION_HEADER = 'sluice-location';

const MAX_SEND_MESSAGES = 1000;
const MAX_SEND_BYTES = 512 * 1024;
const MAX_IN_FLIGHT = 8;

export async function kafkaDeadLetter(client: KafkaClientOptions, topic: string): Promise<DeadLetterSink> {
  const c = client;
  const admin = await connectAdmin(c);
  try {
    await topicPartitions(admin, topic, c);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const producer = createKafka(c).producer({ allowAutoTopicCreation: false, retry: boundedRetry(c.timeoutMs), createPartitioner: javaCompatiblePartitioner });
  try {
    await withDeadline(producer.connect(), c.timeoutMs, `connecting to write the dead-letter topic '${topic}'`, c.brokers);
  } catch (e) {
    await producer.disconnect().catch(() => undefined);
    throw e;
  }

  let pending: Message[] = [];
  let bytes = 0;
  let written = 0;
  let failure: OutputError | null = null;
  const inFlight = new Set<Promise<void>>();
  const check = () => {
    if (failure) throw failure;
  };
  const send = () => {
    if (pending.length === 0) return;
    const messages = pending;
    pending = [];
    bytes = 0;
    const p: Promise<void> = producer.send({ topic, messages, acks: -1 }).then(
      () => {
        written += messages.length;
        inFlight.delete(p);
      },
      (e: unknown) => {
        inFlight.delete(p);
        failure ??= new OutputError(
          `writing the dead-letter topic '${topic}' failed after ${written} dead letter${written === 1 ? '' : 's'}: ${describeCause(e)}`, { cause: e });
      },
    );
    inFlight.add(p);
  };
  const flush = async () => {
    send();
    while (inFlight.size > 0) await Promise.all(inFlight);
    check();
  };
  return {
    write(bad) {
      check();
      pending.push({ value: bad.raw, headers: { [REASON_HEADER]: bad.reason, [LOCATION_HEADER]: bad.location } });
      bytes += bad.raw.length + bad.reason.length + bad.location.length + 64;
      if (pending.length >= MAX_SEND_MESSAGES || bytes >= MAX_SEND_BYTES) send();
      if (inFlight.size < MAX_IN_FLIGHT) return undefined;
      return Promise.race(inFlight).then(check);
    },
    flush,
    async end() {
      try {
        await flush();
      } finally {
        await withDeadline(producer.disconnect(), c.timeoutMs, 'disconnecting', c.brokers).catch(() => undefined);
      }
    },
  };
}
