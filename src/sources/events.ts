// Sources that deliver records already split into messages (Kafka): each batch carries its
// decoded events, the messages that could not be decoded, and a commit that the executor
// calls only once everything derived from the batch has been written and acknowledged by
// the sink (at-least-once). A source may make commit part of a sink's transaction
// (exactly-once); the executor does not need to know.

import type { Event } from '../runtime/event.js';

export interface BadMessage {
  raw: string;
  reason: string;
  /** `topic/partition@offset` */
  where: string;
}

export interface MessageBatch {
  events: Event[];
  bad: BadMessage[];
  commit?: () => Promise<void>;
}

export interface EventInput {
  readonly kind: 'events';
  readonly name: string;
  batches(): AsyncIterable<MessageBatch>;
  /** stop reading; once the batches have ended (or on a second call) also release the source, after pending commits */
  close(): void | Promise<void>;
}
