// Helpers for Kafka tests. The broker address comes from test/kafka/global-setup.ts via
// vitest's provide/inject; tests never start brokers themselves.
import { describe, inject } from 'vitest';

const NOT_WIRED =
  'the Kafka global setup did not run for this file (run it through the `kafka` vitest project, ' +
  'see test/kafka/README.md)';

function injected<K extends 'kafkaBrokers' | 'kafkaUnavailableReason' | 'kafkaVersion'>(key: K) {
  try {
    return inject(key);
  } catch {
    return undefined;
  }
}

/** Bootstrap servers ("127.0.0.1:PORT") of the test cluster, or null when Kafka is unavailable. */
export function kafkaBrokers(): string | null {
  return injected('kafkaBrokers') ?? null;
}

/** Version of the broker the harness started (null for KAFKA_BROKERS clusters or when unavailable). */
export function kafkaVersion(): string | null {
  return injected('kafkaVersion') ?? null;
}

/** Why Kafka tests are skipped, or null when a cluster is available. */
export function kafkaUnavailableReason(): string | null {
  if (kafkaBrokers()) return null;
  return injected('kafkaUnavailableReason') ?? NOT_WIRED;
}

/**
 * `describe` for tests that need Kafka. Without a cluster the suite is skipped and its name says
 * why; with SLUICE_REQUIRE_KAFKA=1 it fails instead of skipping.
 */
export function describeKafka(name: string, fn: () => void): void {
  const reason = kafkaUnavailableReason();
  if (reason === null) {
    describe(name, fn);
  } else if (process.env.SLUICE_REQUIRE_KAFKA === '1') {
    describe(name, () => {
      throw new Error(`SLUICE_REQUIRE_KAFKA=1 but Kafka is unavailable: ${reason}`);
    });
  } else {
    describe.skip(`${name} [skipped: Kafka unavailable: ${reason}]`, fn);
  }
}

/** A topic name unique to this run, for tests that must not see each other's messages. */
export function uniqueTopic(prefix = 'sluice-test'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
