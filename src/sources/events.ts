// Sources that deliver records already split into messages (Kafka): each batch carries its
// decoded events, the messages that could not be decoded, where its partition's reading stands
// after it (the next offset), and the partition changes (assigned, revoked, ended) that come
// before its events. The executor commits offsets through the input, and only once everything
// derived from them has been written and acknowledged by the sink (at-least-once), or, with
// --state, once the checkpoint that covers them is durable. A source may make the commit part of a
// sink's transaction (exactly-once); the executor does not need to know.

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

export interface MessageBatch {
  events: Event[];
  bad: BadMessage[];
  /** the batch's partition and the offset after its last message */
  next?: PartitionOffset;
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
  /** stop reading; once the batches have ended (or on a second call) also release the source, after pending commits */
  close(): void | Promise<void>;
}
