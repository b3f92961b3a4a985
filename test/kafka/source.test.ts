// Reading Kafka with bin/sluice: messages produced by kcat (librdkafka) with keys, headers and
// every codec, read back exactly; --offset in all its forms, --partition, --count, several topics,
// @-metadata in expressions, bad messages, and failures (unreachable broker, missing topic).
import { createServer } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { cleanEnv, createTopics, haveKcat, kcatProduce, kcatRead, lines, records, sluice } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describeKafka('kafka source', () => {
  const B = kafkaBrokers() as string;
  const meta = uniqueTopic('src-meta'); // 1 partition: keys, headers, json/logfmt/text values
  const ten = uniqueTopic('src-ten'); // 1 partition: n=0..9, a pause between 4 and 5
  const three = uniqueTopic('src-three'); // 3 partitions, produced per partition
  const other = uniqueTopic('src-other'); // 1 partition, 2 messages
  const bad = uniqueTopic('src-bad');
  const proj = uniqueTopic('src-proj'); // 1 partition: JSON values of every shape, logfmt, text, a bad one
  const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
  const codecTopic = Object.fromEntries(codecs.map((c) => [c, uniqueTopic(`src-${c}`)]));
  let between = 0; // a time between message 4 and message 5 of `ten`

  beforeAll(async () => {
    if (!haveKcat) return;
    await createTopics(B, { [meta]: 1, [ten]: 1, [three]: 3, [other]: 1, [bad]: 1, [proj]: 1, ...Object.fromEntries(codecs.map((c) => [codecTopic[c], 1])) });
    await kcatProduce(B, meta, ['k1\t{"user":"ann","n":1}', 'k2\tlevel=info msg="all good" n=2'], ['-K', '\t', '-H', 'trace=abc', '-H', 'src=test']);
    await kcatProduce(B, meta, ['just some text', '[1,2,3]']);
    await kcatProduce(B, ten, [0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
    await sleep(1100);
    between = Date.now() - 500;
    await kcatProduce(B, ten, [5, 6, 7, 8, 9].map((n) => `{"n":${n}}`));
    await Promise.all([0, 1, 2].map((p) => kcatProduce(B, three, [`{"p":${p},"i":0}`, `{"p":${p},"i":1}`], ['-p', String(p)])));
    await kcatProduce(B, other, ['{"t":"other","i":0}', '{"t":"other","i":1}']);
    await kcatProduce(B, bad, ['{"ok":1}', '{"broken', '{"ok":2}']);
    await kcatProduce(B, proj, [
      '{"n":1,"s":"a","x":{"n":-1,"s":"no"}}', '{"s":"b","n":2,"n":3}', '{"s\\u0062":"esc","n":4,"s":"d"}', '{"n":5,"s":"e","big":12345678901234567891}',
      '[1,2]', 'n=6 s=f', 'just text', '{"n":7,"s":"\\"n\\":0"}', '{"n":', '{"n":8,"s":"g","deep":[[[{"n":0}]]]}',
    ]);
    await kcatProduce(B, proj, ['{"n":9,', '"s":"h"}'], ['-D', '#']); // one value of two lines
    await Promise.all(codecs.map((c) => kcatProduce(B, codecTopic[c], ['{"c":1,"s":"aaaaaaaaaaaaaaaaaaaaaaaa"}', '{"c":2,"s":"aaaaaaaaaaaaaaaaaaaaaaaa"}', 'plain text'], ['-z', c])));
    // the fixture as an independent client sees it
    expect(lines((await kcatRead(B, meta, ['-f', '%o %k %s\n'])).stdout)).toEqual([
      '0 k1 {"user":"ann","n":1}', '1 k2 level=info msg="all good" n=2', '2  just some text', '3  [1,2,3]',
    ]);
  }, 60_000);

  const read = async (args: string[]) => {
    const r = await sluice(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  it.skipIf(!haveKcat)('a topic and no program: every message as it is, JSON kept byte for byte, logfmt and text decoded', async () => {
    expect(await read([`kafka://${B}/${meta}`, '-e'])).toBe([
      '{"user":"ann","n":1}',
      '{"level":"info","msg":"all good","n":2}',
      '{"line":"just some text"}',
      '[1,2,3]',
      '',
    ].join('\n'));
  });

  it.skipIf(!haveKcat)('@key, @headers, @partition, @offset, @topic and @timestamp in expressions', async () => {
    const out = records(await read(['where @offset < 3 | set k = @key, h = @headers, p = @partition, o = @offset, t = @topic, recent = @timestamp > 1700000000000 | select k, h, p, o, t, recent', `kafka://${B}/${meta}`, '-e']));
    expect(out).toEqual([
      { k: 'k1', h: { trace: 'abc', src: 'test' }, p: 0, o: 0, t: meta, recent: true },
      { k: 'k2', h: { trace: 'abc', src: 'test' }, p: 0, o: 1, t: meta, recent: true },
      { k: null, h: null, p: 0, o: 2, t: meta, recent: true },
    ]);
    expect(records(await read(['where @key == "k2" | select n', `kafka://${B}/${meta}`, '-e']))).toEqual([{ n: 2 }]);
  });

  it.skipIf(!haveKcat)('every codec kcat writes (gzip, snappy, lz4, zstd) reads back exactly', async () => {
    for (const c of codecs) {
      expect(await read([`kafka://${B}/${codecTopic[c]}`, '-e']), c).toBe(
        '{"c":1,"s":"aaaaaaaaaaaaaaaaaaaaaaaa"}\n{"c":2,"s":"aaaaaaaaaaaaaaaaaaaaaaaa"}\n{"line":"plain text"}\n');
    }
  });

  it.skipIf(!haveKcat)('--offset beginning, end, N, -N, @epoch-ms, @ISO, @-1h; -o end -e reads nothing', async () => {
    const ns = async (offset: string) => records(await read(['select n', `kafka://${B}/${ten}`, '-e', '--offset', offset])).map((r) => (r as { n: number }).n);
    expect(await ns('beginning')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ns('end')).toEqual([]);
    expect(await ns('7')).toEqual([7, 8, 9]);
    expect(await ns('-2')).toEqual([8, 9]);
    expect(await ns('-20')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ns(`@${between}`)).toEqual([5, 6, 7, 8, 9]);
    expect(await ns(`@${new Date(between).toISOString()}`)).toEqual([5, 6, 7, 8, 9]);
    expect(await ns('@-1h')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ns(`@${Date.now() + 3_600_000}`)).toEqual([]);
  });

  it.skipIf(!haveKcat)('--count N stops after N messages; -e alone stops at the end', async () => {
    expect(records(await read(['select n', `kafka://${B}/${ten}`, '--count', '3']))).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(records(await read(['select n', `kafka://${B}/${ten}`, '-c', '2', '-o', '-4']))).toEqual([{ n: 6 }, { n: 7 }]);
  });

  it.skipIf(!haveKcat)('--partition reads only those partitions, in offset order within each', async () => {
    expect(await read([`kafka://${B}/${three}`, '-e', '--partition', '1'])).toBe('{"p":1,"i":0}\n{"p":1,"i":1}\n');
    const two = lines(await read([`kafka://${B}/${three}`, '-e', '-p', '0,2']));
    expect(two.sort()).toEqual(['{"p":0,"i":0}', '{"p":0,"i":1}', '{"p":2,"i":0}', '{"p":2,"i":1}']);
    const all = records(await read(['set at = @partition', `kafka://${B}/${three}`, '-e'])) as { p: number; i: number; at: number }[];
    expect(all).toHaveLength(6);
    for (const r of all) expect(r.at).toBe(r.p);
    for (const p of [0, 1, 2]) expect(all.filter((r) => r.p === p).map((r) => r.i)).toEqual([0, 1]);
  });

  it.skipIf(!haveKcat)('several topics in one address, and several addresses', async () => {
    const both = lines(await read(['set topic = @topic', `kafka://${B}/${other},${ten}`, '-e', '-o', '-1']));
    expect(both.sort()).toEqual([`{"t":"other","i":1,"topic":"${other}"}`, `{"n":9,"topic":"${ten}"}`].sort());
    const two = lines(await read(['select @topic as topic', `kafka://${B}/${other}`, `kafka:${ten}`, '-e', '-b', B]));
    expect(two).toEqual([...Array(2).fill(`{"topic":"${other}"}`), ...Array(10).fill(`{"topic":"${ten}"}`)]);
  });

  it.skipIf(!haveKcat)('a message that is not JSON: exit 65 naming topic/partition@offset; skipped and counted with --on-error skip', async () => {
    const r = await sluice([`kafka://${B}/${bad}`, '-e']);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(`${bad}/0@1`);
    // as with a file: what came before the bad message is written, nothing after it
    expect(r.stdout).toBe('{"ok":1}\n');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const s = await sluice([`kafka://${B}/${bad}`, '-e', '--on-error', 'skip', '--stats']);
    expect(s.code).toBe(0);
    expect(s.stdout).toBe('{"ok":1}\n{"ok":2}\n');
    const w = await sluice([`kafka://${B}/${bad}`, '-e', '--on-error', 'warn']);
    expect(w.stderr).toContain(`${bad}/0@1`);
    expect(w.stdout).toBe('{"ok":1}\n{"ok":2}\n');
  });

  it.skipIf(!haveKcat)('a program that reads a few fields decodes only those from JSON values: the same output, bad values and stats as whole records', async () => {
    const programs = ['where n > 2', 'where true', 'select n, s', 'count() by s', 'where s == "b" | head 1', 'where n >= 5 | sort n desc | select n'];
    for (const program of programs) {
      for (const more of [['--on-error', 'skip', '--stats'], []]) {
        const args = [program, `kafka://${B}/${proj}`, '-e', ...more];
        const projected = await sluice(args);
        const whole = await sluice(args, { env: cleanEnv({ SLUICE_PROJECTION: '0' }) });
        const timeless = (t: string) => t.replace(/[0-9.]+ ?(ms|s)\b/g, 'T').replace(/[0-9,.]+ (records|messages)\/s/g, 'R');
        expect([projected.code, projected.stdout, timeless(projected.stderr)], `${program} ${more.join(' ')}`).toEqual([whole.code, whole.stdout, timeless(whole.stderr)]);
      }
    }
    // what the whole records give, checked by hand once
    expect((await sluice(['where n > 2', `kafka://${B}/${proj}`, '-e', '--on-error', 'skip'])).stdout).toBe([
      '{"s":"b","n":2,"n":3}', '{"s\\u0062":"esc","n":4,"s":"d"}', '{"n":5,"s":"e","big":12345678901234567891}', '{"n":6,"s":"f"}',
      '{"n":7,"s":"\\"n\\":0"}', '{"n":8,"s":"g","deep":[[[{"n":0}]]]}', '{"n":9,"s":"h"}', '',
    ].join('\n'));
    const failed = await sluice(['where n > 2', `kafka://${B}/${proj}`, '-e']);
    expect(failed.code).toBe(65);
    expect(failed.stderr).toContain(`${proj}/0@8`);
  });

  it('an unreachable broker: exit 69 within --timeout, naming the broker, no stack trace', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await sluice([`kafka://127.0.0.1:${port}/t`, '-e', '--timeout', '2s']);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(new RegExp(`^sluice: kafka: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const w = await sluice(['where true', '--to', `kafka://127.0.0.1:${port}/t`, '--timeout', '2s'], { input: '{"a":1}\n' });
    expect(w.code).toBe(69);
    expect(w.stderr).toContain(`127.0.0.1:${port}`);
  });

  it('a missing topic: exit 69 naming it, for reading and for writing', async () => {
    const missing = uniqueTopic('src-missing');
    const r = await sluice([`kafka://${B}/${missing}`, '-e']);
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(`sluice: kafka: topic '${missing}' does not exist on ${B}\n`);
    const w = await sluice(['where true', '--to', `kafka://${B}/${missing}`], { input: '{"a":1}\n' });
    expect(w.code).toBe(69);
    expect(w.stderr).toBe(`sluice: kafka: topic '${missing}' does not exist on ${B}\n`);
  });

  it('bad Kafka options are usage errors (exit 2) before anything connects', async () => {
    const x = await sluice([`kafka://${B}/t`, '-X', 'no.such.setting=1']);
    expect(x.code).toBe(2);
    expect(x.stderr).toContain('-X no.such.setting: unknown Kafka setting');
    expect(x.stderr).toContain('sasl.mechanism');
    const o = await sluice([`kafka://${B}/t`, '--offset', 'yesterday']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("--offset 'yesterday'");
    const s = await sluice([`kafka://${B}/t`, '--offset', 'stored']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--group');
  });
});
