// The test broker: a real single-node Apache Kafka (KRaft) on 127.0.0.1, assembled from Maven
// Central. The implementation is shared with `node scripts/kafka/start.mjs` and lives in
// scripts/kafka/broker.mjs; this module gives it its TypeScript face. See test/kafka/README.md.
import {
  DEFAULT_KAFKA_VERSION,
  kafkaPrerequisites,
  resolveKafka,
  runKafkaTool,
  startBroker as startBrokerImpl,
  type KafkaBroker,
  type KafkaDist,
  type StartBrokerOptions,
  type ToolResult,
} from '../../scripts/kafka/broker.mjs';

export { DEFAULT_KAFKA_VERSION, kafkaPrerequisites, resolveKafka, runKafkaTool };
export type { KafkaBroker, KafkaDist, StartBrokerOptions, ToolResult };

/**
 * Start a broker and wait until an Admin client can describe the cluster and create a topic.
 * `version` defaults to $KAFKA_VERSION, else 3.9.1; "4.1" means the newest 4.1.x.
 */
export function startBroker(opts?: StartBrokerOptions): Promise<KafkaBroker> {
  return startBrokerImpl(opts);
}
