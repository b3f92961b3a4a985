// The Kafka sink's sends without --exactly-once, against a fake kafkajs producer (no broker):
// one send at a time, in call order (the next starts once the previous is acknowledged), so that
// each partition keeps the input order (kafkajs's concurrent sends could reach the connection
// swapped; test/kafka/produce-order.test.ts shows it on a broker); write() waits while 8 sends are
// queued, however many one write() made; after a failed send, the queued ones are not made.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Event } from '../../src/core/event.js';

interface Call {
  first: number;
  count: number;
  ack(): void;
  fail(e: Error): void;
}
const calls: Call[] = [];
let inFlight = 0;
let maxInFlight = 0;

vi.mock('../../src/kafka/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/kafka/client.js')>();
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: ({ messages }: { messages: { value: string }[] }) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<void>((resolve, reject) => {
        const done = () => { inFlight--; };
        calls.push({
          first: (JSON.parse(messages[0]!.value) as { i: number }).i,
          count: messages.length,
          ack: () => { done(); resolve(); },
          fail: (e) => { done(); reject(e); },
        });
      });
    },
  };
  return {
    ...real,
    connectAdmin: async () => ({ disconnect: async () => undefined }),
    topicPartitions: async () => [0],
    createKafka: () => ({ producer: () => producer }),
  };
});

const { kafkaSink } = await import('../../src/kafka/sink.js');

const sinkFor = () => kafkaSink({
  client: { brokers: ['fake:9092'], settings: {}, timeoutMs: 1000, clientId: 'test' },
  topic: 't',
  key: null,
  partitionBy: null,
  headers: [],
  encodeValue: (ev) => JSON.stringify(ev.value),
  compression: 'none',
  exactlyOnce: false,
} as Parameters<typeof kafkaSink>[0]);

let next = 0;
/** A batch of n records {i}, numbered on from the last. */
const batch = (n: number): Event[] => Array.from({ length: n }, () => ({ value: { i: next++ }, raw: undefined, origin: undefined }) as unknown as Event);
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('kafka sink: sends in order', () => {
  beforeEach(() => {
    calls.length = 0;
    inFlight = 0;
    maxInFlight = 0;
    next = 0;
  });

  it('one send at a time, in input order; write() waits while 8 are queued; flush() waits for all', async () => {
    const sink = await sinkFor();
    // 16,384 records: sends of 10,000 and 6,384 (the two that kafkajs swapped)
    expect(sink.write(batch(16_384))).toBeUndefined();
    await settle();
    expect(calls.map((c) => [c.first, c.count])).toEqual([[0, 10_000]]);
    // a write of 12 sends: the queue is full, and write() waits until fewer than 8 are left
    let written = false;
    void (sink.write(batch(120_000)) as Promise<void>).then(() => { written = true; });
    let acked = 0;
    while (!written) {
      await settle();
      expect(inFlight).toBe(1);
      calls[acked]!.ack();
      acked++;
      await settle();
    }
    // 14 sends made: 2 + 12; write() returned once 7 were left
    expect(acked).toBe(7);
    let flushed = false;
    const flush = sink.flush().then(() => { flushed = true; });
    while (calls.length < 14 || acked < 14) {
      await settle();
      expect(flushed).toBe(false);
      calls[acked]!.ack();
      acked++;
    }
    await flush;
    expect(maxInFlight).toBe(1);
    const firsts = calls.map((c) => c.first);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(calls.reduce((n, c) => n + c.count, 0)).toBe(136_384);
  });

  it('a failed send fails the run, and the sends queued behind it are not made', async () => {
    const sink = await sinkFor();
    sink.write(batch(30_000));
    await settle();
    calls[0]!.ack();
    await settle();
    calls[1]!.fail(Object.assign(new Error('broker gone'), { name: 'KafkaJSError' }));
    await expect(sink.flush()).rejects.toThrow(/writing to 't'/);
    expect(calls).toHaveLength(2);
    expect(() => sink.write(batch(1))).toThrow(/writing to 't'/);
  });
});
