// CONCURRENT_TRANSACTIONS (--exactly-once): the transaction coordinator answers it while it still
// completes this transactional id's previous transaction (the markers of the last commit, or the
// abort of a SIGKILLed predecessor's open one). A commit retries it within --timeout, and when it
// lasts longer the message says what it means (exit 69). Errors are kafkajs's own, as the broker
// client throws them; the crash cycles on a real broker are in test/kafka/watermarks.test.ts.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors/errors.js';
import { isConcurrentTransactions, kafkaError, retryConcurrentTransactions } from '../../src/kafka/client.js';

const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
const { KafkaJSNumberOfRetriesExceeded } = require('kafkajs/src/errors') as {
  KafkaJSNumberOfRetriesExceeded: new (e: Error, o: { retryCount: number; retryTime: number }) => Error;
};

/** what the coordinator answers: error code 51 */
const concurrent = () => createErrorFromCode(51);

describe('CONCURRENT_TRANSACTIONS', () => {
  it('is recognised as kafkajs throws it, also wrapped by its retrier', () => {
    expect(isConcurrentTransactions(concurrent())).toBe(true);
    expect(isConcurrentTransactions(new KafkaJSNumberOfRetriesExceeded(concurrent(), { retryCount: 5, retryTime: 900 }))).toBe(true);
    expect(isConcurrentTransactions(createErrorFromCode(47))).toBe(false); // INVALID_PRODUCER_EPOCH
  });

  it('a commit that meets it a few times goes through; the waits grow and stay within the bound', async () => {
    const waits: number[] = [];
    let calls = 0;
    const r = await retryConcurrentTransactions(async () => {
      if (++calls <= 4) throw concurrent();
      return 'committed';
    }, 10_000, 20, async (ms) => { waits.push(ms); });
    expect(r).toBe('committed');
    expect(calls).toBe(5);
    expect(waits).toEqual([20, 40, 80, 160]);
  });

  it('gives up once the waits would pass the timeout, with what the coordinator said', async () => {
    const waits: number[] = [];
    let calls = 0;
    const e = await retryConcurrentTransactions(async () => {
      calls++;
      throw concurrent();
    }, 2000, 20, async (ms) => { waits.push(ms); }).catch((x: unknown) => x);
    expect(isConcurrentTransactions(e)).toBe(true);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2000);
    expect(waits.at(-1)).toBe(500); // capped
    expect(calls).toBe(waits.length + 1);
  });

  it('other failures are not retried', async () => {
    let calls = 0;
    const fenced = createErrorFromCode(47);
    await expect(retryConcurrentTransactions(async () => {
      calls++;
      throw fenced;
    }, 10_000, 20, async () => undefined)).rejects.toBe(fenced);
    expect(calls).toBe(1);
  });

  it('once given up: exit 69 and a message that says what it means', () => {
    const e = kafkaError(new KafkaJSNumberOfRetriesExceeded(concurrent(), { retryCount: 9, retryTime: 1000 }),
      "committing the transaction on 'out'", ['127.0.0.1:9092']);
    expect(e.exitCode).toBe(EXIT.unavailable);
    expect(e.message).toBe("kafka: committing the transaction on 'out': the transaction coordinator on 127.0.0.1:9092 is still " +
      'completing the previous transaction of this transactional id (a killed predecessor\'s being aborted, or the last ' +
      'commit\'s markers being written) and kept answering CONCURRENT_TRANSACTIONS; run again, or give it longer with --timeout');
  });
});
