// Vitest global setup for the `kafka` project (see test/kafka/README.md for the wiring).
//
// - KAFKA_BROKERS set: the tests use that cluster; no broker is started.
// - SLUICE_REQUIRE_KAFKA=1 and kcat missing: the run fails at once, saying what to install.
// - SLUICE_SKIP_KAFKA=1, or Java / Maven missing: Kafka is marked unavailable and the Kafka tests
//   skip with the reason; with SLUICE_REQUIRE_KAFKA=1 the run fails instead.
// - otherwise: one broker is started for the whole run and stopped in teardown. A broker that
//   fails to start fails the run (the error names the broker log).
import { spawnSync } from 'node:child_process';
import type { GlobalSetupContext } from 'vitest/node';
import { DEFAULT_KAFKA_VERSION, kafkaPrerequisites, startBroker, type KafkaBroker } from './broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** bootstrap servers ("host:port[,host:port]") or null when Kafka is unavailable */
    kafkaBrokers: string | null;
    /** why Kafka is unavailable (null when it is available) */
    kafkaUnavailableReason: string | null;
    /** Kafka version of the broker the harness started, or null (external cluster / unavailable) */
    kafkaVersion: string | null;
  }
}

const log = (line: string) => process.stderr.write(`[kafka] ${line}\n`);

export default async function setup({ provide }: GlobalSetupContext): Promise<() => Promise<void>> {
  const required = process.env.SLUICE_REQUIRE_KAFKA === '1';
  const unavailable = (reason: string) => {
    if (required) throw new Error(`SLUICE_REQUIRE_KAFKA=1 but ${reason}`);
    log(`Kafka tests will be SKIPPED: ${reason}`);
    provide('kafkaBrokers', null);
    provide('kafkaUnavailableReason', reason);
    provide('kafkaVersion', null);
    return async () => {};
  };

  // kcat is the independent client most Kafka tests check sluice against: CI must have it
  if (required && spawnSync('kcat', ['-V']).error) {
    throw new Error('SLUICE_REQUIRE_KAFKA=1 but kcat is not installed: apt-get install kcat (.ci/run does this where it can)');
  }

  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    log(`using the existing cluster KAFKA_BROKERS=${external} (no broker started)`);
    provide('kafkaBrokers', external);
    provide('kafkaUnavailableReason', null);
    provide('kafkaVersion', null);
    return async () => {};
  }
  if (process.env.SLUICE_SKIP_KAFKA === '1') return unavailable('SLUICE_SKIP_KAFKA=1');

  const pre = kafkaPrerequisites();
  if (pre.missing.length) {
    return unavailable(
      `the test broker needs ${pre.missing.join(' and ')}; install them or set KAFKA_BROKERS=host:port`,
    );
  }

  const version = process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  log(`starting Apache Kafka ${version} (KRaft, single node) for the Kafka tests…`);
  let broker: KafkaBroker;
  try {
    broker = await startBroker({ version, log });
  } catch (e) {
    // Java and Maven are there, so this is a real failure, not "Kafka unavailable".
    throw new Error(`could not start the Kafka test broker: ${e instanceof Error ? e.message : String(e)}`);
  }
  provide('kafkaBrokers', broker.brokers);
  provide('kafkaUnavailableReason', null);
  provide('kafkaVersion', broker.version);

  return async () => {
    await broker.stop();
    log(`Kafka ${broker.version} at ${broker.brokers} stopped (log kept: ${broker.logFile})`);
  };
}
