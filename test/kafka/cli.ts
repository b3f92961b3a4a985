// Running things from Kafka tests: bin/sluice (as a user would, in a pipe), kcat, and Kafka's own
// TopicCommand to create topics (kcat cannot, and the test broker does not auto-create them).
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { runKafkaTool, type KafkaDist } from './broker.js';

const ROOT = resolve(__dirname, '..', '..');
const SLUICE = resolve(ROOT, 'bin', 'sluice');

export const haveKcat = !spawnSync('kcat', ['-V']).error;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', fail);
    child.on('close', (code) => { clearTimeout(timer); done({ code, stdout, stderr, ms: performance.now() - t0 }); });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** The environment sluice sees in tests: no colour settings, no SLUICE_BROKERS unless given. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'SLUICE_DEBUG']) delete env[k];
  for (const k of ['SLUICE_BROKERS', 'SLUICE_KAFKA_CONFIG', 'KCAT_CONFIG']) if (!(k in extra)) delete env[k];
  return env;
}

export function sluice(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return run(process.execPath, [SLUICE, ...args], { input: opts.input, env: opts.env ?? cleanEnv() });
}

export function kcat(args: string[], input?: string): Promise<Ran> {
  return run('kcat', args, { input });
}

/** Create a topic with Kafka's TopicCommand (a JVM start: about 2 s). */
export async function createTopic(dist: KafkaDist, brokers: string, topic: string, partitions: number, configs: { [k: string]: string } = {}): Promise<void> {
  const r = await runKafkaTool(dist, dist.classes.topicCommand, [
    '--bootstrap-server', brokers, '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '1',
    ...Object.entries(configs).flatMap(([k, v]) => ['--config', `${k}=${v}`]),
  ]);
  if (r.code !== 0 || !(r.stdout + r.stderr).includes(`Created topic ${topic}.`)) {
    throw new Error(`creating ${topic} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  }
}

/** Produce lines to one partition with kcat, acks=all. */
export async function produce(brokers: string, topic: string, partition: number, lines: string[]): Promise<void> {
  const r = await kcat(['-b', brokers, '-P', '-t', topic, '-p', String(partition), '-X', 'acks=all'], lines.map((l) => `${l}\n`).join(''));
  if (r.code !== 0) throw new Error(`kcat -P ${topic}/${partition} failed: ${r.stderr}`);
}

export const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);
export const records = (s: string): unknown[] => lines(s).map((l) => JSON.parse(l) as unknown);
