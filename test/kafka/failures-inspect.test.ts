// `sluice kafka …` when things go wrong: nothing listening (a closed port), a peer that accepts
// connections and never answers, a missing topic or group, and bad arguments. Exit 69 within
// --timeout (plus Node's start-up), one line naming the brokers, no stack trace; exit 2 for usage.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';

const SUBCOMMANDS: [string, string[]][] = [['topics'], ['describe', 'orders'], ['groups'], ['lag', 'billing']].map((a) => [a.join(' '), a]);
/** Node start-up and kafkajs loading on a busy 2-core machine, on top of --timeout. */
const SLACK_MS = 4000;

function listen(onConnection: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(pattern);
  expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('sluice kafka: unreachable brokers', () => {
  let closedPort = 0;
  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const s = await listen(() => undefined);
    closedPort = portOf(s);
    await new Promise((r) => s.close(r));
    silent = await listen((sock) => { sockets.push(sock); sock.on('error', () => undefined); });
  });

  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it.concurrent.each(SUBCOMMANDS)('kafka %s: nothing listening → exit 69 within --timeout', async (_, args) => {
    const b = `127.0.0.1:${closedPort}`;
    const r = await sluice(['kafka', ...args, '-b', b, '--timeout', '1s']);
    expect(r.code).toBe(69);
    expectOneLine(r.stderr, new RegExp(`^sluice: kafka: .*${b.replace(/\./g, '\\.')}.*(ECONNREFUSED|within 1s)`));
    expect(r.stdout).toBe('');
    expect(r.ms).toBeLessThan(1000 + SLACK_MS);
  });

  it.concurrent.each(SUBCOMMANDS)('kafka %s: a peer that never answers → exit 69 within --timeout', async (_, args) => {
    const b = `127.0.0.1:${portOf(silent)}`;
    const r = await sluice(['kafka', ...args, '-b', b, '--timeout', '1500ms']);
    expect(r.code).toBe(69);
    expectOneLine(r.stderr, new RegExp(`^sluice: kafka: ${args.join(' ')}: no answer from ${b.replace(/\./g, '\\.')} within 1500ms\n$`));
    expect(r.ms).toBeLessThan(1500 + SLACK_MS);
  });

  it('SLUICE_BROKERS when -b is not given, and several brokers named in the message', async () => {
    const b = `127.0.0.1:${closedPort},127.0.0.1:${closedPort}`;
    const r = await sluice(['kafka', 'topics', '--timeout', '1s'], { env: cleanEnv({ SLUICE_BROKERS: b }) });
    expect(r.code).toBe(69);
    expectOneLine(r.stderr, new RegExp(`^sluice: kafka: .*${b.replace(/\./g, '\\.')}`));
  });
});

describe('sluice kafka: usage errors (exit 2, before connecting)', () => {
  const b = '127.0.0.1:1';
  const cases: [string[], string][] = [
    [['topcs', '-b', b], "sluice: unknown kafka command 'topcs' — did you mean 'topics'?\nCommands: topics, describe TOPIC, groups, create TOPIC, delete TOPIC, lag GROUP\n"],
    [['lags', 'g', '-b', b], "sluice: unknown kafka command 'lags' — did you mean 'lag'?\nCommands: topics, describe TOPIC, groups, create TOPIC, delete TOPIC, lag GROUP\n"],
    [['-b', b], "sluice: kafka needs a command: topics, describe TOPIC, groups, create TOPIC, delete TOPIC, lag GROUP\nTry 'sluice kafka --help'.\n"],
    [['describe', '-b', b], 'sluice: kafka describe needs a TOPIC: sluice kafka describe TOPIC\n'],
    [['lag', '-b', b], 'sluice: kafka lag needs a GROUP: sluice kafka lag GROUP\n'],
    [['topics', 'extra', '-b', b], "sluice: kafka topics takes no argument, got 'extra'\n"],
    [['describe', 'a/b', '-b', b], "sluice: 'a/b' is not a valid topic name (letters, digits, . _ -)\n"],
    [['topics'], 'sluice: kafka needs brokers: -b HOST:PORT[,HOST:PORT] or SLUICE_BROKERS\n'],
    [['topics', '-b', 'localhost'], "sluice: 'localhost' is not a broker address HOST:PORT\n"],
    [['topics', '-b', b, '--timeout', 'soon'], "sluice: --timeout takes a duration such as 10s, not 'soon'\n"],
    [['topics', '-b', b, '-O', 'xml'], "sluice: option '-O, --output-format <format>' argument 'xml' is invalid. Allowed choices are table, ndjson, json, csv, tsv, logfmt, chart.\nTry 'sluice kafka --help'.\n"],
    [['topics', '-b', b, '--bogus'], "sluice: unknown option '--bogus'\nTry 'sluice kafka --help'.\n"],
    [['groups', '-b', b, '--configs'], 'sluice: --configs goes with kafka describe TOPIC\n'],
    [['topics', '-b', b, '-X', 'novalue'], "sluice: -X: expected key=value, got 'novalue'\n"],
  ];

  it.concurrent.each(cases)('kafka %j', async (args, err) => {
    const r = await sluice(['kafka', ...args]);
    expect(r.stderr).toBe(err);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('an unknown -X setting is refused before connecting, with the list of settings', async () => {
    const r = await sluice(['kafka', 'topics', '-b', b, '-X', 'fetch.wait.max.ms=5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sluice: -X fetch\.wait\.max\.ms: unknown Kafka setting\nsupported -X settings:\n/);
    expect(r.ms).toBeLessThan(SLACK_MS);
  });

  it('kafka --help and kafka help print the help on stdout', async () => {
    for (const args of [['--help'], ['help'], ['topics', '-h']]) {
      const r = await sluice(['kafka', ...args]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^sluice kafka — inspect a cluster/);
      for (const c of ['topics [--all]', 'describe TOPIC', 'groups', 'create TOPIC', 'delete TOPIC --yes', 'lag GROUP']) expect(r.stdout).toContain(`\n  ${c}`);
      expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    }
  });
});

describeKafka('sluice kafka: missing topic or group on a live broker', () => {
  const brokers = kafkaBrokers() as string;

  it.concurrent.each([[['describe']], [['describe', '--configs']]])('kafka %j of a missing topic → exit 69', async (args) => {
    const topic = uniqueTopic('insp-missing');
    const [sub, ...rest] = args;
    const r = await sluice(['kafka', sub!, topic, ...rest, '-b', brokers]);
    expect(r.stderr).toBe(`sluice: topic '${topic}' does not exist (brokers ${brokers})\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(69);
  });

  it('kafka lag of a group that does not exist → exit 69', async () => {
    const group = uniqueTopic('insp-nogroup');
    const r = await sluice(['kafka', 'lag', group, '-b', brokers]);
    expect(r.stderr).toBe(`sluice: consumer group '${group}' does not exist (brokers ${brokers})\n`);
    expect(r.code).toBe(69);
  });
});
