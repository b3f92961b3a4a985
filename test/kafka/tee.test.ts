// tee to Kafka: one run keeps the raw stream in a topic (read back with kcat, a client that is not
// sluice) and writes a filtered view; and tee to a file while reading a topic in a group: offsets
// are committed only after what tee wrote is flushed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, haveKcat, kcatProduce, kcatRead, lines, sluice } from './support.js';

describeKafka('tee', () => {
  const B = kafkaBrokers() as string;
  const raw = uniqueTopic('tee-raw');
  const input = uniqueTopic('tee-in');
  const events = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, level: i % 10 === 0 ? 'error' : 'info' }));

  beforeAll(async () => {
    await createTopics(B, { [raw]: 1, [input]: 2 });
    if (haveKcat) {
      await kcatProduce(B, input, events.slice(0, 100), ['-p', '0']);
      await kcatProduce(B, input, events.slice(100), ['-p', '1']);
    }
  }, 60_000);

  it.skipIf(!haveKcat)('tee kafka://… while reading a file: the topic holds every record, stdout the filtered view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tee-'));
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, events.join('\n') + '\n');
    const r = await sluice([`tee 'kafka://${B}/${raw}' | where level == "error" | select i`, file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(events.filter((e) => e.includes('error')).map((e) => JSON.stringify({ i: JSON.parse(e).i })));
    expect(lines((await kcatRead(B, raw)).stdout)).toEqual(events);
  });

  it.skipIf(!haveKcat)('reading a topic in a group with tee to a file: every record in the file, offsets committed to the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tee-'));
    const group = uniqueTopic('tee-group');
    const teeFile = join(dir, 'raw.ndjson');
    const r = await sluice([`tee ${JSON.stringify(teeFile)} | where level == "error"`, `kafka://${B}/${input}`, '--group', group, '-e']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(20);
    expect([...lines(readFileSync(teeFile, 'utf8'))].sort()).toEqual([...events].sort());
    const lag = await sluice(['kafka', 'lag', group, '-b', B, '-O', 'ndjson']);
    expect(lag.code, lag.stderr).toBe(0);
    const rows = lines(lag.stdout).map((l) => JSON.parse(l) as { partition: number; lag: number });
    expect(rows.filter((x) => x.partition !== undefined).map((x) => x.lag)).toEqual([0, 0]);
  });
});
