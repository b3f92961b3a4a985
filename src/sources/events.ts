// Sources that deliver records already split into messages (Kafka): each batch carries its
// decoded events, the messages that could not be decoded, and a commit that the executor
// calls only once everything derived from the batch has been written and acknowledged by
// the sink (at-least-once). A source may make commit part of a sink's transaction
// (exactly-once); the executor does not need to know.

import type { Event } from '../core/event.js';

export interface BadMessage {
  /** how many of the batch's events came before it (where --on-error fail stops) */
  at: number;
  raw: string;
  reason: string;
  /** `topic/partition@offset` */
  where: string;
}

export interface MessageBatch {
  events: Event[];
  bad: BadMessage[];
  /**
   * Commit the batch's messages; with `after` (a record of the batch) only up to and
   * including it, when the pipeline stopped part-way through the batch (head N).
   */
  commit?: (after?: Event) => Promise<void>;
}

export interface EventInput {
  readonly kind: 'events';
  readonly name: string;
  batches(): AsyncIterable<MessageBatch>;
  /** stop reading; once the batches have ended (or on a second call) also release the source, after pending commits */
  close(): void | Promise<void>;
}
