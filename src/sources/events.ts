// Sources that deliver records already split into messages (Kafka): each batch carries its
// decoded events, the messages that could not be decoded, where its partition's reading stands
// after it (the next offset), and the partition changes (assigned, revoked, ended) that come
// before its events. The executor commits offsets through the input, and only once everything
// derived from them has been written and acknowledged by the sink (at-least-once), or, with
// --state, once the checkpoint that covers them is durable. A source may make the commit part of a
// sink's transaction (exactly-once); the executor does not need to know.
//
// With per-partition state (--state kafka://…) the executor runs one task per input partition and
// the input lets it restore each partition's task before the partition is read (onAssigned), and
// asks before writing state whether this process still owns its partitions (fence).

import type { Event, PartitionChange } from '../core/event.js';

export interface BadMessage {
  /** how many of the batch's events came before it (where --on-error fail stops) */
  at: number;
  raw: string;
  reason: string;
  /** `topic/partition@offset` */
  where: string;
}

/** A partition's position: the next offset to read. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface MessageBatch {
  events: Event[];
  bad: BadMessage[];
  /** the batch's partition and the offset after its last message */
  next?: PartitionOffset;
  /** the offset of the batch's first message (with `next`) */
  first?: number;
  /** partitions assigned, revoked or read to their end, before this batch's events */
  changes?: PartitionChange[];
}

export interface EventInput {
  readonly kind: 'events';
  readonly name: string;
  batches(): AsyncIterable<MessageBatch>;
  /**
   * Commit these positions for the consumer group (inside the sink's transaction with
   * --exactly-once); nothing happens without a group.
   */
  commit(offsets: PartitionOffset[]): Promise<void>;
  /** per partition (`topic/partition`): messages in it beyond what was read, as of its last fetch */
  lag?(): [string, number][];
  /**
   * The top-level fields the program needs from each record, when that is all it needs
   * (DecodeOptions.fields; null: whole records), the first `wholeFirst` records whole anyway.
   * Called before batches() is.
   */
  project?(fields: readonly string[] | null, wholeFirst: number): void;
  /** stop reading; once the batches have ended (or on a second call) also release the source, after pending commits */
  close(): void | Promise<void>;
  /**
   * Per-partition tasks: from now on every assignment of partitions to this process waits for
   * `assign` before any of them is fetched (see AssignPartitions). Only inputs read in a
   * consumer group have it, and only when they were opened for per-partition state.
   */
  onAssigned?(assign: AssignPartitions): void;
  /**
   * Whether this process still owns these partitions in its consumer group: `offsets`, positions
   * that durable state already covers, are committed again, and the group refuses the commit
   * when a rebalance gave the partitions away (a new generation). False then: state written now
   * could hide the new owner's. With --exactly-once always true: the transactional id fences.
   */
  fence?(offsets: PartitionOffset[]): Promise<boolean>;
}

/**
 * Told every partition the process now reads (at each assignment, before any of them is
 * fetched): restores or keeps each partition's task, and answers where the reading of each
 * resumes. A partition left out starts where --offset and the group's committed offsets say.
 */
export type AssignPartitions = (partitions: TopicPartition[]) => Promise<PartitionOffset[]>;
