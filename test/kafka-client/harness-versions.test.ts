// The test harness's KAFKA_VERSION: an exact version, the newest of a minor line, or the newest of
// a major line (.ci/run runs the Kafka suite a second time on the newest 4.x), and the tool classes
// of each (kafka-consumer-groups moved to kafka-tools in 3.8).
import { describe, expect, it } from 'vitest';
import { kafkaToolClasses, parseVersionSpec } from '../../scripts/kafka/broker.mjs';

describe('KAFKA_VERSION', () => {
  it('3.9.1 is exact, 4.1 / 4.1.x the newest 4.1, 4 / 4.x the newest 4', () => {
    expect(parseVersionSpec('3.9.1')).toEqual({ major: 3, mavenVersion: '3.9.1' });
    expect(parseVersionSpec('4.1')).toEqual({ major: 4, mavenVersion: '[4.1.0,4.2.0)' });
    expect(parseVersionSpec('4.1.x')).toEqual({ major: 4, mavenVersion: '[4.1.0,4.2.0)' });
    expect(parseVersionSpec('4')).toEqual({ major: 4, mavenVersion: '[4.0.0,5.0.0)' });
    expect(parseVersionSpec('4.x')).toEqual({ major: 4, mavenVersion: '[4.0.0,5.0.0)' });
    expect(() => parseVersionSpec('latest')).toThrow(/KAFKA_VERSION must look like 3\.9\.1, 4\.1, 4\.1\.x or 4/);
  });

  it('kafka-consumer-groups is in kafka-tools from 3.8 on', () => {
    expect(kafkaToolClasses('3.9.1').consumerGroupCommand).toBe('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand');
    expect(kafkaToolClasses('4.4.0').consumerGroupCommand).toBe('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand');
    expect(kafkaToolClasses('3.7.0').consumerGroupCommand).toBe('kafka.admin.ConsumerGroupCommand');
  });
});
