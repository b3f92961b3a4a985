// The kafkajs replacements (src/kafka/kafkajs-fast.ts) must be in effect whenever sluice talks to
// Kafka: a silently skipped replacement halves throughput. This runs in its own process (vitest
// forks per file), so kafkajs is loaded here for the first time.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadKafkajs, PATCHED_VERSION, REPLACED_MODULES, replacementsInstalled } from '../../src/kafka/kafkajs-fast.js';

const require = createRequire(import.meta.url);

describe('kafkajs replacements', () => {
  it('package.json pins kafkajs to the exact version they were written for', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.kafkajs).toBe(PATCHED_VERSION);
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(PATCHED_VERSION);
  });

  it('are installed in the require cache before kafkajs loads, and kafkajs uses them', () => {
    expect(replacementsInstalled()).toBe(false);
    const kafkajs = loadKafkajs();
    expect(typeof kafkajs.Kafka).toBe('function');
    expect(replacementsInstalled()).toBe(true);
    for (const id of REPLACED_MODULES) expect(require.cache[require.resolve(id)]?.exports, id).toBeDefined();
    // the consumer's fetch path requires the batch class through the cache: it is ours
    const Batch = require('kafkajs/src/consumer/batch') as { name?: string };
    expect(require.cache[require.resolve('kafkajs/src/consumer/batch')]!.exports).toBe(Batch);
    // so does the producer, for every produce version that builds on v3 (v4-v7 require it lazily)
    const produce = require('kafkajs/src/protocol/requests/produce') as { protocol(o: { version: number }): (a: object) => { request: { encode: { name: string } } } };
    for (const version of [3, 4, 5, 6, 7]) {
      expect(produce.protocol({ version })({ acks: -1, timeout: 1, topicData: [] }).request.encode.name, `produce v${version}`).toBe('encodeProduceRequest');
    }
  });
});
