// The cluster questions that `sluice kafka` asks (topics, offsets, configs, groups, committed
// offsets), answered with kafkajs's Admin client from client.ts (the kafkajs adapter: settings,
// bounded retries, error mapping) and returned as plain data with numbers, not kafkajs's
// strings and enums, so that inspect.ts deals only in records. client.ts is loaded on the first
// connection, so that --help and usage errors do not load kafkajs.

import { UsageError } from '../errors/errors.js';
import type { PartitionOffsets } from './client.js';
import type { KafkaClientOptions } from './options.js';

export type { PartitionOffsets };

export interface PartitionInfo {
  partition: number;
  /** broker id, -1 when the partition has no leader */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  name: string;
  partitions: PartitionInfo[];
}

export type ConfigSourceName = 'topic' | 'dynamic-broker' | 'dynamic-default-broker' | 'static-broker' | 'default' | 'broker-logger' | 'unknown';

export interface ConfigEntry {
  name: string;
  /** null for sensitive values, which the broker does not reveal */
  value: string | null;
  source: ConfigSourceName;
}

export interface GroupInfo {
  group: string;
  state: string;
  protocol: string;
  members: number;
  /** what the members are assigned, decoded from the consumer protocol */
  assigned: { topic: string; partitions: number[] }[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface ClusterAdmin {
  topics(): Promise<TopicInfo[]>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  topicConfigs(topic: string): Promise<ConfigEntry[]>;
  groups(): Promise<string[]>;
  describeGroups(ids: string[]): Promise<GroupInfo[]>;
  committed(group: string): Promise<CommittedOffset[]>;
  /** false when the topic exists already; a request the broker refuses (a bad config) is a UsageError */
  createTopic(topic: string, partitions: number, replication: number | null, configs: { [name: string]: string }): Promise<boolean>;
  deleteTopic(topic: string): Promise<void>;
  close(): Promise<void>;
}

/** Broker answers to a topic request that mean the request itself is wrong. */
const REFUSED = ['INVALID_CONFIG', 'INVALID_PARTITIONS', 'INVALID_REPLICATION_FACTOR', 'INVALID_REPLICA_ASSIGNMENT', 'POLICY_VIOLATION', 'INVALID_TOPIC_EXCEPTION', 'INVALID_REQUEST'];

/** The broker's own reasons in a kafkajs (aggregate) error, when it refused the request as wrong. */
function refusal(e: unknown): string | null {
  const errors = (e as { errors?: unknown[] }).errors ?? [e];
  const reasons: string[] = [];
  for (const x of errors) {
    const { type, message } = x as { type?: string; message?: string };
    if (type === undefined || !REFUSED.includes(type)) return null;
    reasons.push(message ?? type);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** kafkajs's ConfigSource numbers (DescribeConfigs v1+). */
const CONFIG_SOURCES: { [n: number]: ConfigSourceName } = {
  1: 'topic', 2: 'dynamic-broker', 3: 'dynamic-default-broker', 4: 'static-broker', 5: 'default', 6: 'broker-logger',
};

const TOPIC_RESOURCE = 2;

/** Connect an admin client; unreachable brokers fail with UnavailableError within opts.timeoutMs. */
export async function connectAdmin(opts: KafkaClientOptions): Promise<ClusterAdmin> {
  const client = await import('./client.js');
  const admin = await client.connectAdmin(opts);
  return {
    async topics() {
      const { topics } = await admin.fetchTopicMetadata();
      return topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
      }));
    },
    async offsets(topic) {
      return client.fetchTopicOffsets(admin, topic, opts);
    },
    async topicConfigs(topic) {
      const res = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic }], includeSynonyms: false });
      const entries = res.resources.flatMap((r) => r.configEntries);
      return entries.map((e) => ({
        name: e.configName,
        value: e.isSensitive ? null : e.configValue,
        source: CONFIG_SOURCES[e.configSource] ?? (e.isDefault ? 'default' : 'unknown'),
      }));
    },
    async groups() {
      const { groups } = await admin.listGroups();
      return [...new Set(groups.map((g) => g.groupId))];
    },
    async describeGroups(ids) {
      const { groups } = await admin.describeGroups(ids);
      return groups.map((g) => ({
        group: g.groupId,
        state: g.state,
        protocol: g.protocol,
        members: g.members.length,
        assigned: g.protocolType === 'consumer' ? g.members.flatMap((m) => decodeAssignment(m.memberAssignment)) : [],
      }));
    },
    async committed(group) {
      const topics = await admin.fetchOffsets({ groupId: group });
      return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
    },
    async createTopic(topic, partitions, replication, configs) {
      const brokers = (await admin.describeCluster()).brokers.length;
      try {
        return await admin.createTopics({
          topics: [{
            topic,
            numPartitions: partitions,
            replicationFactor: replication ?? Math.min(3, brokers),
            configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
          }],
          waitForLeaders: true,
          timeout: opts.timeoutMs,
        });
      } catch (e) {
        const why = refusal(e);
        if (why !== null) {
          const asked = [`${partitions} partitions`, `replication ${replication ?? Math.min(3, brokers)} on ${brokers} broker(s)`,
            ...Object.entries(configs).map(([k, v]) => `${k}=${v}`)].join(', ');
          throw new UsageError(`kafka create ${topic}: the broker refused it: ${why} (${asked})`);
        }
        throw e;
      }
    },
    async deleteTopic(topic) {
      await admin.deleteTopics({ topics: [topic], timeout: opts.timeoutMs });
    },
    async close() {
      await admin.disconnect();
    },
  };
}

/**
 * A consumer-protocol Assignment (the bytes a group member is given): int16 version, then
 * [string topic, [int32 partition]], then user data. Malformed bytes give no topics.
 */
export function decodeAssignment(buf: Buffer | null | undefined): { topic: string; partitions: number[] }[] {
  if (!buf || buf.length < 6) return [];
  try {
    let pos = 2;
    const topicCount = buf.readInt32BE(pos);
    pos += 4;
    const out: { topic: string; partitions: number[] }[] = [];
    for (let t = 0; t < topicCount; t++) {
      const len = buf.readInt16BE(pos);
      pos += 2;
      const topic = buf.toString('utf8', pos, pos + len);
      pos += len;
      const n = buf.readInt32BE(pos);
      pos += 4;
      const partitions: number[] = [];
      for (let i = 0; i < n; i++, pos += 4) partitions.push(buf.readInt32BE(pos));
      out.push({ topic, partitions });
    }
    return out;
  } catch {
    return [];
  }
}

