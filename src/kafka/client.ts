// The kafkajs adapter: the only module that imports kafkajs. It turns our options (brokers,
// --timeout, -X settings) into a kafkajs client, registers the pure-JS codecs, keeps kafkajs
// quiet, bounds its retries by --timeout, and maps its errors to our typed errors, so that the
// source, the sink and the inspection commands never see a kafkajs error or a stack trace.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Admin, ISocketFactory, KafkaConfig, KafkaMessage, LogEntry, PartitionAssigner, RetryOptions, SASLOptions } from 'kafkajs';
import { SluiceError, UnavailableError, UsageError } from '../errors/errors.js';
import { loadKafkajs, makeDefaultPartitioner, murmur2, PATCHED_VERSION, recordOffset, replacementsInstalled } from './kafkajs-fast.js';
import { lz4Codec, snappyCodec, zstdCodec } from './codecs.js';
import { SUPPORTED_SETTINGS, type KafkaClientOptions } from './options.js';

export { SUPPORTED_SETTINGS };

export type {
  Admin,
  Consumer,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
  RecordMetadata,
  Transaction,
} from 'kafkajs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs, AssignerProtocol, PartitionAssigners, Partitioners } = loadKafkajs();

let codecsRegistered = false;
function registerCodecs(): void {
  if (codecsRegistered) return;
  codecsRegistered = true;
  const codecs = CompressionCodecs as unknown as { [type: number]: () => unknown };
  const snappy = snappyCodec();
  const lz4 = lz4Codec();
  const zstd = zstdCodec();
  codecs[CompressionTypes.Snappy] = () => snappy;
  codecs[CompressionTypes.LZ4] = () => lz4;
  codecs[CompressionTypes.ZSTD] = () => zstd;
}

// ---------------------------------------------------------------------------------------------
// Settings (-X key=value, --kafka-config)


function settingsError(message: string): UsageError {
  const list = Object.entries(SUPPORTED_SETTINGS)
    .map(([k, v]) => `  ${k.padEnd(38)} ${v}`)
    .join('\n');
  return new UsageError(message, `supported -X settings:\n${list}`);
}

/** Rejects unknown keys and bad values; called before anything connects. */
export function validateSettings(settings: { [key: string]: string }): void {
  for (const key of Object.keys(settings)) {
    if (key === 'bootstrap.servers' || key === 'metadata.broker.list') {
      throw new UsageError(`-X ${key}: give the brokers in the kafka://HOST:PORT/TOPIC address, --brokers or SLUICE_BROKERS`);
    }
    if (!(key in SUPPORTED_SETTINGS)) throw settingsError(`-X ${key}: unknown Kafka setting`);
  }
  kafkaConfigFrom({ brokers: ['x:1'], settings, timeoutMs: 1000, clientId: 'sluice' });
  consumerSettings(settings);
  producerSettings(settings);
}

function oneOf(settings: { [key: string]: string }, key: string, values: string[]): string | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  if (!values.includes(lower)) throw settingsError(`-X ${key}=${v}: expected ${values.join(' | ')}`);
  return lower;
}

function positiveInt(settings: { [key: string]: string }, key: string): number | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) <= 0) throw settingsError(`-X ${key}=${v}: expected a positive number`);
  return Number(v);
}

function readPem(settings: { [key: string]: string }, key: string): Buffer | undefined {
  const path = settings[key];
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UnavailableError(`-X ${key}=${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function sslOptions(settings: { [key: string]: string }): ConnectionOptions {
  const ssl: ConnectionOptions = {};
  const ca = readPem(settings, 'ssl.ca.location');
  const cert = readPem(settings, 'ssl.certificate.location');
  const key = readPem(settings, 'ssl.key.location');
  if (ca) ssl.ca = [ca];
  if (cert) ssl.cert = cert;
  if (key) ssl.key = key;
  if (settings['ssl.key.password'] !== undefined) ssl.passphrase = settings['ssl.key.password'];
  if (oneOf(settings, 'enable.ssl.certificate.verification', ['true', 'false']) === 'false') ssl.rejectUnauthorized = false;
  if (oneOf(settings, 'ssl.endpoint.identification.algorithm', ['https', 'none']) === 'none') {
    ssl.checkServerIdentity = () => undefined;
  }
  return ssl;
}

function saslOptions(settings: { [key: string]: string }): SASLOptions {
  const key = settings['sasl.mechanism'] !== undefined ? 'sasl.mechanism' : 'sasl.mechanisms';
  const mechanism = (oneOf(settings, key, ['plain', 'scram-sha-256', 'scram-sha-512']) ?? 'plain') as
    'plain' | 'scram-sha-256' | 'scram-sha-512';
  const username = settings['sasl.username'];
  const password = settings['sasl.password'];
  if (username === undefined || password === undefined) {
    throw settingsError('SASL needs -X sasl.username=… and -X sasl.password=…');
  }
  return { mechanism, username, password };
}

/**
 * Retries that give up within about `timeoutMs`: `first` ms doubling, capped at 1 s between tries.
 * A transactional producer starts at 20 ms, as the Java client does, because the broker answers
 * CONCURRENT_TRANSACTIONS for a few ms after each commit while it writes the markers.
 */
export function boundedRetry(timeoutMs: number, first = 100): RetryOptions {
  let retries = 0;
  let total = 0;
  let wait = first;
  while (total + wait <= timeoutMs && retries < 40) {
    total += wait;
    retries++;
    wait = Math.min(wait * 2, 1000);
  }
  return { retries, initialRetryTime: first, maxRetryTime: 1000, factor: 0, multiplier: 2 };
}

// kafkajs logs nothing of its own; with SLUICE_DEBUG set, its warnings and errors go to stderr.
function logCreator() {
  const debug = process.env.SLUICE_DEBUG !== undefined && process.env.SLUICE_DEBUG !== '' && process.env.SLUICE_DEBUG !== '0';
  return ({ namespace, level, log }: LogEntry) => {
      if (!debug || level > logLevel.WARN) return;
      const { message, error } = log as { message: string; error?: string };
      const tag = level === logLevel.ERROR ? 'error' : 'warn';
      process.stderr.write(`sluice: kafkajs ${tag} [${namespace}] ${message}${error ? `: ${error}` : ''}\n`);
  };
}

function kafkaConfigFrom(opts: KafkaClientOptions): KafkaConfig {
  const s = opts.settings;
  const protocol = oneOf(s, 'security.protocol', ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl']) ??
    (s['sasl.mechanism'] !== undefined || s['sasl.mechanisms'] !== undefined || s['sasl.username'] !== undefined ? 'sasl_plaintext' : 'plaintext');
  const config: KafkaConfig = {
    brokers: opts.brokers,
    clientId: opts.clientId,
    connectionTimeout: opts.timeoutMs,
    authenticationTimeout: opts.timeoutMs,
    requestTimeout: Math.max(opts.timeoutMs, 5000),
    retry: boundedRetry(opts.timeoutMs),
    logLevel: logLevel.WARN,
    logCreator,
  };
  if (protocol === 'ssl' || protocol === 'sasl_ssl') {
    const ssl = sslOptions(s);
    config.ssl = Object.keys(ssl).length > 0 ? ssl : true;
  }
  if (protocol === 'sasl_plaintext' || protocol === 'sasl_ssl') config.sasl = saslOptions(s);
  return config;
}

/** A kafkajs client for our options. Settings must have been checked by validateSettings. */
export function createKafka(opts: KafkaClientOptions): InstanceType<typeof Kafka> {
  registerCodecs();
  const config = kafkaConfigFrom(opts);
  if (config.sasl) saslUsers.set(opts.brokers.join(','), `user '${(config.sasl as { username: string }).username}' (SASL/${config.sasl.mechanism.toUpperCase()})`);
  return new Kafka({ ...config, socketFactory });
}

// ---------------------------------------------------------------------------------------------
// Failures that no retry mends

/** Who logs in to a broker list, for "authentication failed for user 'alice' (SASL/PLAIN)". */
const saslUsers = new Map<string, string>();

/** A broker's certificate that this client does not accept (Node's codes for a failed verification). */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG',
]);
const CERT_OTHER = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'INVALID_PURPOSE']);

/**
 * A certificate problem, as our error; null for other socket errors. kafkajs treats every socket
 * error as retriable, so without this an untrusted broker would be retried until --timeout.
 */
export function certificateError(err: unknown, address: string): UnavailableError | null {
  const { code, message } = err as { code?: string; message?: string };
  if (code === undefined) return null;
  if (UNTRUSTED.has(code)) {
    return new UnavailableError(`kafka: certificate of ${address} not trusted (${message ?? code}); give the CA that signed it with -X ssl.ca.location=FILE`);
  }
  if (CERT_OTHER.has(code)) return new UnavailableError(`kafka: certificate of ${address} refused (${message ?? code})`);
  return null;
}

/** Callers waiting in withDeadline, told at once of a failure that retrying will not mend. */
const fatalWaiters = new Set<(e: UnavailableError) => void>();

// kafkajs's own socket factory (lib/network/socketFactory.js), plus the certificate check above
const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(ssl as ConnectionOptions) }, onConnect)
    : netConnect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.on('error', (e) => {
    const fatal = certificateError(e, `${host}:${port}`);
    if (fatal) for (const w of fatalWaiters) w(fatal);
  });
  return socket;
};

export interface ConsumerSettings {
  readUncommitted: boolean;
  sessionTimeout: number;
  heartbeatInterval: number;
  maxBytesPerPartition: number;
  maxBytes: number;
}

export function consumerSettings(settings: { [key: string]: string }): ConsumerSettings {
  return {
    readUncommitted: oneOf(settings, 'isolation.level', ['read_committed', 'read_uncommitted']) === 'read_uncommitted',
    sessionTimeout: positiveInt(settings, 'session.timeout.ms') ?? 30_000,
    heartbeatInterval: positiveInt(settings, 'heartbeat.interval.ms') ?? 3_000,
    maxBytesPerPartition: positiveInt(settings, 'max.partition.fetch.bytes') ?? 1_048_576,
    maxBytes: positiveInt(settings, 'fetch.max.bytes') ?? 10_485_760,
  };
}

export function producerSettings(settings: { [key: string]: string }): { transactionTimeout: number } {
  return { transactionTimeout: positiveInt(settings, 'transaction.timeout.ms') ?? 60_000 };
}

/**
 * kafkajs's default partitioner: Java-compatible murmur2 of the key (named, to skip its v2 notice);
 * kafkajs-fast.ts's rewrite of it unless kafkajs runs on its own code (SLUICE_KAFKAJS_DECODER=kafkajs).
 */
export const javaCompatiblePartitioner = replacementsInstalled()
  ? (makeDefaultPartitioner(murmur2, () => randomBytes(4).readUInt32BE(0)) as unknown as typeof Partitioners.DefaultPartitioner)
  : Partitioners.DefaultPartitioner;

/** kafkajs's number for a --compression name. */
export function compressionType(name: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'): number {
  switch (name) {
    case 'none': return CompressionTypes.None;
    case 'gzip': return CompressionTypes.GZIP;
    case 'snappy': return CompressionTypes.Snappy;
    case 'lz4': return CompressionTypes.LZ4;
    case 'zstd': return CompressionTypes.ZSTD;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string | number;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

/** The innermost meaningful message of a kafkajs error chain, without stack traces. */
export function describeCause(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  let last = '';
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const x = e as ErrorLike;
    if (x.message) last = x.message;
    e = x.cause ?? x.originalError;
  }
  if (!last) last = String(err);
  return last.replace(/^Connection error: /, '').replace(/\s+/g, ' ').trim();
}

/**
 * The group refused a commit because this member is no longer where it thinks (a rebalance moved
 * on: another generation, a member it forgot, a rebalance under way); kafkajs may wrap it.
 */
export function isFencedCommit(err: unknown): boolean {
  const types = errorTypes(err);
  return ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'].some((t) => types.has(t));
}

/**
 * The transaction coordinator is still completing this transactional id's previous transaction:
 * writing the markers of a commit that just returned, or aborting the open transaction of a killed
 * predecessor. The Java client retries it; so does retryConcurrentTransactions.
 */
export function isConcurrentTransactions(err: unknown): boolean {
  return errorTypes(err).has('CONCURRENT_TRANSACTIONS');
}

/**
 * Runs `attempt` again while it fails with CONCURRENT_TRANSACTIONS (waits of `first` ms doubling,
 * capped at 500 ms), waiting at most `timeoutMs` in all; then, or on any other failure, throws what it
 * threw (kafkaError says what CONCURRENT_TRANSACTIONS means). kafkajs retries it for
 * InitProducerId but not for AddOffsetsToTxn, the first request of a transaction that only
 * commits offsets.
 */
export async function retryConcurrentTransactions<T>(attempt: () => Promise<T>, timeoutMs: number, first = 20,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  let waited = 0;
  for (let wait = first; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await attempt();
    } catch (e) {
      if (!isConcurrentTransactions(e) || waited + wait > timeoutMs) throw e;
    }
    await sleep(wait);
    waited += wait;
  }
}

function errorTypes(err: unknown): Set<string> {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const x = e as ErrorLike;
    if (x.name) out.add(x.name);
    if (x.type) out.add(x.type);
    if (typeof x.code === 'string') out.add(x.code);
    e = x.cause ?? x.originalError;
  }
  return out;
}

/**
 * Our error for a kafkajs failure. `what` says what we were doing ("reading orders"), and the
 * message names the brokers and the cause. Typed sluice errors pass through unchanged.
 */
export function kafkaError(err: unknown, what: string, brokers: string[]): SluiceError {
  if (err instanceof SluiceError) return err;
  const types = errorTypes(err);
  const cause = describeCause(err);
  const at = brokers.join(',');
  if (types.has('UNKNOWN_TOPIC_OR_PARTITION') || types.has('KafkaJSTopicMetadataNotLoaded')) {
    return new UnavailableError(`kafka: ${what}: topic not found on ${at}`, { cause: err });
  }
  if (types.has('KafkaJSSASLAuthenticationError') || types.has('SASL_AUTHENTICATION_FAILED')) {
    const who = saslUsers.get(at) ?? 'SASL';
    const said = cause.replace(/^SASL [A-Z0-9 ]+ authentication failed: /, '');
    return new UnavailableError(`kafka: ${what}: authentication failed for ${who} on ${at} (${said})`, { cause: err });
  }
  const cert = certificateError({ code: [...types].find((t) => UNTRUSTED.has(t) || CERT_OTHER.has(t)), message: cause }, at);
  if (cert) return cert;
  if (types.has('KafkaJSConnectionError') || types.has('KafkaJSConnectionClosedError') ||
      types.has('ECONNREFUSED') || types.has('ETIMEDOUT') || types.has('ENOTFOUND') || types.has('EHOSTUNREACH')) {
    return new UnavailableError(`kafka: ${what}: cannot reach ${at} (${cause})`, { cause: err });
  }
  if (types.has('CONCURRENT_TRANSACTIONS')) {
    return new UnavailableError(`kafka: ${what}: the transaction coordinator on ${at} is still completing the previous transaction ` +
      `of this transactional id (a killed predecessor's being aborted, or the last commit's markers being written) and kept ` +
      `answering CONCURRENT_TRANSACTIONS; run again, or give it longer with --timeout`, { cause: err });
  }
  if (types.has('KafkaJSRequestTimeoutError') || types.has('KafkaJSTimeout') || types.has('KafkaJSLockTimeout')) {
    return new UnavailableError(`kafka: ${what}: ${at} did not answer in time (${cause})`, { cause: err });
  }
  return new UnavailableError(`kafka: ${what} on ${at}: ${cause}`, { cause: err });
}

/** Runs `p`, failing with an UnavailableError after `ms` (kafkajs's own retries can run longer). */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string, brokers: string[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let waiter: ((e: UnavailableError) => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new UnavailableError(`kafka: ${what}: no answer from ${brokers.join(',')} within ${formatMs(ms)}`));
    }, ms);
    waiter = (e) => reject(new UnavailableError(e.message.replace(/^kafka: /, `kafka: ${what}: `)));
    fatalWaiters.add(waiter);
  });
  try {
    return await Promise.race([p.catch((e: unknown) => { throw kafkaError(e, what, brokers); }), deadline]);
  } finally {
    clearTimeout(timer);
    fatalWaiters.delete(waiter!);
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

// ---------------------------------------------------------------------------------------------
// Admin helpers (shared by the source, the sink and the inspection commands)

/** A connected admin client; unreachable brokers fail with UnavailableError within timeoutMs. */
export async function connectAdmin(opts: KafkaClientOptions): Promise<Admin> {
  validateSettings(opts.settings);
  const admin = createKafka(opts).admin({ retry: boundedRetry(opts.timeoutMs) });
  try {
    await withDeadline(admin.connect(), opts.timeoutMs, 'connecting', opts.brokers);
  } catch (e) {
    void admin.disconnect().catch(() => undefined);
    throw e;
  }
  return admin;
}

/** Runs `fn` with a connected admin client and disconnects afterwards. */
export async function withAdmin<T>(opts: KafkaClientOptions, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = await connectAdmin(opts);
  try {
    return await fn(admin);
  } catch (e) {
    throw kafkaError(e, 'admin request', opts.brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The partition numbers of `topic`, sorted; UnavailableError naming the topic when it is missing. */
export async function topicPartitions(admin: Admin, topic: string, opts: KafkaClientOptions): Promise<number[]> {
  const meta = await withDeadline(
    admin.fetchTopicMetadata({ topics: [topic] }),
    opts.timeoutMs,
    `topic '${topic}'`,
    opts.brokers,
  ).catch((e: unknown) => {
    const err = e instanceof SluiceError ? e : kafkaError(e, `topic '${topic}'`, opts.brokers);
    if (/topic not found/.test(err.message)) {
      throw new UnavailableError(`kafka: topic '${topic}' does not exist on ${opts.brokers.join(',')}`);
    }
    throw err;
  });
  const t = meta.topics.find((x) => x.name === topic);
  if (!t || t.partitions.length === 0) {
    throw new UnavailableError(`kafka: topic '${topic}' does not exist on ${opts.brokers.join(',')}`);
  }
  return t.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
}

export interface PartitionOffsets {
  partition: number;
  /** earliest offset still in the log */
  low: number;
  /** high watermark: the offset the next message will get */
  high: number;
}

/** Low and high watermarks of every partition of `topic`, sorted by partition. */
export async function fetchTopicOffsets(admin: Admin, topic: string, opts: KafkaClientOptions): Promise<PartitionOffsets[]> {
  await topicPartitions(admin, topic, opts);
  const rows = await withDeadline(admin.fetchTopicOffsets(topic), opts.timeoutMs, `offsets of '${topic}'`, opts.brokers);
  return rows
    .map((r) => ({ partition: r.partition, low: Number(r.low), high: Number(r.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Per partition, the first offset whose message time is >= `timestamp` (the high watermark if none). */
export async function fetchOffsetsByTime(admin: Admin, topic: string, timestamp: number, opts: KafkaClientOptions): Promise<Map<number, number>> {
  const rows = await withDeadline(
    admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
    opts.timeoutMs,
    `offsets of '${topic}' at ${new Date(timestamp).toISOString()}`,
    opts.brokers,
  );
  return new Map(rows.map((r) => [r.partition, Number(r.offset)]));
}

/**
 * Run `fn` again after an error kafkajs marks retriable (a group coordinator still loading on a
 * fresh broker, a leader moving), with growing pauses, for at most `ms`.
 */
export async function retrying<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await fn();
    } catch (e) {
      if ((e as { retriable?: boolean }).retriable !== true || Date.now() + wait > until) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Committed offsets of `group` for `topic` (-1 where nothing is committed). */
export async function fetchGroupOffsets(admin: Admin, group: string, topic: string, opts: KafkaClientOptions): Promise<Map<number, number>> {
  const rows = await withDeadline(retrying(() => admin.fetchOffsets({ groupId: group, topics: [topic] }), opts.timeoutMs), opts.timeoutMs, `offsets of group '${group}'`, opts.brokers);
  const out = new Map<number, number>();
  for (const t of rows) for (const p of t.partitions) out.set(p.partition, Number(p.offset));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Consumer group assignment

/** kafkajs's round-robin assigner (the default), for callers that pass assigners explicitly. */
export const roundRobinAssigner: PartitionAssigner = PartitionAssigners.roundRobin;

/**
 * An assigner that hands out only the partitions in `only` (--partition), round-robin over the
 * members sorted by id, so that --partition also works inside a consumer group. Every member
 * must use it (other clients in the same group would not share the protocol name).
 */
export function onlyPartitionsAssigner(only: readonly number[]): PartitionAssigner {
  const wanted = new Set(only);
  return ({ cluster }) => ({
    name: 'SluicePartitionsAssigner',
    version: 0,
    async assign({ members, topics }) {
      const ids = members.map((m) => m.memberId).sort();
      const byMember = new Map<string, { [topic: string]: number[] }>(ids.map((id) => [id, {}]));
      let i = 0;
      for (const topic of topics) {
        const parts = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).filter((p) => wanted.has(p)).sort((a, b) => a - b);
        for (const p of parts) {
          const a = byMember.get(ids[i++ % ids.length]!)!;
          (a[topic] ??= []).push(p);
        }
      }
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: byMember.get(memberId)!, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'SluicePartitionsAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Reading without a consumer group

/** What one partition gave in a fetch. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  /** its messages from the fetched offset on, without aborted ones and control records */
  messages: KafkaMessage[];
  /** where reading goes on: after the last record fetched (control records too), or where an out-of-range position was reset to */
  next: number;
  /** the partition's high watermark (its end) as the fetch saw it; -1 when the broker did not say */
  high: number;
}

export interface PositionFetcher {
  /** One fetch from each partition's leader at these positions; [] when nothing came within the wait. */
  fetch(positions: readonly { topic: string; partition: number; offset: number }[]): Promise<FetchedPartition[]>;
  disconnect(): Promise<void>;
}

interface KafkajsBroker {
  fetch(args: {
    replicaId?: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: { partition: number; highWatermark?: string; messages: never[]; abortedTransactions?: unknown[] }[] }[] }>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): { [nodeId: string]: number[] };
  findBroker(args: { nodeId: string }): Promise<KafkajsBroker>;
  removeBroker(args: { host: string; port: number }): void;
  fetchTopicsOffset(topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

type FetchedBatch = { messages: KafkaMessage[]; messagesWithinOffset: KafkaMessage[]; rawMessages: unknown[] };

/** Errors after which fresh metadata (a moved leader, a broker gone) makes the next fetch work. */
const STALE_METADATA = new Set([
  'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION', 'KafkaJSBrokerNotFound', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSConnectionClosedError',
]);

/**
 * Reads partitions by their positions, as kcat does, with no consumer group: nothing is joined
 * or committed, so nothing is left on the cluster. kafkajs has no such consumer; this uses its
 * cluster (metadata, leaders, connections) and its Fetch request directly, and its Batch (the
 * fast one of kafkajs-fast.ts) to drop aborted messages and control records. A moved leader or a
 * dropped connection refreshes the metadata and fetches again; an out-of-range position (the
 * log was truncated under it) restarts at the partition's beginning, as a group reading
 * from the beginning does; anything still failing after --timeout is an error.
 */
export async function connectFetcher(
  opts: KafkaClientOptions, topics: string[], limits?: { maxBytesPerPartition: number; maxBytes: number },
): Promise<PositionFetcher> {
  validateSettings(opts.settings);
  const s = { ...consumerSettings(opts.settings), ...limits };
  const kafka = createKafka(opts) as unknown as { [k: symbol]: unknown };
  const create = Object.getOwnPropertySymbols(kafka).find((k) => k.description === 'private:Kafka:createCluster');
  if (create === undefined) throw new Error(`kafkajs ${PATCHED_VERSION}: no cluster factory (kafkajs internals moved)`);
  const isolationLevel = s.readUncommitted ? 0 : 1;
  const cluster = (kafka[create] as (a: object) => KafkajsCluster)({ allowAutoTopicCreation: false, isolationLevel, metadataMaxAge: 300_000 });
  const require = createRequire(import.meta.url);
  const Batch = require('kafkajs/src/consumer/batch') as new (topic: string, fetchedOffset: string, data: object) => FetchedBatch;
  const what = `reading ${topics.join(',')}`;
  await withDeadline(cluster.connect().then(() => cluster.addMultipleTargetTopics(topics)), opts.timeoutMs, `connecting for ${topics.join(',')}`, opts.brokers);

  const beginning = async (topic: string, partition: number): Promise<number> => {
    const [t] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: true, partitions: [{ partition }] }]);
    return Number(t?.partitions[0]?.offset ?? 0);
  };

  const fetchFrom = async (nodeId: string, wanted: { topic: string; partition: number; offset: number }[]): Promise<FetchedPartition[]> => {
    const topicsReq = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
    for (const w of wanted) {
      let list = topicsReq.get(w.topic);
      if (!list) topicsReq.set(w.topic, (list = []));
      list.push({ partition: w.partition, fetchOffset: String(w.offset), maxBytes: s.maxBytesPerPartition });
    }
    const broker = await cluster.findBroker({ nodeId });
    const { responses } = await broker.fetch({
      replicaId: -1,
      isolationLevel,
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: s.maxBytes,
      topics: [...topicsReq].map(([topic, partitions]) => ({ topic, partitions })),
    });
    const out: FetchedPartition[] = [];
    for (const { topicName, partitions } of responses) {
      for (const data of partitions) {
        const from = topicsReq.get(topicName)?.find((p) => p.partition === data.partition)?.fetchOffset;
        if (from === undefined) continue;
        const batch = new Batch(topicName, from, data);
        const within = batch.messagesWithinOffset;
        let next = Number(from);
        if (within.length > 0) next = recordOffset(within[within.length - 1]!) + 1;
        // only records before the position (a compacted batch's head): kafkajs steps over one
        else if (batch.rawMessages.length > 0) next += 1;
        const high = data.highWatermark === undefined ? -1 : Number(data.highWatermark);
        out.push({ topic: topicName, partition: data.partition, messages: batch.messages, next, high });
      }
    }
    return out;
  };

  let troubleSince: number | null = null;
  const fetch = async (positions: readonly { topic: string; partition: number; offset: number }[]): Promise<FetchedPartition[]> => {
    if (positions.length === 0) return [];
    try {
      const byNode = new Map<string, { topic: string; partition: number; offset: number }[]>();
      const byTopic = new Map<string, { topic: string; partition: number; offset: number }[]>();
      for (const p of positions) {
        let list = byTopic.get(p.topic);
        if (!list) byTopic.set(p.topic, (list = []));
        list.push(p);
      }
      for (const [topic, list] of byTopic) {
        const leaders = cluster.findLeaderForPartitions(topic, list.map((p) => p.partition));
        for (const [nodeId, parts] of Object.entries(leaders)) {
          let l = byNode.get(nodeId);
          if (!l) byNode.set(nodeId, (l = []));
          for (const p of parts) l.push(list.find((x) => x.partition === p)!);
        }
      }
      const results = await Promise.all([...byNode].map(([nodeId, wanted]) => fetchFrom(nodeId, wanted)));
      troubleSince = null;
      return results.flat();
    } catch (e) {
      const x = e as { name?: string; type?: string; topic?: string; partition?: number; host?: string; port?: number; retriable?: boolean };
      if (x.name === 'KafkaJSOffsetOutOfRange' && x.topic !== undefined && x.partition !== undefined) {
        return [{ topic: x.topic, partition: x.partition, messages: [], next: await beginning(x.topic, x.partition), high: -1 }];
      }
      const now = Date.now();
      troubleSince ??= now;
      if (now - troubleSince > opts.timeoutMs) throw kafkaError(e, what, opts.brokers);
      const stale = STALE_METADATA.has(x.type ?? '') || STALE_METADATA.has(x.name ?? '');
      if (!stale && x.retriable !== true && x.name !== 'KafkaJSConnectionError') throw kafkaError(e, what, opts.brokers);
      if (x.name === 'KafkaJSConnectionClosedError' && x.host !== undefined && x.port !== undefined) cluster.removeBroker({ host: x.host, port: x.port });
      await new Promise((r) => setTimeout(r, 100));
      await cluster.refreshMetadata().catch(() => undefined);
      return [];
    }
  };

  return {
    fetch,
    disconnect: () => withDeadline(cluster.disconnect(), opts.timeoutMs, 'disconnecting', opts.brokers).catch(() => undefined),
  };
}
