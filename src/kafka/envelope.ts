// --envelope: each record becomes the message it came from, in kcat -J's shape and field order,
// so that `sluice kafka://… --envelope` and `kcat -C -J` can be compared line by line. The
// payload is the decoded value; a message that was taken as plain text ({line: "…"}) shows its
// text, as kcat does. Events from files (no partition) get topic null and partition/offset -1.

import { stateless, type Stage } from '../operators/types.js';
import { withValue, type Event, type Rec, type Value } from '../core/event.js';

function payloadOf(v: Value): Value {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const line = v.line;
    if (typeof line === 'string') {
      let keys = 0;
      for (const _ in v) if (++keys > 1) break;
      if (keys === 1) return line;
    }
  }
  return v;
}

export function envelope(ev: Event): Rec {
  const rec: Rec = {
    topic: ev.source.topic ?? null,
    partition: ev.partition,
    offset: ev.offset,
    tstype: 'create',
    ts: ev.timestamp,
    broker: -1,
  };
  if (ev.headers) {
    const list: string[] = [];
    for (const k in ev.headers) list.push(k, ev.headers[k]!);
    if (list.length > 0) rec.headers = list;
  }
  rec.key = ev.key;
  rec.payload = payloadOf(ev.value);
  return rec;
}

export function envelopeStage(): Stage {
  return stateless((batch) => {
    const out = new Array<Event>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = withValue(batch[i]!, envelope(batch[i]!));
    return out;
  });
}
