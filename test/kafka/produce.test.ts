// Producing as a person expects, checked with kcat and Kafka's own tools: `sluice kafka create`
// and `delete` (so a pipeline is set up without Kafka's scripts; the test broker does not create
// topics by itself), headers (--header NAME=EXPR and the @headers a message was read with), every
// --compression (zstd included) read back by kcat, and --dead-letter kafka://… (the bad message as
// the value, reason and location as headers; exit 74 when the topic refuses it).
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

  const create = async (topic: string, partitions = 1) => {
    const r = await sluice(['kafka', 'create', topic, '--partitions', String(partitions), '-b', B]);
    expect([r.code, r.stderr]).toEqual([0, '']);
  };

  it.skipIf(!ready)('--header NAME=EXPR, repeatable, over the @headers a message was read with; kcat -f %h sees them', async () => {
    const [first, second] = [uniqueTopic('hdr-a'), uniqueTopic('hdr-b')];
    await Promise.all([create(first), create(second)]);
    const w = await sluice(['set n = id', '--to', `kafka://${B}/${first}`, '--header', 'svc=service', '--header', 'trace=id * 2', '--header', 'none=missing'],
      { input: '{"service":"api","id":7}\n{"service":"db","id":8}\n' });
    expect([w.code, w.stderr]).toEqual([0, '']);
    const seen = await kcat(['-b', B, '-C', '-t', first, '-e', '-q', '-f', '%h|%s\n']);
    expect(seen.stdout).toBe('svc=api,trace=14|{"service":"api","id":7,"n":7}\nsvc=db,trace=16|{"service":"db","id":8,"n":8}\n');

    // read with headers (kcat -H), carried through, one overridden and one added
    const k = await kcat(['-b', B, '-P', '-t', first, '-H', 'x=1', '-H', 'y=2'], '{"a":1}\n');
    expect(k.code).toBe(0);
    const copy = await sluice(['where a == 1', `kafka://${B}/${first}`, '-e', '--to', `kafka://${B}/${second}`, '--header', 'y=@headers.y + "b"', '--header', 'at=@offset']);
    expect([copy.code, copy.stderr]).toEqual([0, '']);
    const copied = await kcat(['-b', B, '-C', '-t', second, '-e', '-q', '-f', '%h|%s\n']);
    expect(copied.stdout).toBe('x=1,y=2b,at=2|{"a":1}\n');
  }, 60_000);

  it.skipIf(!ready)('--compression gzip, snappy, lz4 and zstd: kcat reads back every message', async () => {
    const topic = uniqueTopic('codec');
    await create(topic);
    const input = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, text: 'the same words again and again '.repeat(3) })).join('\n') + '\n';
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      const w = await sluice(['set codec = $c', '--arg', 'c', codec, '--to', `kafka://${B}/${topic}`, '--compression', codec], { input });
      expect([codec, w.code, w.stderr]).toEqual([codec, 0, '']);
    }
    const back = await kcat(['-b', B, '-C', '-t', topic, '-e', '-q', '-f', '%s\n']);
    expect(back.code).toBe(0);
    const got = records(back.stdout) as { i: number; codec: string }[];
    expect(got).toHaveLength(1200);
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      expect(got.filter((r) => r.codec === codec).map((r) => r.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
  }, 60_000);

  it.skipIf(!ready)('--dead-letter kafka://…/TOPIC: each bad message with sluice-reason and sluice-location headers; a missing topic is exit 69', async () => {
    const [input, dead] = [uniqueTopic('dl-in'), uniqueTopic('dl-out')];
    await Promise.all([create(input), create(dead)]);
    await produce(B, input, 0, ['{"n":1}', 'oops', '{"n":2}', '{"n":']);
    const r = await sluice(['select n', `kafka://${B}/${input}`, '-I', 'json', '-e', '--dead-letter', `kafka://${B}/${dead}`, '--stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"n":1}\n{"n":2}\n');
    expect(r.stderr).toMatch(/bad input +2/);
    const seen = await kcat(['-b', B, '-C', '-t', dead, '-e', '-q', '-f', '%h|%s\n']);
    expect(seen.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^sluice-reason=[^,]+,sluice-location=${input}/0@1\\|oops$`)),
      expect.stringMatching(new RegExp(`^sluice-reason=invalid JSON[^,]*,sluice-location=${input}/0@3\\|\\{"n":$`)),
    ]);

    const missing = uniqueTopic('dl-missing');
    const gone = await sluice(['select n', `kafka://${B}/${input}`, '-e', '--dead-letter', `kafka://${B}/${missing}`]);
    expect([gone.code, gone.stdout, gone.stderr]).toEqual([69, '', `sluice: kafka: topic '${missing}' does not exist on ${B}\n`]);
  }, 60_000);

  it.skipIf(!ready)('--dead-letter kafka://…: a dead letter the topic refuses (too large) is exit 74 saying how many were written', async () => {
    const dead = uniqueTopic('dl-small');
    const made = await sluice(['kafka', 'create', dead, '--config', 'max.message.bytes=2000', '-b', B]);
    expect(made.code).toBe(0);
    const r = await sluice(['select a', '-', '--dead-letter', `kafka://${B}/${dead}`], { input: `{"a":1}\n${'x'.repeat(5000)}\n` });
    expect(r.code).toBe(74);
    expect(r.stderr).toBe(`sluice: writing the dead-letter topic '${dead}' failed after 0 dead letters: The request included a message larger than the max message size the server will accept\n`);
  }, 60_000);
});
