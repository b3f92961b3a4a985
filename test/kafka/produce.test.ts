// Producing as a person expects, checked with kcat and Kafka's own tools: `sluice kafka create`
// and `delete` (so a pipeline is set up without Kafka's scripts; the test broker does not create
// topics by itself).
import { expect, it } from 'vitest';
import { kafkaPrerequisites, resolveKafka, runKafkaTool } from './broker.js';
import { haveKcat, kcat, produce, records, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, kafkaVersion, uniqueTopic } from './helpers.js';

const ready = haveKcat && kafkaPrerequisites().missing.length === 0;

describeKafka('producing', () => {
  const B = kafkaBrokers() as string;

  it.skipIf(!ready)('kafka create TOPIC --partitions N --config k=v, then delete TOPIC --yes; as Kafka\'s TopicCommand and kcat see them', async () => {
    const topic = uniqueTopic('mk');
    const made = await sluice(['kafka', 'create', topic, '--partitions', '3', '--config', 'retention.ms=3600000', '--config', 'max.message.bytes=200000', '-b', B]);
    expect([made.code, made.stderr]).toEqual([0, '']);
    expect(records(made.stdout)).toEqual([{ topic, partitions: 3, replication: 1 }]);

    const dist = await resolveKafka(kafkaVersion() ?? undefined);
    const described = await runKafkaTool(dist, dist.classes.topicCommand, ['--bootstrap-server', B, '--describe', '--topic', topic]);
    expect(described.stdout).toMatch(/PartitionCount:\s*3/);
    expect(described.stdout).toMatch(/retention\.ms=3600000/);
    expect(described.stdout).toMatch(/max\.message\.bytes=200000/);
    // usable at once: kcat writes to partition 2 and sluice reads it back
    await produce(B, topic, 2, ['{"n":1}']);
    const back = await sluice(['select @partition, n', `kafka://${B}/${topic}`, '-e']);
    expect(back.stdout).toBe('{"@partition":2,"n":1}\n');

    const again = await sluice(['kafka', 'create', topic, '-b', B]);
    expect([again.code, again.stdout, again.stderr]).toEqual([2, '', `sluice: topic '${topic}' already exists (brokers ${B})\n`]);
    const refused = await sluice(['kafka', 'create', uniqueTopic('mk-bad'), '--config', 'retention.ms=soon', '-b', B]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^sluice: kafka create mk-bad-\S+: the broker refused it: .*retention\.ms=soon\)\n$/);

    const unsure = await sluice(['kafka', 'delete', topic, '-b', B]);
    expect([unsure.code, unsure.stderr]).toEqual([2, `sluice: kafka delete ${topic} deletes the topic and every message in it: add --yes if that is what you mean\n`]);
    const gone = await sluice(['kafka', 'delete', topic, '--yes', '-b', B]);
    expect([gone.code, gone.stderr]).toEqual([0, '']);
    expect(records(gone.stdout)).toEqual([{ topic, partitions: 3, replication: 1 }]);
    const list = await kcat(['-b', B, '-L', '-t', topic]);
    expect(list.stdout + list.stderr).not.toMatch(new RegExp(`topic "${topic}" with 3 partitions`));
    const twice = await sluice(['kafka', 'delete', topic, '--yes', '-b', B]);
    expect([twice.code, twice.stderr]).toEqual([69, `sluice: topic '${topic}' does not exist (brokers ${B})\n`]);
  }, 60_000);
});
