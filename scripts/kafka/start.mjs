#!/usr/bin/env node
// Start a single-node Apache Kafka broker (KRaft) on 127.0.0.1 for development and benchmarks,
// print KAFKA_BROKERS=127.0.0.1:PORT and keep it running until Ctrl-C.
//
//   node scripts/kafka/start.mjs [--version 3.9.1|4.1.0|4.1] [--port 9092] [--heap "-Xmx1g"]
//
// The broker is the one the test suite uses (scripts/kafka/broker.mjs). Its data lives in a temp
// dir that is removed on exit; its log is kept under test/kafka/.logs/.
import { parseArgs } from 'node:util';
import { DEFAULT_KAFKA_VERSION, kafkaPrerequisites, startBroker } from './broker.mjs';

const { values } = parseArgs({
  options: {
    version: { type: 'string' },
    port: { type: 'string' },
    'controller-port': { type: 'string' },
    heap: { type: 'string' },
    'log-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`usage: node scripts/kafka/start.mjs [--version V] [--port N] [--controller-port N] [--heap FLAGS] [--log-dir DIR]

  --version  Kafka version from Maven Central: 3.9.1, 4.1.0, 4.1 for the newest 4.1.x, 4 for the newest 4.x
             (default: $KAFKA_VERSION or ${DEFAULT_KAFKA_VERSION})
  --port     PLAINTEXT port on 127.0.0.1 (default: a free port)
  --heap     broker heap flags (default: "-Xms256m -Xmx512m")

Prints KAFKA_BROKERS=127.0.0.1:PORT once the broker accepts admin requests; Ctrl-C stops it.`);
  process.exit(0);
}

const pre = kafkaPrerequisites();
if (pre.missing.length) {
  console.error(`cannot start Kafka: missing ${pre.missing.join(' and ')}`);
  process.exit(1);
}

const log = (/** @type {string} */ line) => console.error(`[kafka] ${line}`);
let broker;
try {
  broker = await startBroker({
    version: values.version,
    port: values.port ? Number(values.port) : undefined,
    controllerPort: values['controller-port'] ? Number(values['controller-port']) : undefined,
    heap: values.heap,
    logDir: values['log-dir'],
    log,
  });
} catch (e) {
  console.error(`[kafka] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const t = broker.timings;
log(`Kafka ${broker.version}, pid ${broker.pid}, RSS ${Math.round((broker.rssKiB() ?? 0) / 1024)} MiB; ` +
  `resolve ${t.resolveMs} ms${broker.dist.fromCache ? ' (cached)' : ' (Maven)'}, format ${t.formatMs} ms, start→ready ${t.readyMs} ms, total ${t.totalMs} ms`);
log(`log: ${broker.logFile}`);
log('Ctrl-C to stop');
console.log(`KAFKA_BROKERS=${broker.brokers}`);

const keepAlive = setInterval(() => {}, 1 << 30);
let stopping = false;
const shutdown = async (/** @type {string} */ sig) => {
  if (stopping) return;
  stopping = true;
  log(`${sig}: stopping the broker`);
  await broker.stop();
  clearInterval(keepAlive);
  log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
