// The Kafka source: topics read through a kafkajs consumer group and handed to the executor as
// batches (one per fetched partition batch), each with its partition's next offset, and with the
// partitions assigned, revoked or read to their end (-e) announced in order with them. The
// executor commits through commit() once a batch's output is acknowledged, or with --state once
// the checkpoint that covers it is durable (inside the sink's transaction with --exactly-once).
//
// kafkajs pushes (eachBatch); the executor pulls (an async iterator). They meet in a queue of one:
// eachBatch hands its batch over and returns only when the executor asks for the next one, that
// is, once the batch went through the pipeline and (per-batch commits) was committed. This bounds
// memory to about one fetch, pauses fetching while the sink is slow (heartbeats continue), and
// makes a rebalance safe: kafkajs rejoins only between batches, when all that this process handed
// out is committed, so a partition moving to another member is not read twice.
//
// Without --group no group is joined (positionInput, at the end): every partition is read by
// position with kafkajs's fetch request, as kcat reads, and nothing is committed or left on the
// cluster. In a group, offsets other than `stored` are applied by seeking each partition the first
// time this process is assigned it.
//
// Per-partition state (--state kafka://…, `partitionTasks`): at each assignment every assigned
// partition is paused before anything is fetched, the executor restores (or keeps) each
// partition's task (the hook it gives to onAssigned), each partition is sought to where its task
// resumes (or, without state, to --offset the first time, else the committed offset), and only
// then resumed; no batch of a partition reaches the executor while it waits. Kept partitions are
// sought too: kafkajs would otherwise restart them at the committed offset, behind their task.
//
// A local --state file (`wholeInput`) holds the state of every partition, so the partitions that
// another member still holds (a killed predecessor, until its session expires) are announced as
// assigned at the first join, and hold the watermark back, and -e waits until they are read too.

import { UnavailableError, UsageError } from '../errors/errors.js';
import { messageDecoder, type MessageDecode } from '../formats/index.js';
import type { InputFormat } from '../formats/types.js';
import { makeEvent, type Event, type PartitionChange, type Source } from '../core/event.js';
import type { AssignPartitions, BadMessage, EventInput, MessageBatch, PartitionOffset, TopicPartition } from '../sources/events.js';
import { parseDuration } from '../time/duration.js';
import {
  boundedRetry,
  connectAdmin,
  consumerSettings,
  createKafka,
  fetchGroupOffsets,
  fetchOffsetsByTime,
  fetchTopicOffsets,
  isFencedCommit,
  kafkaError,
  onlyPartitionsAssigner,
  roundRobinAssigner,
  withDeadline,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
} from './client.js';
import { recordKeyText, recordOffset, recordTimestamp, recordValueText } from './kafkajs-fast.js';
import { type BinaryValues, kafkaValueCodec } from './schema-registry.js';
import type { KafkaSourceOptions } from './options.js';
import { isTransactionalSink, type TransactionalSink } from './sink.js';
import { connectFetcher, type FetchedPartition } from './client.js';

// ---------------------------------------------------------------------------------------------
// --offset

export type OffsetSpec =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'stored' }
  | { kind: 'absolute'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'time'; ms: number };

const OFFSET_HELP = 'beginning, end, stored, N, -N, @TIMESTAMP (epoch ms or ISO 8601) or @-DURATION (@-1h)';

/** Parses --offset as kcat's -o, plus times. `now` anchors @-1h. */
export function parseOffset(text: string | undefined, hasGroup: boolean, now: number = Date.now()): OffsetSpec {
  if (text === undefined) return hasGroup ? { kind: 'stored' } : { kind: 'beginning' };
  const t = text.trim();
  if (t === 'beginning' || t === 'earliest' || t === 'oldest') return { kind: 'beginning' };
  if (t === 'end' || t === 'latest' || t === 'newest') return { kind: 'end' };
  if (t === 'stored') {
    if (!hasGroup) throw new UsageError('--offset stored needs --group ID (offsets are stored per consumer group)');
    return { kind: 'stored' };
  }
  if (/^[0-9]+$/.test(t)) return { kind: 'absolute', offset: Number(t) };
  if (/^-[0-9]+$/.test(t)) return { kind: 'fromEnd', count: -Number(t) };
  if (t.startsWith('@')) {
    const rest = t.slice(1);
    if (rest.startsWith('-')) {
      const d = parseDuration(rest.slice(1));
      if (d !== null && d >= 0) return { kind: 'time', ms: now - d };
    } else if (/^[0-9]+$/.test(rest)) {
      return { kind: 'time', ms: Number(rest) };
    } else if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(rest)) {
      const ms = Date.parse(rest);
      if (!Number.isNaN(ms)) return { kind: 'time', ms };
    }
  }
  throw new UsageError(`--offset '${text}': expected ${OFFSET_HELP}`);
}

// ---------------------------------------------------------------------------------------------
// Message values

function headerText(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? headerText(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// The input

const tpKey = (topic: string, partition: number) => `${partition}\u0000${topic}`;

const DEBUG = process.env.SLUICE_DEBUG !== undefined && process.env.SLUICE_DEBUG !== '' && process.env.SLUICE_DEBUG !== '0';
const debug = (m: string) => {
  if (DEBUG) process.stderr.write(`sluice: kafka source: ${m}\n`);
};

interface Handover {
  batch: MessageBatch;
  release: () => void;
  released: Promise<void>;
}

/** Each partition's low and high offsets, and where --offset says to start it (none for `stored`). */
interface StartOffsets {
  ends: Map<string, number>;
  lows: Map<string, number>;
  seeks: Map<string, number>;
}

/** A consumer group's committed positions on these topics (for --exactly-once with --state). */
export async function committedOffsets(client: KafkaSourceOptions['client'], group: string, topics: string[]): Promise<PartitionOffset[]> {
  const admin = await connectAdmin(client);
  try {
    const out: PartitionOffset[] = [];
    for (const topic of topics) {
      for (const [partition, offset] of await fetchGroupOffsets(admin, group, topic, client)) {
        if (offset >= 0) out.push({ topic, partition, offset });
      }
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function startOffsets(admin: Awaited<ReturnType<typeof connectAdmin>>, opts: KafkaSourceOptions, spec: OffsetSpec): Promise<StartOffsets> {
  const c = opts.client;
  const out: StartOffsets = { ends: new Map(), lows: new Map(), seeks: new Map() };
  for (const topic of opts.topics) {
    const offsets = await fetchTopicOffsets(admin, topic, c);
    if (opts.partitions) {
      const have = new Set(offsets.map((o) => o.partition));
      const missing = opts.partitions.filter((p) => !have.has(p));
      if (missing.length > 0) {
        throw new UnavailableError(`kafka: topic '${topic}' has no partition ${missing.join(',')} (it has ${offsets.length}: 0-${offsets.length - 1})`);
      }
    }
    const byTime = spec.kind === 'time' ? await fetchOffsetsByTime(admin, topic, spec.ms, c) : null;
    for (const o of offsets) {
      const k = tpKey(topic, o.partition);
      out.ends.set(k, o.high);
      out.lows.set(k, o.low);
      switch (spec.kind) {
        case 'beginning': out.seeks.set(k, o.low); break;
        case 'end': out.seeks.set(k, o.high); break;
        case 'absolute': out.seeks.set(k, Math.min(Math.max(spec.offset, o.low), o.high)); break;
        case 'fromEnd': out.seeks.set(k, Math.max(o.low, o.high - spec.count)); break;
        case 'time': out.seeks.set(k, byTime!.get(o.partition) ?? o.high); break;
        case 'stored': break;
      }
    }
  }
  return out;
}

/** How message values become records: a box, since the CLI tells the fields the program needs after the input opened. */
interface Decoding {
  decode: MessageDecode;
}

/** A fetched batch's messages as events (with key, headers, partition and offset) and bad messages. */
function decodeMessages(
  messages: KafkaMessage[], src: Source, partition: number, decode: MessageDecode,
  take: (offset: number) => boolean, binary: BinaryValues | null,
): { events: Event[]; bad: BadMessage[]; first: number; last: number; truncated: boolean } {
  const events: Event[] = [];
  const bad: BadMessage[] = [];
  let first = -1;
  let last = -1;
  let truncated = false;
  let offset = -1;
  const where = () => `${src.topic}/${partition}@${offset}`;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    offset = recordOffset(m);
    if (!take(offset)) {
      truncated = true;
      break;
    }
    if (first < 0) first = offset;
    last = offset;
    const ts = recordTimestamp(m);
    const start = events.length;
    if (binary !== null) {
      const bytes = m.value;
      if (bytes === null) events.push(makeEvent(null, undefined, src, 0, ts));
      else binary.decode(bytes, src, events, bad, where, ts);
    } else {
      const text = recordValueText(m);
      if (text === null) events.push(makeEvent(null, undefined, src, 0, ts));
      else decode(text, src, events, bad, where, ts);
    }
    if (events.length === start) continue;
    const key = recordKeyText(m);
    let headers: { [name: string]: string } | null = null;
    if (m.headers) {
      for (const h in m.headers) {
        const v = headerText(m.headers[h]);
        if (v !== undefined) (headers ??= {})[h] = v;
      }
    }
    for (let j = start; j < events.length; j++) {
      const ev = events[j]!;
      ev.offset = offset;
      ev.partition = partition;
      ev.key = key;
      ev.headers = headers;
    }
  }
  return { events, bad, first, last, truncated };
}

export async function kafkaInput(opts: KafkaSourceOptions): Promise<EventInput> {
  const c = opts.client;
  const group = opts.group;
  const spec = parseOffset(opts.offset, group !== null);
  const settings = consumerSettings(c.settings);
  let txSink: TransactionalSink | null = null;
  if (opts.transactionalSink !== null) {
    if (!isTransactionalSink(opts.transactionalSink) || group === null) {
      throw new UsageError('--exactly-once needs --group ID and a kafka: sink');
    }
    txSink = opts.transactionalSink;
    await txSink.prepareTransactions(group);
  }
  if (opts.partitionTasks && group === null) throw new UsageError('per-partition state (--state kafka://…) needs --group ID');
  const binary = await kafkaValueCodec(opts.format, {
    registry: opts.schemaRegistry ?? null, schemaFile: opts.valueSchema ?? null, valueType: opts.valueType ?? null, timeoutMs: c.timeoutMs,
  });
  // replaced by project() once the CLI knows the fields the program needs (binary values stay whole)
  const decoding: Decoding = { decode: binary !== null ? messageDecoder('auto', opts.infer) : messageDecoder(opts.format as InputFormat | 'auto', opts.infer) };
  const project = (fields: readonly string[] | null, wholeFirst: number) => {
    if (binary === null) decoding.decode = messageDecoder(opts.format as InputFormat | 'auto', opts.infer, fields, wholeFirst);
  };
  const name = opts.topics.join(',');

  // 1. topics, partitions and start/end offsets, before anything is read
  const admin = await connectAdmin(c);
  let start: StartOffsets;
  try {
    start = await startOffsets(admin, opts, spec);
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw e;
  }
  const { ends, lows, seeks } = start;
  /** a checkpoint's positions, before --offset and stored offsets */
  const resumeAt = new Map<string, number>();
  for (const o of opts.startAt ?? []) if (opts.topics.includes(o.topic)) resumeAt.set(tpKey(o.topic, o.partition), o.offset);
  // -e after a restart from a checkpoint: every partition the checkpoint had not read to its end
  // must be, not only those assigned now (a killed predecessor may still hold some in the group
  // until its session expires; ending without them would fire their windows half-full)
  const mustEnd = [...resumeAt].filter(([k, at]) => at < (ends.get(k) ?? 0)).map(([k]) => k);
  // a local state file (wholeInput): also every partition its checkpoint has not read at all, unless
  // it is empty; each counts as done once read to its end here or, in the group's committed
  // offsets, by another member (see pollOthers)
  const whole = opts.wholeInput && group !== null
    ? [...ends].filter(([k, end]) => end > (lows.get(k) ?? 0) && (resumeAt.get(k) ?? -1) < end &&
      (opts.partitions === null || opts.partitions.includes(Number(k.slice(0, k.indexOf('\u0000')))))).map(([k]) => k)
    : [];
  const mustRead = opts.exitAtEnd ? whole.filter((k) => !resumeAt.has(k)) : [];
  /** mustRead partitions' committed offsets in the group, as last polled */
  const committedElsewhere = new Map<string, number>();

  if (group === null) return positionInput(opts, admin, start, resumeAt, decoding, project, binary);

  // 2. the consumer
  const kafka = createKafka(c);
  const groupId = group;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: settings.sessionTimeout,
    heartbeatInterval: settings.heartbeatInterval,
    readUncommitted: settings.readUncommitted,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    maxBytes: settings.maxBytes,
    partitionAssigners: opts.partitions ? [onlyPartitionsAssigner(opts.partitions)] : [roundRobinAssigner],
    retry: { ...boundedRetry(c.timeoutMs), restartOnFailure: async (e: Error) => (e as { retriable?: boolean }).retriable === true },
  });
  const what = `reading ${name}`;

  const queue: Handover[] = [];
  let taken: Handover | null = null;
  let failure: Error | null = null;
  let closed = false; // stop reading (SIGINT, head satisfied)
  let finished = false; // --exit-at-end / --count reached: drain the queue, then end
  let iteratorDone = false;
  let closeCalls = 0;
  let delivered = 0;
  let joined = false;
  let assigned: string[] = [];
  const seen = new Set<string>();
  const positions = new Map<string, number>();
  /** each partition's high watermark (its end) as of its last fetch: lag = that − position (--stats-every, --metrics) */
  const highWater = new Map<string, number>();
  /** partitions whose end (-e) was announced to the executor */
  const announcedEnd = new Set<string>();
  const commitsInFlight = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const releaseAll = () => {
    for (const h of queue) h.release();
    taken?.release();
  };
  const idOf = (k: string) => {
    const at = k.indexOf('\u0000');
    return `${k.slice(at + 1)}/${k.slice(0, at)}`;
  };
  /** partition changes travel in the queue, in order with the batches */
  const announce = (changes: PartitionChange[]) => {
    if (changes.length === 0) return;
    queue.push({ batch: { events: [], bad: [], changes }, release: () => undefined, released: Promise.resolve() });
    notify();
  };
  const announceEnds = () => {
    if (!opts.exitAtEnd) return;
    const changes: PartitionChange[] = [];
    for (const k of assigned) {
      if (!announcedEnd.has(k) && (positions.get(k) ?? -1) >= ends.get(k)!) {
        announcedEnd.add(k);
        changes.push({ kind: 'ended', partition: idOf(k) });
      }
    }
    announce(changes);
  };

  const advance = (k: string, pos: number) => {
    if ((positions.get(k) ?? -1) < pos) positions.set(k, pos);
  };
  let paused = false;
  const pauseAll = () => {
    if (paused) return;
    paused = true;
    try {
      consumer.pause(opts.topics.map((topic) => ({ topic })));
    } catch {
      // not running yet or already stopped: nothing to pause
    }
  };
  const atEnd = (k: string) => (positions.get(k) ?? -1) >= ends.get(k)!;
  /** mustRead partitions neither read to their end here nor, as last polled, by another member */
  const unread = () => mustRead.filter((k) => !atEnd(k) && (committedElsewhere.get(k) ?? -1) < ends.get(k)!);
  let polling: NodeJS.Timeout | null = null;
  /**
   * Everything else is read to its end, but partitions of the state file are held by another
   * member: a killed predecessor, until its session expires and a rebalance gives them here, or a
   * live one (a local state file serves one process, but should a second share the group, its
   * commits end the wait). Asks the group every second.
   */
  const pollOthers = () => {
    if (polling !== null) return;
    debug(`waiting for ${unread().map(idOf).join(' ')}, held by another member of ${groupId}`);
    polling = setInterval(() => {
      if (closed || finished) return stopPolling();
      void (async () => {
        for (const topic of new Set(unread().map((k) => k.slice(k.indexOf('\u0000') + 1)))) {
          const stored = await fetchGroupOffsets(admin, groupId, topic, c);
          for (const [p, at] of stored) committedElsewhere.set(tpKey(topic, p), at);
        }
        checkDone();
      })().catch(fail);
    }, 1000);
  };
  const stopPolling = () => {
    if (polling !== null) clearInterval(polling);
    polling = null;
  };
  const checkDone = () => {
    if (finished || !joined) return;
    announceEnds();
    if (opts.count !== null && delivered >= opts.count) finished = true;
    else if (opts.exitAtEnd && [...assigned, ...mustEnd].every(atEnd)) {
      if (unread().length === 0) finished = true;
      else pollOthers();
    }
    if (finished) {
      stopPolling();
      debug(`finished: ${[...positions].map(([k, v]) => `${k.replace('\u0000', '@')}=${v}`).join(' ')}`);
      pauseAll();
      notify();
    }
  };
  const fail = (e: unknown) => {
    if (failure === null && !closed) failure = kafkaError(e, what, c.brokers);
    releaseAll();
    notify();
  };

  // ---- per-partition tasks: assignments wait for the executor's restore
  let assign: AssignPartitions | null = null;
  let assignSet!: () => void;
  const assignReady = new Promise<void>((r) => { assignSet = r; });
  /** partitions paused until their tasks are restored */
  const restoring = new Set<string>();
  let assignments = 0;
  const byTopic = (keys: Iterable<string>) => {
    const out = new Map<string, number[]>();
    for (const k of keys) {
      const at = k.indexOf('\u0000');
      const topic = k.slice(at + 1);
      let list = out.get(topic);
      if (!list) out.set(topic, (list = []));
      list.push(Number(k.slice(0, at)));
    }
    return [...out].map(([topic, partitions]) => ({ topic, partitions }));
  };
  /**
   * Every assigned partition: paused at once (before the runner fetches), its task restored or
   * kept by the executor, sought to where it resumes, resumed. A newer assignment supersedes one
   * still restoring.
   */
  const restoreAssigned = async () => {
    const mine = ++assignments;
    restoring.clear();
    for (const k of assigned) restoring.add(k);
    // (once everything is paused, at the end, pausing some would resume the others)
    if (!paused && assigned.length > 0) consumer.pause(byTopic(assigned));
    await assignReady;
    const partitions: TopicPartition[] = byTopic(assigned).flatMap(({ topic, partitions: ps }) => ps.map((partition) => ({ topic, partition })));
    const answer = await assign!(partitions);
    if (mine !== assignments || closed) return;
    const at = new Map(answer.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    // without state: --offset the first time this process reads the partition, else the group's
    // committed offset, else the beginning
    const start = (k: string) => at.get(k) ?? (seen.has(k) ? undefined : resumeAt.get(k) ?? seeks.get(k));
    const committed = new Map<string, number>();
    for (const { topic, partitions: ps } of byTopic(assigned.filter((k) => start(k) === undefined))) {
      const stored = await fetchGroupOffsets(admin, group!, topic, c);
      for (const p of ps) committed.set(tpKey(topic, p), stored.get(p) ?? -1);
    }
    if (mine !== assignments || closed) return;
    for (const k of assigned) {
      const stored = committed.get(k) ?? -1;
      const to = start(k) ?? (stored >= 0 ? stored : lows.get(k) ?? 0);
      const [topic, partition] = [k.slice(k.indexOf('\u0000') + 1), Number(k.slice(0, k.indexOf('\u0000')))];
      seen.add(k);
      consumer.seek({ topic, partition, offset: String(to) });
      // where reading is now (a partition may go back to its last checkpoint)
      positions.set(k, to);
      announcedEnd.delete(k);
    }
    restoring.clear();
    debug(`restored ${groupId}: ${assigned.map((k) => `${idOf(k)}@${positions.get(k)}`).join(' ')}`);
    if (!paused && assigned.length > 0) consumer.resume(byTopic(assigned));
    joined = true;
    checkDone();
  };

  let announcedWhole = false;
  const onJoin = async (assignment: { [topic: string]: number[] }) => {
    const fresh: [string, number][] = [];
    const before = new Set(assigned);
    assigned = [];
    const changes: PartitionChange[] = [];
    for (const [topic, parts] of Object.entries(assignment)) {
      for (const p of parts) {
        const k = tpKey(topic, p);
        assigned.push(k);
        if (!before.has(k)) changes.push({ kind: 'assigned', partition: `${topic}/${p}` });
        if (opts.partitionTasks) {
          // where it is read from is known once its task is restored (-e waits for that)
          if (!before.has(k)) positions.delete(k);
          continue;
        }
        if (before.has(k)) {
          // kept through a rebalance: kafkajs would start it again at the committed offset, but
          // what this process read since was processed (a stateful program commits at the end or
          // at checkpoints only): reading it again would count it twice
          const at = positions.get(k);
          if (at !== undefined) consumer.seek({ topic, partition: p, offset: String(at) });
        } else if (!seen.has(k)) {
          seen.add(k);
          const to = resumeAt.get(k) ?? seeks.get(k);
          if (to !== undefined) {
            consumer.seek({ topic, partition: p, offset: String(to) });
            advance(k, to);
          } else {
            fresh.push([topic, p]);
          }
        }
      }
    }
    const now = new Set(assigned);
    for (const k of before) if (!now.has(k)) changes.unshift({ kind: 'revoked', partition: idOf(k) });
    if (!announcedWhole) {
      // a local state file: partitions that another member (a killed predecessor) still holds are
      // announced too, so that they hold the watermark back as if assigned here: windows wait for
      // their records rather than fire without them and count them late
      announcedWhole = true;
      for (const k of whole) if (!now.has(k)) changes.push({ kind: 'assigned', partition: idOf(k) });
    }
    announce(changes);
    if (opts.partitionTasks) return restoreAssigned();
    joined = true;
    debug(`joined ${groupId}: ${JSON.stringify(assignment)}`);
    // stored offsets: where this member starts, for --exit-at-end (at its end: done at once)
    if (opts.exitAtEnd && group !== null) {
      for (const topic of new Set(fresh.map(([t]) => t))) {
        const committed = await fetchGroupOffsets(admin, group, topic, c);
        for (const [t, p] of fresh) {
          if (t !== topic) continue;
          const k = tpKey(t, p);
          const at = committed.get(p) ?? -1;
          advance(k, Math.max(at, lows.get(k) ?? 0));
        }
      }
    }
    checkDone();
  };

  // kafkajs restarts the consumer itself after a retriable error (a coordinator still loading
  // on a fresh broker, a leader moving); that is only fatal when it goes on for longer than
  // --timeout without any progress, so a broker that is really gone still ends in exit 69
  let troubleSince: number | null = null;
  const progress = () => { troubleSince = null; };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    progress();
    onJoin(payload.memberAssignment).catch(fail);
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    progress();
    const k = tpKey(payload.topic, payload.partition);
    if (restoring.has(k)) return;
    // also seen for batches of control records only (transaction markers), which never reach eachBatch
    advance(k, Number(payload.lastOffset) + 1);
    checkDone();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const now = Date.now();
    if (payload.restart && !closed) {
      troubleSince ??= now;
      debug(`consumer restarting after: ${(payload.error as Error).message}`);
      if (now - troubleSince <= c.timeoutMs) return;
    }
    fail(payload.error);
  });

  const commit = async (offsets: PartitionOffset[]): Promise<void> => {
    if (group === null || offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    const p = (async () => {
      if (txSink) {
        await txSink.commitTransaction(group, topics);
        return;
      }
      try {
        await consumer.commitOffsets(topics.flatMap(({ topic, partitions }) => partitions.map((x) => ({ topic, ...x }))));
      } catch (e) {
        // a commit refused because the group moved on (rebalance, fenced member) only means
        // that the new owner reads these messages again: at-least-once still holds
        if (isFencedCommit(e)) return;
        const at = offsets.map((o) => `${o.topic}/${o.partition}@${o.offset - 1}`).join(', ');
        throw kafkaError(e, `committing ${at} for group '${group}'`, c.brokers);
      }
    })();
    commitsInFlight.add(p);
    try {
      await p;
    } finally {
      commitsInFlight.delete(p);
    }
  };

  // kafkajs returns from commitOffsets without committing anything while its runner is stopped (a
  // crash being restarted): only the commit event says that the coordinator took a commit
  let commitsTaken = 0;
  consumer.on(consumer.events.COMMIT_OFFSETS, () => { commitsTaken++; });
  /** Per-partition state: commit positions that durable state covers; false when the group refused (see EventInput.fence). */
  const fence = async (offsets: PartitionOffset[]): Promise<boolean> => {
    if (group === null || txSink || offsets.length === 0) return true;
    const before = commitsTaken;
    try {
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
      if (commitsTaken === before) debug('fenced: the consumer is not running (restarting)');
      return commitsTaken > before;
    } catch (e) {
      if (isFencedCommit(e)) {
        debug(`fenced: ${(e as Error).message}`);
        return false;
      }
      throw kafkaError(e, `committing offsets for group '${group}'`, c.brokers);
    }
  };

  const sources = new Map<string, Source>(opts.topics.map((t) => [t, { name: t, topic: t }]));

  const eachBatch = async ({ batch, heartbeat }: EachBatchPayload): Promise<void> => {
    if (closed || finished || failure) return;
    const { topic, partition } = batch;
    const k = tpKey(topic, partition);
    // fetched before the partition was paused for its task's restore: it is sought again after it
    if (restoring.has(k)) return;
    const limit = opts.exitAtEnd ? ends.get(k) ?? Infinity : Infinity;
    const src = sources.get(topic) ?? { name: topic, topic };
    const take = (offset: number) => {
      if (offset >= limit || (opts.count !== null && delivered >= opts.count)) return false;
      delivered++;
      return true;
    };
    if (binary !== null) {
      try {
        await binary.prepare(batch.messages.map((m) => m.value));
      } catch (e) {
        fail(e);
        return;
      }
      if (closed || finished || failure) return;
    }
    const { events, bad, first, last, truncated } = decodeMessages(batch.messages, src, partition, decoding.decode, take, binary);
    highWater.set(k, Number(batch.highWatermark));
    if (last >= 0) advance(k, last + 1);
    if (truncated && opts.exitAtEnd && limit !== Infinity && (opts.count === null || delivered < opts.count)) advance(k, limit);
    if (last < 0) {
      checkDone();
      return;
    }
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    queue.push({ batch: { events, bad, next: { topic, partition, offset: last + 1 }, first }, release, released });
    checkDone();
    notify();
    // wait until the executor is done with it, keeping our place in the group meanwhile
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const beat = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), settings.heartbeatInterval); });
      const done = await Promise.race([released.then(() => true), beat]);
      clearTimeout(timer);
      if (done) return;
      try {
        await heartbeat();
      } catch {
        // a rebalance: kafkajs rejoins when this batch returns, after its commit
      }
    }
  };

  try {
    await withDeadline(consumer.connect(), c.timeoutMs, `connecting for ${name}`, c.brokers);
    await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
    await withDeadline(
      consumer.run({ autoCommit: false, eachBatchAutoResolve: true, partitionsConsumedConcurrently: 1, eachBatch }),
      // a rebalance waits for every member to rejoin (kafkajs's rebalance timeout, 60 s) or for a
      // dead one's session to expire
      c.timeoutMs + Math.max(settings.sessionTimeout, 60_000),
      `joining group '${groupId}' for ${name}`,
      c.brokers,
    );
    if (failure) throw failure;
  } catch (e) {
    closed = true;
    await withDeadline(consumer.disconnect(), c.timeoutMs, 'disconnecting', c.brokers).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw kafkaError(e, what, c.brokers);
  }

  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    stopPolling();
    releaseAll();
    await Promise.allSettled([...commitsInFlight]);
    await withDeadline(consumer.disconnect(), c.timeoutMs, 'leaving the group', c.brokers).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  };

  return {
    kind: 'events',
    name,
    commit,
    project,
    lag: () => [...highWater].map(([k, hw]): [string, number] => [idOf(k), Math.max(0, hw - (positions.get(k) ?? 0))]),
    ...(opts.partitionTasks && group !== null ? {
      fence,
      onAssigned(hook: AssignPartitions) {
        assign = hook;
        assignSet();
      },
    } : {}),
    async *batches(): AsyncIterable<MessageBatch> {
      try {
        for (;;) {
          if (taken) {
            taken.release();
            taken = null;
          }
          if (closed) return;
          const h = queue.shift();
          if (h) {
            if (group === null) h.release();
            else taken = h;
            yield h.batch;
            continue;
          }
          if (failure) throw failure;
          if (finished) return;
          await new Promise<void>((r) => { wake = r; });
        }
      } finally {
        iteratorDone = true;
        closed = true;
        releaseAll();
      }
    },
    /**
     * The first call stops reading; the group is left (after pending commits) when close is
     * called once the batches have ended, or a second time. The executor commits in between.
     */
    close(): Promise<void> {
      closeCalls++;
      closed = true;
      stopPolling();
      pauseAll();
      releaseAll();
      notify();
      if (iteratorDone || closeCalls > 1) return release();
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Without --group: every partition, read by position

/**
 * The input without a consumer group, as kcat reads: every partition (or --partition's) is this
 * process's, read from where --offset (or the --state file) says by fetching at positions kept
 * here; nothing is joined or committed, so the read leaves nothing on the cluster. Fetching is
 * pulled by the executor, one fetch ahead: the next fetch is sent while the batches of the last
 * one go through the pipeline, and none while the executor is busy with two.
 */
async function positionInput(
  opts: KafkaSourceOptions,
  admin: Awaited<ReturnType<typeof connectAdmin>>,
  start: StartOffsets,
  resumeAt: Map<string, number>,
  decoding: Decoding,
  project: NonNullable<EventInput['project']>,
  binary: BinaryValues | null,
): Promise<EventInput> {
  const c = opts.client;
  const name = opts.topics.join(',');
  const { ends, seeks } = start;
  await admin.disconnect().catch(() => undefined);
  const keys = [...ends.keys()].filter((k) => opts.partitions === null || opts.partitions.includes(Number(k.slice(0, k.indexOf('\u0000')))));
  const topicOf = (k: string) => k.slice(k.indexOf('\u0000') + 1);
  const partitionOf = (k: string) => Number(k.slice(0, k.indexOf('\u0000')));
  const positions = new Map<string, number>(keys.map((k) => [k, resumeAt.get(k) ?? seeks.get(k) ?? 0]));
  const fetcher = await connectFetcher(c, opts.topics);
  const sources = new Map<string, Source>(opts.topics.map((t) => [t, { name: t, topic: t }]));
  /** each partition's high watermark as of its last fetch: lag = that − position (--stats-every, --metrics) */
  const highWater = new Map<string, number>();
  const ended = new Set<string>();
  let delivered = 0;
  let closed = false;
  let inFlight: Promise<FetchedPartition[]> | null = null;

  const atEnd = (k: string) => opts.exitAtEnd && positions.get(k)! >= ends.get(k)!;
  const countReached = () => opts.count !== null && delivered >= opts.count;
  const nextFetch = () => {
    const wanted = keys.filter((k) => !atEnd(k)).map((k) => ({ topic: topicOf(k), partition: partitionOf(k), offset: positions.get(k)! }));
    inFlight = fetcher.fetch(wanted);
    // a fetch given up on (the input was closed) does not fail the process
    inFlight.catch(() => undefined);
  };
  /** a fetch's partitions as batches, positions moved past them */
  const toBatches = (fetched: FetchedPartition[]): MessageBatch[] => {
    const out: MessageBatch[] = [];
    for (const f of fetched) {
      const k = tpKey(f.topic, f.partition);
      if (!positions.has(k) || ended.has(k)) continue;
      const limit = opts.exitAtEnd ? ends.get(k)! : Infinity;
      const take = (offset: number) => {
        if (offset >= limit || countReached()) return false;
        delivered++;
        return true;
      };
      const src = sources.get(f.topic) ?? { name: f.topic, topic: f.topic };
      if (f.high >= 0) highWater.set(k, f.high);
      const { events, bad, first, last, truncated } = decodeMessages(f.messages, src, f.partition, decoding.decode, take, binary);
      let pos = last >= 0 ? last + 1 : f.next;
      if (!truncated) pos = Math.max(pos, f.next);
      else if (opts.exitAtEnd && !countReached()) pos = Math.max(pos, limit);
      positions.set(k, pos);
      if (last >= 0) out.push({ events, bad, next: { topic: f.topic, partition: f.partition, offset: last + 1 }, first });
    }
    return out;
  };
  const endsReached = (): PartitionChange[] => {
    const changes: PartitionChange[] = [];
    for (const k of keys) {
      if (!ended.has(k) && atEnd(k)) {
        ended.add(k);
        changes.push({ kind: 'ended', partition: `${topicOf(k)}/${partitionOf(k)}` });
      }
    }
    return changes;
  };
  const finished = () => countReached() || (opts.exitAtEnd && keys.every(atEnd));

  return {
    kind: 'events',
    name,
    commit: async () => undefined,
    project,
    lag: () => [...highWater].map(([k, hw]): [string, number] => [`${topicOf(k)}/${partitionOf(k)}`, Math.max(0, hw - (positions.get(k) ?? 0))]),
    async *batches(): AsyncIterable<MessageBatch> {
      try {
        const assigned: PartitionChange[] = keys.map((k) => ({ kind: 'assigned', partition: `${topicOf(k)}/${partitionOf(k)}` }));
        yield { events: [], bad: [], changes: assigned };
        for (;;) {
          if (closed) return;
          const changes = endsReached();
          if (changes.length > 0) yield { events: [], bad: [], changes };
          if (closed || finished()) return;
          if (inFlight === null) nextFetch();
          let fetched: FetchedPartition[];
          try {
            fetched = await inFlight!;
          } catch (e) {
            if (closed) return;
            throw kafkaError(e, `reading ${name}`, c.brokers);
          }
          inFlight = null;
          // -I avro: the schemas the values name, fetched before decoding (a registry that fails is exit 69)
          if (binary !== null) await binary.prepare(fetched.flatMap((f) => f.messages.map((m) => m.value)));
          if (closed) return;
          const out = toBatches(fetched);
          if (!closed && !finished()) nextFetch();
          for (const b of out) {
            if (closed) return;
            if (DEBUG) debug(`${b.next!.topic}/${b.next!.partition}@${b.first}..${b.next!.offset - 1}`);
            yield b;
          }
        }
      } finally {
        closed = true;
      }
    },
    async close(): Promise<void> {
      closed = true;
      const pending = inFlight;
      inFlight = null;
      if (pending) await pending.catch(() => undefined);
      await fetcher.disconnect();
    },
  };
}
