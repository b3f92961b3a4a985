// kafkajs loaded before sluice could install its replacements: sluice refuses to go on without
// them (its own process: vitest forks per file).

import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { loadKafkajs } from '../../src/kafka/kafkajs-fast.js';

it('kafkajs loaded before the replacements: a loud error naming the fix, not a silent slow path', () => {
  createRequire(import.meta.url)('kafkajs');
  expect(() => loadKafkajs()).toThrow(/kafkajs 2\.2\.4: was loaded before its replacements were installed.*SLUICE_KAFKAJS_DECODER=kafkajs/);
});
