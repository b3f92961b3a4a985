// `sluice kafka topics|describe|groups|lag` against the real test broker. Topics are made with
// Kafka's TopicCommand, messages produced and offsets committed with kcat (librdkafka), so that
// what sluice reports is checked against clients that are not sluice.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaPrerequisites, resolveKafka, type KafkaDist } from './broker.js';
import { cleanEnv, createTopic, haveKcat, kcat, produce, records, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, kafkaVersion, uniqueTopic } from './helpers.js';

const ready = haveKcat && kafkaPrerequisites().missing.length === 0;

describeKafka('sluice kafka (inspection)', () => {
  const brokers = kafkaBrokers() as string;
  const A = uniqueTopic('insp-a'); // 3 partitions, two topic configs; 7+4 / 3+1 / 0 messages
  const B = uniqueTopic('insp-b'); // 1 partition, 2 messages, consumed by a live group member
  const done = uniqueTopic('insp-grp'); // a group that read A to its end, then A grew
  const live = uniqueTopic('insp-live'); // a group with one member and no commits
  let member: ChildProcess | null = null;

  beforeAll(async () => {
    if (!ready) return;
    const dist: KafkaDist = await resolveKafka(kafkaVersion() ?? undefined);
    await Promise.all([
      createTopic(dist, brokers, A, 3, { 'retention.ms': '3600000', 'max.message.bytes': '200000' }),
      createTopic(dist, brokers, B, 1),
    ]);
    await Promise.all([
      produce(brokers, A, 0, ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']),
      produce(brokers, A, 1, ['b0', 'b1', 'b2']),
      produce(brokers, B, 0, ['{"n":1}', '{"n":2}']),
    ]);
    // read A to its end in a group (kcat commits on close), then let A grow by 4 + 1
    const read = await kcat(['-b', brokers, '-G', done, '-o', 'beginning', '-e', '-q', A]);
    expect(read.code).toBe(0);
    expect(read.stdout.split('\n').filter(Boolean)).toHaveLength(10);
    await Promise.all([produce(brokers, A, 0, ['a7', 'a8', 'a9', 'a10']), produce(brokers, A, 1, ['b3'])]);
  }, 120_000);

  afterAll(() => {
    member?.kill('SIGKILL');
  });

  const ndjson = async (args: string[]) => {
    const r = await sluice(['kafka', ...args, '-b', brokers]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return records(r.stdout);
  };

  it.skipIf(!ready)('topics: one record per topic, sorted, internal topics only with --all', async () => {
    const all = (await ndjson(['topics'])) as { topic: string }[];
    const names = all.map((t) => t.topic);
    expect(names).toEqual([...names].sort());
    expect(names.some((n) => n.startsWith('__'))).toBe(false);
    expect(all.filter((t) => t.topic === A || t.topic === B)).toEqual([
      { topic: A, partitions: 3, replication: 1 },
      { topic: B, partitions: 1, replication: 1 },
    ].sort((x, y) => (x.topic < y.topic ? -1 : 1)));

    const withInternal = (await ndjson(['topics', '--all'])) as { topic: string }[];
    expect(withInternal).toContainEqual({ topic: '__consumer_offsets', partitions: 5, replication: 1 });
  });

  it.skipIf(!ready)('describe: leaders, replicas, ISR, low/high offsets and message counts per partition', async () => {
    expect(await ndjson(['describe', A])).toEqual([
      { topic: A, partition: 0, leader: 1, replicas: [1], isr: [1], low: 0, high: 11, messages: 11 },
      { topic: A, partition: 1, leader: 1, replicas: [1], isr: [1], low: 0, high: 4, messages: 4 },
      { topic: A, partition: 2, leader: 1, replicas: [1], isr: [1], low: 0, high: 0, messages: 0 },
    ]);
  });

  it.skipIf(!ready)('describe -O table: the partitions, then the configs that differ from the defaults', async () => {
    const r = await sluice(['kafka', 'describe', A, '-b', brokers, '-O', 'table']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pad = ' '.repeat(A.length - 'topic'.length);
    expect(r.stdout).toBe([
      `topic${pad}  partition  leader  replicas  isr  low  high  messages`,
      `${A}          0       1  [1]       [1]    0    11        11`,
      `${A}          1       1  [1]       [1]    0     4         4`,
      `${A}          2       1  [1]       [1]    0     0         0`,
      '',
      `topic${pad}  config             value    source`,
      `${A}  max.message.bytes  200000   topic`,
      `${A}  retention.ms       3600000  topic`,
      '',
    ].join('\n'));
  });

  it.skipIf(!ready)('describe --configs: the topic configs as records; --all adds the defaults', async () => {
    expect(await ndjson(['describe', A, '--configs'])).toEqual([
      { topic: A, config: 'max.message.bytes', value: '200000', source: 'topic' },
      { topic: A, config: 'retention.ms', value: '3600000', source: 'topic' },
    ]);
    const all = (await ndjson(['describe', A, '--configs', '--all'])) as { config: string }[];
    expect(all).toContainEqual({ topic: A, config: 'retention.ms', value: '3600000', source: 'topic' });
    expect(all).toContainEqual({ topic: A, config: 'cleanup.policy', value: 'delete', source: 'default' });
    expect(all.map((c) => c.config)).toEqual(all.map((c) => c.config).sort());
    // a topic without overrides: no second table, no config records
    expect(await ndjson(['describe', B, '--configs'])).toEqual([]);
    const table = await sluice(['kafka', 'describe', B, '-b', brokers, '-O', 'table']);
    expect(table.stdout.split('\n')).toHaveLength(3);
  });

  it.skipIf(!ready)('groups and lag of a group that read to the end before the topic grew', async () => {
    const groups = await ndjson(['groups']);
    expect(groups).toContainEqual({ group: done, state: 'Empty', protocol: null, members: 0 });
    expect(await ndjson(['lag', done])).toEqual([
      { group: done, topic: A, partition: 0, committed: 7, end: 11, lag: 4 },
      { group: done, topic: A, partition: 1, committed: 3, end: 4, lag: 1 },
      // nothing was ever read from (or committed for) partition 2
      { group: done, topic: A, partition: 2, committed: null, end: 0, lag: 0 },
    ]);
  });

  it.skipIf(!ready)('groups and lag of a live member with no commits: its assignment, lag = end - low', async () => {
    member = spawn('kcat', ['-b', brokers, '-G', live, '-X', 'enable.auto.commit=false', '-q', B], { stdio: 'ignore' });
    let row: unknown;
    for (let i = 0; i < 60 && !row; i++) {
      row = (await ndjson(['groups'])).find((g) => (g as { group: string; state: string }).group === live && (g as { state: string }).state === 'Stable');
      if (!row) await new Promise((r) => setTimeout(r, 250));
    }
    expect(row).toEqual({ group: live, state: 'Stable', protocol: 'range', members: 1 });
    expect(await ndjson(['lag', live])).toEqual([{ group: live, topic: B, partition: 0, committed: null, end: 2, lag: 2 }]);
    member.kill('SIGKILL');
  }, 30_000);

  it.skipIf(!ready)('brokers from SLUICE_BROKERS; -O json; output that sluice reads back', async () => {
    const r = await sluice(['kafka', 'lag', done, '-O', 'json'], { env: cleanEnv({ SLUICE_BROKERS: brokers }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { lag: number }[];
    expect(rows.map((x) => x.lag)).toEqual([4, 1, 0]);
    const summed = await sluice(['sum(lag) as lag by topic'], { input: (await sluice(['kafka', 'lag', done, '-b', brokers])).stdout });
    expect(records(summed.stdout)).toEqual([{ topic: A, lag: 5 }]);
  });
});
