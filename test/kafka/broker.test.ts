// Smoke test of the test broker with clients that are not sluice: Kafka's own admin and console
// tools (from the same Maven classpath) and, when installed, kcat (librdkafka).
import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { kafkaPrerequisites, resolveKafka, runKafkaTool, type KafkaDist } from './broker.js';
import { describeKafka, kafkaBrokers, kafkaVersion, uniqueTopic } from './helpers.js';

const MESSAGES = ['one', 'two words', '{"n":3,"s":"wörld ✓"}'];
const haveJava = kafkaPrerequisites().missing.length === 0;
const haveKcat = !spawnSync('kcat', ['-V']).error;

function kcat(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);

describeKafka('test broker, seen by independent clients', () => {
  const brokers = kafkaBrokers() as string;
  let dist: KafkaDist;

  beforeAll(async () => {
    // The Java tools come from the same cached Maven classpath as the broker (no Maven run).
    if (haveJava) dist = await resolveKafka(kafkaVersion() ?? undefined);
  }, 600_000);

  async function createTopic(topic: string): Promise<void> {
    const r = await runKafkaTool(dist, dist.classes.topicCommand, [
      '--bootstrap-server', brokers, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1',
    ]);
    expect(r.stderr + r.stdout).toContain(`Created topic ${topic}.`);
    expect(r.code).toBe(0);
  }

  it.skipIf(!haveJava)('creates a topic, produces 3 messages and consumes them back with Kafka\'s console tools', async () => {
    const topic = uniqueTopic('sluice-smoke-java');
    await createTopic(topic);

    const described = await runKafkaTool(dist, dist.classes.topicCommand, ['--bootstrap-server', brokers, '--describe', '--topic', topic]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/PartitionCount:\s*1\b/);

    const produced = await runKafkaTool(dist, dist.classes.consoleProducer, [
      '--bootstrap-server', brokers, '--topic', topic, '--producer-property', 'acks=all',
    ], { input: `${MESSAGES.join('\n')}\n` });
    expect(produced.stderr).not.toMatch(/ERROR|Exception/);
    expect(produced.code).toBe(0);

    const consumed = await runKafkaTool(dist, dist.classes.consoleConsumer, [
      '--bootstrap-server', brokers, '--topic', topic, '--from-beginning', '--max-messages', '3', '--timeout-ms', '30000',
    ]);
    expect(consumed.code).toBe(0);
    expect(lines(consumed.stdout)).toEqual(MESSAGES);
    expect(consumed.stderr).toContain('Processed a total of 3 messages');
  }, 180_000);

  it.skipIf(!haveKcat || !haveJava)('produces 3 messages and consumes them back with kcat (librdkafka)', async () => {
    const topic = uniqueTopic('sluice-smoke-kcat');
    await createTopic(topic); // kcat cannot create topics, and the test broker does not auto-create them

    const meta = await kcat(['-b', brokers, '-L', '-t', topic, '-m', '30']);
    expect(meta.code).toBe(0);
    expect(meta.stdout).toContain(`topic "${topic}" with 1 partitions`);

    const produced = await kcat(['-b', brokers, '-P', '-t', topic, '-X', 'acks=all'], `${MESSAGES.join('\n')}\n`);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);

    const consumed = await kcat(['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-c', '3', '-e', '-q', '-m', '30']);
    expect(consumed.code).toBe(0);
    expect(lines(consumed.stdout)).toEqual(MESSAGES);
  }, 120_000);
});
