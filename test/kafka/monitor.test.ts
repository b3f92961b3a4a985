// Issue #11 item 5: the lag of each Kafka partition in --stats-every and --metrics. sluice reads
// a two-partition topic into a stdout that nobody reads yet: the pipe fills, backpressure pauses
// the consumer, and the lag (messages beyond what was read, per partition) is above zero; once
// stdout is read, sluice catches up and the lag of both partitions falls to 0.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { cleanEnv, createTopics, kcatProduce } from './support.js';

const SLUICE = resolve(__dirname, '..', '..', 'bin', 'sluice');
const N = 20_000;

async function until<T>(what: string, get: () => Promise<T | null> | T | null, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeKafka('Kafka lag in --stats-every and --metrics', () => {
  it('per partition: above 0 while the output holds sluice back, 0 once it has caught up', async () => {
    const B = kafkaBrokers()!;
    const topic = uniqueTopic('lag');
    await createTopics(B, { [topic]: 2 });
    const pad = 'x'.repeat(100);
    // keyed, so that both partitions get messages
    await kcatProduce(B, topic, Array.from({ length: N }, (_, i) => `k${i % 7}|{"i":${i},"pad":"${pad}"}`), ['-K', '|']);

    const child = spawn(process.execPath, [SLUICE, '--stats-every', '200ms', '--stats-format', 'ndjson', '--metrics', '127.0.0.1:0',
      'where true', `kafka://${B}/${topic}`], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.stdout!.pause(); // nobody reads: the pipe fills and sluice waits
    try {
      const url = await until('the metrics address', () => /metrics on (http:\S+)/.exec(stderr)?.[1] ?? null);
      const lagOf = (text: string) => [...text.matchAll(/^sluice_kafka_lag\{partition="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])] as const);
      const behind = await until('a lag above 0', async () => {
        const l = lagOf(await (await fetch(url)).text());
        return l.some(([, n]) => n > 0) ? l : null;
      });
      expect(behind.every(([p]) => p === `${topic}/0` || p === `${topic}/1`)).toBe(true);
      const line = await until('an interval line with a lag above 0', () =>
        stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kafka_lag?: Record<string, number> })
          .find((l) => l.kafka_lag !== undefined && Object.values(l.kafka_lag).some((n) => n > 0)) ?? null);
      expect(Object.keys(line.kafka_lag!).every((p) => p.startsWith(`${topic}/`))).toBe(true);

      let out = 0;
      child.stdout!.on('data', (b: Buffer) => { for (const c of b) if (c === 10) out++; });
      child.stdout!.resume();
      await until('all records written', () => (out === N ? true : null));
      const caught = await until('both partitions at lag 0', async () => {
        const l = lagOf(await (await fetch(url)).text());
        return l.length === 2 && l.every(([, n]) => n === 0) ? l : null;
      });
      expect(caught.map(([p]) => p).sort()).toEqual([`${topic}/0`, `${topic}/1`]);
    } finally {
      child.kill('SIGINT');
    }
  }, 180_000);
});
