// Reads leave no trace: a read without --group (kcat's way: -o, -e, --partition, --count, head,
// --state FILE), the per-partition state store and the inspection commands make no consumer group
// on the cluster, as `sluice kafka groups` and Kafka's own kafka-consumer-groups both say. Only a
// group the user names with --group is made.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaPrerequisites, resolveKafka, runKafkaTool, type KafkaDist } from './broker.js';
import { createTopic, haveKcat, produce, records, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, kafkaVersion, uniqueTopic } from './helpers.js';

const ready = haveKcat && kafkaPrerequisites().missing.length === 0;

describeKafka('reads leave no trace (no consumer group without --group)', () => {
  const B = kafkaBrokers() as string;
  const topic = uniqueTopic('trace');
  const named = uniqueTopic('g-trace-named');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-trace-'));
  let dist: KafkaDist;

  beforeAll(async () => {
    if (!ready) return;
    dist = await resolveKafka(kafkaVersion() ?? undefined);
    await createTopic(dist, B, topic, 3);
    await Promise.all([0, 1, 2].map((p) => produce(B, topic, p, [1, 2, 3, 4, 5].map((n) => JSON.stringify({ p, n })))));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sluiceGroups = async (): Promise<string[]> => {
    const r = await sluice(['kafka', 'groups', '-b', B]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return (records(r.stdout) as { group: string }[]).map((g) => g.group);
  };
  /** kafka-consumer-groups --list: the broker's own answer */
  const kafkaGroups = async (): Promise<string[]> => {
    const r = await runKafkaTool(dist, dist.classes.consumerGroupCommand, ['--bootstrap-server', B, '--list'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  };
  const read = async (args: string[]): Promise<unknown[]> => {
    const r = await sluice(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return records(r.stdout);
  };
  /** groups that appeared meanwhile, but those of other test files running in parallel (named by uniqueTopic) */
  const appeared = (before: string[], after: string[]) =>
    after.filter((g) => !before.includes(g) && (g === named || !/-[0-9a-z]{8}-[0-9a-z]{1,6}$/.test(g)));

  it.skipIf(!ready)('kcat-style reads, --state FILE, topics/describe/groups/lag: no new group but the one named with --group', async () => {
    const [before, kafkaBefore] = await Promise.all([sluiceGroups(), kafkaGroups()]);
    const uri = `kafka://${B}/${topic}`;

    const last2 = (await read([uri, '-o', '-2', '-e'])) as { p: number; n: number }[];
    expect(last2.map((r) => `${r.p}:${r.n}`).sort()).toEqual(['0:4', '0:5', '1:4', '1:5', '2:4', '2:5']);
    expect(await read([uri, '-e', '--partition', '1'])).toEqual([1, 2, 3, 4, 5].map((n) => ({ p: 1, n })));
    expect(await read([uri, '--count', '4'])).toHaveLength(4);
    expect(await read(['head 3', uri])).toHaveLength(3);
    // --state FILE without --group keeps the positions in the file: the second run reads only what came after
    const state = join(dir, 'count.state');
    expect(await read(['count() as c', uri, '-e', '--state', state])).toEqual([{ c: 15 }]);
    await produce(B, topic, 2, ['{"p":2,"n":6}']);
    expect(await read(['select n', uri, '-e', '--state', join(dir, 'select.state')])).toHaveLength(16);
    expect(await read(['select n', uri, '-e', '--state', join(dir, 'select.state')])).toEqual([]);
    expect(await read(['count() as c', uri, '-e', '--state', state])).toEqual([{ c: 1 }]);

    // the inspection tour, with a group the user asked for
    expect(await read([uri, '-e', '-G', named, '--count', '2'])).toHaveLength(2);
    expect((await read(['kafka', 'topics', '-b', B])).length).toBeGreaterThan(0);
    expect(await read(['kafka', 'describe', topic, '-b', B])).toHaveLength(3);
    expect(await read(['kafka', 'lag', named, '-b', B])).toHaveLength(3);

    const [after, kafkaAfter] = await Promise.all([sluiceGroups(), kafkaGroups()]);
    expect(appeared(before, after)).toEqual([named]);
    expect(appeared(kafkaBefore, kafkaAfter)).toEqual([named]);
    // and none of the names sluice used to make up (sluice-<uuid>, sluice-state-<uuid>)
    expect(after.filter((g) => g.startsWith('sluice-'))).toEqual([]);
  }, 120_000);
});
