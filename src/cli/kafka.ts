// `sluice kafka topics|describe|groups|lag`: look at a cluster the way kcat -L and
// kafka-topics / kafka-consumer-groups do, but as records, so that the answer is a table on a
// terminal and NDJSON in a pipe (and can be fed back into sluice). One table of subcommands
// feeds the parser, --help and did-you-mean. Everything a subcommand does runs under one
// deadline (--timeout): kafkajs retries forever-ish on its own, so the deadline, not its retry
// budget, decides when an unreachable cluster becomes exit 69.

import { Command, CommanderError, Option } from 'commander';
import { suggestion } from '../errors/diagnostic.js';
import { EXIT, UnavailableError, UsageError } from '../errors/errors.js';
import { encoders, outputFormatList } from '../formats/index.js';
import type { Encoder, OutputFormat } from '../formats/types.js';
import { colorEnabled, colorJsonLine, colorTable, loadChalk } from '../render/color.js';
import { makeEvent, type Rec, type Source } from '../core/event.js';
import { connectAdmin, type ClusterAdmin } from '../kafka/inspect-admin.js';
import { clientOptions, type KafkaClientOptions } from '../kafka/options.js';
import { parseBrokers } from '../kafka/uri.js';

export interface KafkaIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  isTerminal: boolean;
}

interface Flags {
  brokers?: string;
  timeout: string;
  X: string[];
  kafkaConfig?: string;
  outputFormat?: InspectFormat;
  all?: boolean;
  configs?: boolean;
  partitions?: string;
  replication?: string;
  config: string[];
  yes?: boolean;
  help?: boolean;
}

/** What a subcommand hands back: one or more lists of records (a second list is a second table). */
type Sections = Rec[][];

interface Ctx {
  admin: ClusterAdmin;
  flags: Flags;
  format: InspectFormat;
  /** "127.0.0.1:9092,…", for messages */
  brokerText: string;
}

interface Subcommand {
  name: string;
  arg: string | null;
  /** the flags that belong to this subcommand, for the usage line */
  flags: string;
  /** --help text under the usage line */
  help: string;
  run(ctx: Ctx, arg: string): Promise<Sections>;
}

// every output format that needs no more than records (not template), table (the default on a terminal) first
type InspectFormat = OutputFormat;
const INSPECT_FORMATS: readonly InspectFormat[] = [
  'table', ...outputFormatList.filter((f) => f.name !== 'table' && !f.needsTemplate).map((f) => f.name),
];

export const subcommands: readonly Subcommand[] = [
  {
    name: 'topics', arg: null, flags: '[--all]', run: topics,
    help: '{topic, partitions, replication} per topic, sorted by name; --all shows the internal __* topics too.',
  },
  {
    name: 'describe', arg: 'TOPIC', flags: '[--configs [--all]]', run: describe,
    help: '{topic, partition, leader, replicas, isr, low, high, messages} per partition; messages = high - low (an upper bound on compacted or transactional topics). As a table, the configs that differ from the defaults follow in a second table. --configs: {topic, config, value, source} per config that differs from the defaults instead; with --all, every config (source topic, dynamic-broker, dynamic-default-broker, static-broker or default).',
  },
  {
    name: 'groups', arg: null, flags: '', run: groups,
    help: '{group, state, protocol, members} per consumer group, sorted by name.',
  },
  {
    name: 'create', arg: 'TOPIC', flags: '[--partitions N] [--replication N] [--config k=v]', run: create,
    help: 'Create a topic with N partitions (default 1), a replication factor (default the number of brokers, at most 3) and topic configs (--config cleanup.policy=compact, repeatable); prints its {topic, partitions, replication} once every partition has a leader. A topic that exists already is an error (exit 2), as is a config or a count the broker refuses.',
  },
  {
    name: 'delete', arg: 'TOPIC', flags: '--yes', run: remove,
    help: 'Delete a topic and all its messages; --yes says that this is meant. Prints the {topic, partitions, replication} it deleted.',
  },
  {
    name: 'lag', arg: 'GROUP', flags: '', run: lag,
    help: '{group, topic, partition, committed, end, lag} per partition of each topic the group has committed offsets for or is assigned; lag = end - committed. A partition without a committed offset has committed null and lag = end - low (everything in it is unread).',
  },
];

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export async function kafkaCommand(args: string[], io: KafkaIo): Promise<number> {
  const cmd = new Command('sluice kafka')
    .argument('[command]')
    .argument('[arg]')
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .option('-b, --brokers <list>')
    .option('--timeout <duration>', '', '10s')
    .option('-X <key=value>', '', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--kafka-config <file>')
    .addOption(new Option('-O, --output-format <format>').choices(INSPECT_FORMATS))
    .option('--all')
    .option('--configs')
    .option('--partitions <n>')
    .option('--replication <n>')
    .option('--config <key=value>', '', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--yes')
    .option('-h, --help');
  try {
    cmd.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ''), "Try 'sluice kafka --help'.");
    throw e;
  }
  const flags = cmd.opts<Flags>();
  const [name, arg] = cmd.processedArgs as [string | undefined, string | undefined];
  if (flags.help || name === 'help') {
    io.stdout(kafkaHelp());
    return EXIT.ok;
  }
  const sub = checkArgs(name, arg, flags);
  const client = await inspectClient(flags, io.env);
  const brokerText = client.brokers.join(',');
  const format = flags.outputFormat ?? (io.isTerminal ? 'table' : 'ndjson');
  const sections = await withCluster(client, [sub.name, arg].filter(Boolean).join(' '), async (admin) => sub.run({ admin, flags, format, brokerText }, arg ?? ''));
  io.stdout(await render(sections, format, io));
  return EXIT.ok;
}

/** Check the subcommand, its argument and the flags that belong to one subcommand, before any connection. */
function checkArgs(name: string | undefined, arg: string | undefined, flags: Flags): Subcommand {
  const names = subcommands.map((s) => s.name);
  if (name === undefined) throw new UsageError(`kafka needs a command: ${usageList()}`, "Try 'sluice kafka --help'.");
  const sub = subcommands.find((s) => s.name === name);
  if (!sub) throw new UsageError(`unknown kafka command '${name}'${suggestion(name, names)}`, `Commands: ${usageList()}`);
  if (sub.arg !== null && (arg === undefined || arg === '')) throw new UsageError(`kafka ${sub.name} needs a ${sub.arg}: sluice kafka ${sub.name} ${sub.arg}`);
  if (sub.arg === null && arg !== undefined) throw new UsageError(`kafka ${sub.name} takes no argument, got '${arg}'`);
  if (sub.arg === 'TOPIC' && !TOPIC_NAME.test(arg!)) throw new UsageError(`'${arg}' is not a valid topic name (letters, digits, . _ -)`);
  if (flags.configs && sub.name !== 'describe') throw new UsageError('--configs goes with kafka describe TOPIC');
  if (flags.all && sub.name !== 'topics' && sub.name !== 'describe') throw new UsageError('--all goes with kafka topics or kafka describe --configs');
  if (sub.name !== 'create') {
    for (const [flag, given] of [['--partitions', flags.partitions], ['--replication', flags.replication], ['--config', flags.config.length > 0 ? 'yes' : undefined]] as const) {
      if (given !== undefined) throw new UsageError(`${flag} goes with kafka create TOPIC`);
    }
  }
  if (flags.yes && sub.name !== 'delete') throw new UsageError('--yes goes with kafka delete TOPIC');
  if (sub.name === 'create') {
    positive(flags.partitions, '--partitions');
    positive(flags.replication, '--replication');
    topicConfigs(flags.config);
  }
  if (sub.name === 'delete' && !flags.yes) {
    throw new UsageError(`kafka delete ${arg} deletes the topic and every message in it: add --yes if that is what you mean`);
  }
  return sub;
}

function positive(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  if (!/^[1-9][0-9]{0,5}$/.test(text.trim())) throw new UsageError(`${flag} takes a whole number of at least 1, not '${text}'`);
  return Number(text);
}

function topicConfigs(list: string[]): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--config: expected key=value (a topic config such as retention.ms=3600000), got '${kv}'`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

function usageList(): string {
  return subcommands.map((s) => (s.arg ? `${s.name} ${s.arg}` : s.name)).join(', ');
}

async function inspectClient(flags: Flags, env: NodeJS.ProcessEnv): Promise<KafkaClientOptions> {
  const brokerText = flags.brokers ?? env.SLUICE_BROKERS;
  if (brokerText === undefined || brokerText.trim() === '') throw new UsageError('kafka needs brokers: -b HOST:PORT[,HOST:PORT] or SLUICE_BROKERS');
  return clientOptions(flags, parseBrokers(brokerText), env);
}

async function withCluster<T>(client: KafkaClientOptions, what: string, work: (admin: ClusterAdmin) => Promise<T>): Promise<T> {
  const { withDeadline } = await import('../kafka/client.js');
  let admin: ClusterAdmin | null = null;
  const run = async () => {
    admin = await connectAdmin(client);
    return work(admin);
  };
  try {
    return await withDeadline(run(), client.timeoutMs, what, client.brokers);
  } finally {
    if (admin !== null) void (admin as ClusterAdmin).close().catch(() => undefined);
  }
}

// ---- the subcommands ------------------------------------------------------------------------

async function topics(ctx: Ctx): Promise<Sections> {
  const all = await ctx.admin.topics();
  const rows: Rec[] = all
    .filter((t) => ctx.flags.all || !t.name.startsWith('__'))
    .sort((a, b) => compare(a.name, b.name))
    .map(topicRow);
  return [rows];
}

async function describe(ctx: Ctx, topic: string): Promise<Sections> {
  const meta = (await ctx.admin.topics()).find((t) => t.name === topic);
  if (!meta) throw new UnavailableError(`topic '${topic}' does not exist (brokers ${ctx.brokerText})`);
  const wantPartitions = !ctx.flags.configs;
  const wantConfigs = ctx.flags.configs || ctx.format === 'table';
  const [offsets, configs] = await Promise.all([
    wantPartitions ? ctx.admin.offsets(topic) : Promise.resolve([]),
    wantConfigs ? ctx.admin.topicConfigs(topic) : Promise.resolve([]),
  ]);
  const configRows = configs
    .filter((c) => ctx.flags.all || c.source === 'topic')
    .sort((a, b) => compare(a.name, b.name))
    .map((c): Rec => ({ topic, config: c.name, value: c.value, source: c.source }));
  if (ctx.flags.configs) return [configRows];
  const byPartition = new Map(offsets.map((o) => [o.partition, o]));
  const rows = [...meta.partitions].sort((a, b) => a.partition - b.partition).map((p): Rec => {
    const o = byPartition.get(p.partition);
    return {
      topic,
      partition: p.partition,
      leader: p.leader >= 0 ? p.leader : null,
      replicas: p.replicas,
      isr: p.isr,
      low: o ? o.low : null,
      high: o ? o.high : null,
      messages: o ? o.high - o.low : null,
    };
  });
  // on a terminal the configs that differ from the defaults follow as a second table, as
  // kafka-topics --describe shows them; in a pipe one kind of record per stream (--configs)
  return ctx.format === 'table' && configRows.length > 0 ? [rows, configRows] : [rows];
}

const topicRow = (t: { name: string; partitions: { replicas: number[] }[] }): Rec => ({
  topic: t.name,
  partitions: t.partitions.length,
  replication: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
});

async function create(ctx: Ctx, topic: string): Promise<Sections> {
  const partitions = positive(ctx.flags.partitions, '--partitions') ?? 1;
  const created = await ctx.admin.createTopic(topic, partitions, positive(ctx.flags.replication, '--replication'), topicConfigs(ctx.flags.config));
  if (!created) throw new UsageError(`topic '${topic}' already exists (brokers ${ctx.brokerText})`);
  const meta = (await ctx.admin.topics()).find((t) => t.name === topic);
  return [[meta ? topicRow(meta) : { topic, partitions, replication: null }]];
}

async function remove(ctx: Ctx, topic: string): Promise<Sections> {
  const meta = (await ctx.admin.topics()).find((t) => t.name === topic);
  if (!meta) throw new UnavailableError(`topic '${topic}' does not exist (brokers ${ctx.brokerText})`);
  await ctx.admin.deleteTopic(topic);
  return [[topicRow(meta)]];
}

async function groups(ctx: Ctx): Promise<Sections> {
  const ids = (await ctx.admin.groups()).sort(compare);
  if (ids.length === 0) return [[]];
  const described = await ctx.admin.describeGroups(ids);
  const byId = new Map(described.map((g) => [g.group, g]));
  return [ids.map((id): Rec => {
    const g = byId.get(id);
    return { group: id, state: g?.state ?? null, protocol: g?.protocol || null, members: g?.members ?? 0 };
  })];
}

/**
 * Lag per partition, over every partition of each topic the group has committed offsets for or
 * is assigned. lag = end − committed, as kafka-consumer-groups computes it; a partition without
 * a committed offset has committed null and lag = end − low: every message still in the log is
 * unread (kafka-consumer-groups leaves such partitions out, which hides them from a sum).
 */
async function lag(ctx: Ctx, group: string): Promise<Sections> {
  const [[info], committed, meta] = await Promise.all([
    ctx.admin.describeGroups([group]),
    ctx.admin.committed(group),
    ctx.admin.topics(),
  ]);
  const assigned = info?.assigned ?? [];
  if (committed.length === 0 && (info === undefined || info.state === 'Dead')) {
    throw new UnavailableError(`consumer group '${group}' does not exist (brokers ${ctx.brokerText})`);
  }
  const names = [...new Set([...committed.map((c) => c.topic), ...assigned.map((a) => a.topic)])].sort(compare);
  const known = new Map(meta.map((t) => [t.name, t]));
  const ends = new Map(await Promise.all(names.filter((n) => known.has(n)).map(async (n) => [n, await ctx.admin.offsets(n)] as const)));
  const commit = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  const rows: Rec[] = [];
  for (const topic of names) {
    const partitions = new Set<number>(known.get(topic)?.partitions.map((p) => p.partition) ?? []);
    for (const c of committed) if (c.topic === topic) partitions.add(c.partition);
    for (const a of assigned) if (a.topic === topic) for (const p of a.partitions) partitions.add(p);
    const offsets = new Map((ends.get(topic) ?? []).map((o) => [o.partition, o]));
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const c = commit.get(`${topic}\u0000${partition}`);
      const o = offsets.get(partition);
      const has = c !== undefined && c >= 0;
      rows.push({
        group, topic, partition,
        committed: has ? c : null,
        end: o ? o.high : null,
        lag: o ? Math.max(0, o.high - (has ? c : o.low)) : null,
      });
    }
  }
  return [rows];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- output ---------------------------------------------------------------------------------

const SOURCE: Source = { name: 'kafka' };

async function render(sections: Sections, format: InspectFormat, io: KafkaIo): Promise<string> {
  const texts = sections.filter((rows, i) => i === 0 || rows.length > 0).map((rows) => {
    const enc: Encoder = encoders[format]({ passRaw: false });
    return enc.write(rows.map((r, i) => makeEvent(r, undefined, SOURCE, i + 1, 0))) + enc.end();
  });
  if (!colorEnabled('auto', io.isTerminal, io.env) || (format !== 'table' && format !== 'ndjson')) return texts.join('\n');
  const c = await loadChalk();
  const painted = texts.map((t) => (format === 'table' ? colorTable(c, t) : t.split('\n').map((l) => (l ? colorJsonLine(c, l) : l)).join('\n')));
  return painted.join('\n');
}

export function kafkaHelp(): string {
  const commands = subcommands.map((c) => `  ${[c.name, c.arg, c.flags].filter(Boolean).join(' ')}\n${wrap(c.help, 76, '    ')}`);
  return `sluice kafka — inspect a cluster (topics, offsets, groups, lag), make topics

Usage:
  sluice kafka COMMAND [ARG] [-b BROKERS] [--timeout D] [-X k=v] [-O FORMAT]

Commands:
${commands.join('')}
Options:
  -b, --brokers <list>          HOST:PORT[,HOST:PORT] (default: $SLUICE_BROKERS)
  --timeout <duration>          how long to wait for the cluster (default 10s)
  -X <key=value>                a client setting: security.protocol, sasl.*,
                                ssl.*, ... (sluice help kafka lists them)
  --kafka-config <file>         Kafka client settings, one key=value per line
                                (default: $SLUICE_KAFKA_CONFIG or $KCAT_CONFIG)
  -O, --output-format <format>  ${INSPECT_FORMATS.slice(0, -1).join(', ')} or ${INSPECT_FORMATS.at(-1)}
                                (default: table on a terminal, ndjson in a pipe)
  -h, --help                    print this help

Exit status: 0 success, 2 usage error (or a topic to create that exists, a
config the broker refuses), 69 cluster unreachable, no such topic or group,
authentication failed or certificate not trusted.

Examples:
  sluice kafka topics -b localhost:9092
  sluice kafka describe orders --configs
  sluice kafka lag billing | sluice 'sum(lag) as lag by topic'
  sluice kafka create orders --partitions 6 --config retention.ms=86400000
  sluice kafka delete orders --yes
`;
}

function wrap(text: string, width: number, pad: string): string {
  let out = '';
  let line = '';
  for (const word of text.split(' ')) {
    if (line && pad.length + line.length + 1 + word.length > width) { out += pad + line + '\n'; line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  return line ? out + pad + line + '\n' : out;
}
