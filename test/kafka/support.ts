// Helpers for the Kafka source/sink/delivery tests: topics made with sluice's own admin client
// (fast; Kafka's TopicCommand is checked by the inspection tests), messages produced and read back
// with kcat (librdkafka: a client that is not sluice), and sluice processes that a test can
// watch, signal and kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { withAdmin } from '../../src/kafka/client.js';
import { cleanEnv, kcat, lines, type Ran } from './cli.js';

export { cleanEnv, haveKcat, kcat, lines, records, sluice } from './cli.js';

const SLUICE = resolve(__dirname, '..', '..', 'bin', 'sluice');

/** Creates the topics and waits until every partition has a leader (a fresh broker may lag). */
export async function createTopics(brokers: string, topics: { [topic: string]: number }): Promise<void> {
  await withAdmin({ brokers: [brokers], settings: {}, timeoutMs: 20_000, clientId: 'sluice-tests' }, async (admin) => {
    const ok = await admin.createTopics({
      topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: false,
    });
    if (!ok) throw new Error(`topics ${Object.keys(topics).join(',')} already exist`);
    for (let i = 0; ; i++) {
      const meta = await admin.fetchTopicMetadata({ topics: Object.keys(topics) }).catch(() => null);
      const ready = meta !== null && meta.topics.length === Object.keys(topics).length &&
        meta.topics.every((t) => t.partitions.length === topics[t.name] && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
      if (i >= 300) throw new Error(`topics ${Object.keys(topics).join(',')} have no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/** kcat -P; `extra` are kcat options (-K, -H, -z, -p ...). Throws when kcat fails. */
export async function kcatProduce(brokers: string, topic: string, input: string[], extra: string[] = []): Promise<void> {
  const r = await kcat(['-b', brokers, '-P', '-t', topic, '-X', 'acks=all', ...extra], input.map((l) => `${l}\n`).join(''));
  if (r.code !== 0) throw new Error(`kcat -P ${topic} failed: ${r.stderr}`);
}

/** Everything in `topic` now, read by kcat from the beginning to the end. */
export async function kcatRead(brokers: string, topic: string, extra: string[] = []): Promise<Ran> {
  const r = await kcat(['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', ...extra]);
  if (r.code !== 0) throw new Error(`kcat -C ${topic} failed: ${r.stderr}`);
  return r;
}

/** A running sluice whose output the test can watch. */
export class Running {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  private readonly t0 = performance.now();

  constructor(args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
    this.child = spawn(process.execPath, [SLUICE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.exited = new Promise((done) => {
      this.child.on('close', (code, signal) => done({ code, signal, ms: performance.now() - this.t0 }));
    });
  }

  /** Complete output lines so far (a line cut by a kill is left out). */
  lines(): string[] {
    const end = this.stdout.lastIndexOf('\n');
    return end < 0 ? [] : lines(this.stdout.slice(0, end));
  }

  /** Resolves once at least `n` complete lines were written; rejects after `ms`. */
  async waitForLines(n: number, ms = 30_000): Promise<void> {
    const until = performance.now() + ms;
    while (this.lines().length < n) {
      if (performance.now() > until) throw new Error(`sluice wrote ${this.lines().length} of ${n} lines in ${ms} ms; stderr: ${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`sluice exited (${this.child.exitCode}) after ${this.lines().length} lines; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export function countBy<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const adminOf = <T>(brokers: string, fn: Parameters<typeof withAdmin<T>>[1]) =>
  withAdmin({ brokers: [brokers], settings: {}, timeoutMs: 10_000, clientId: 'sluice-tests' }, fn);

/** Waits until `group` is Stable with `members` members; `why()` adds to the error when it never is. */
export function groupStable(brokers: string, group: string, members: number, why: () => string): Promise<void> {
  return adminOf(brokers, async (a) => {
    for (let i = 0; ; i++) {
      const g = (await a.describeGroups([group]).catch(() => null))?.groups[0];
      if (g && g.state === 'Stable' && g.members.length === members) return;
      if (i > 600) throw new Error(`group ${group} did not settle with ${members} members: ${JSON.stringify(g)}; ${why()}`);
      await sleepMs(50);
    }
  });
}

/**
 * Polls the offsets `group` committed on `topic` (summed over partitions) every `everyMs` until
 * `enough(sum)` or `stop()` says so; resolves to the last sum.
 */
export function untilCommitted(brokers: string, group: string, topic: string, enough: (sum: number) => boolean,
  o: { everyMs?: number; tries?: number; stop?: () => boolean } = {}): Promise<number> {
  return adminOf(brokers, async (admin) => {
    let done = 0;
    for (let i = 0; i < (o.tries ?? Infinity) && !(o.stop?.() ?? false); i++) {
      const t = await admin.fetchOffsets({ groupId: group, topics: [topic] }).then((r) => r[0], () => undefined);
      done = (t?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      if (enough(done)) break;
      await sleepMs(o.everyMs ?? 5);
    }
    return done;
  });
}
