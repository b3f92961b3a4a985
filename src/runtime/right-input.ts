// The other side of an interval join when it is a Kafka topic (`join kafka://…/T on K within D on
// TS`), as the stage pulls it (operators/types.ts RightInput). Stages are synchronous and may not
// import kafka, so the command line opens the topic as an input (an EventInput read by position,
// without a consumer group, so nothing is committed or left on the cluster) and this wraps it: the
// stage's ready() awaits pull() until the topic's watermark passes what the next batch of the
// program's input needs. The position of every message pulled is what a checkpoint keeps, so a
// --state restart reads on after the rows the stage holds or has joined.

import type { Event, PartitionChange } from '../core/event.js';
import type { RightInput } from '../operators/types.js';
import type { BadMessage, EventInput, PartitionOffset } from '../sources/events.js';

export interface RightTopic {
  /** it is read to the end offsets it had at start (-e), else live */
  finite: boolean;
  /** open the topic as an input, from these positions (a checkpoint's) or its beginning */
  open(from: PartitionOffset[] | undefined): Promise<EventInput>;
  /** a message that does not decode: bad input (--on-error), at topic/partition@offset */
  bad(b: BadMessage): void;
}

export function rightTopic(t: RightTopic): RightInput {
  let input: EventInput | null = null;
  let it: AsyncIterator<unknown> | null = null;
  const positions = new Map<string, PartitionOffset>();
  let closed = false;
  let stopped = false;
  return {
    finite: t.finite,
    get stopped() {
      return stopped;
    },
    stop() {
      stopped = true;
      // the input's batches end once its fetch in flight comes back: a pull waiting on them gives null
      void input?.close();
    },
    async open(from) {
      const saved = (from as PartitionOffset[] | null) ?? undefined;
      for (const p of saved ?? []) positions.set(`${p.topic}/${p.partition}`, p);
      input = await t.open(saved);
      it = input.batches()[Symbol.asyncIterator]();
    },
    async pull(): Promise<{ events: Event[]; changes: PartitionChange[] } | null> {
      if (it === null || closed || stopped) return null;
      const r = await it.next();
      if (r.done === true || stopped) return null;
      const mb = r.value as { events: Event[]; bad: BadMessage[]; next?: PartitionOffset; changes?: PartitionChange[] };
      for (const b of mb.bad) t.bad(b);
      if (mb.next) positions.set(`${mb.next.topic}/${mb.next.partition}`, mb.next);
      return { events: mb.events, changes: mb.changes ?? [] };
    },
    position: () => [...positions.values()],
    async close() {
      if (closed) return;
      closed = true;
      if (!stopped) await it?.return?.();
      await input?.close();
    },
  };
}
