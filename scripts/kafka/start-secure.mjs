#!/usr/bin/env node
// Start the secured test broker (scripts/kafka/secure.mjs) for trying sluice's security
// settings by hand: prints the address of each listener, the user and the CA file as shell
// assignments, and keeps running until Ctrl-C.
//
//   node scripts/kafka/start-secure.mjs [--version 3.9.1|4.1]
import { parseArgs } from 'node:util';
import { kafkaPrerequisites } from './broker.mjs';
import { startSecureBroker } from './secure.mjs';

const { values } = parseArgs({ options: { version: { type: 'string' } } });
const pre = kafkaPrerequisites();
if (pre.missing.length) {
  console.error(`cannot start Kafka: missing ${pre.missing.join(' and ')}`);
  process.exit(1);
}
const log = (/** @type {string} */ line) => console.error(`[kafka] ${line}`);
const sec = await startSecureBroker({ version: values.version, log });
console.log([
  `PLAINTEXT=${sec.plaintext}`,
  `SASL_PLAINTEXT=${sec.saslPlaintext}   # PLAIN and SCRAM-SHA-512`,
  `SSL=${sec.ssl}`,
  `SASL_SSL=${sec.saslSsl}   # PLAIN and SCRAM-SHA-512`,
  `KAFKA_USER=${sec.user}`,
  `KAFKA_PASSWORD=${sec.password}`,
  `CA=${sec.caFile}`,
].join('\n'));
log('Ctrl-C to stop');
const keepAlive = setInterval(() => {}, 1 << 30);
const shutdown = async () => {
  await sec.stop();
  clearInterval(keepAlive);
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
