// -O avro (src/kafka/avro.ts avroWriter) without a broker: records as sluice prints Avro (logical
// types as text, bytes base64, longs beyond 2^53 as digit strings) are written with the schema and
// read back by -I avro, bare and framed with the id a registry stand-in (registry-stub.ts) gives
// on POST /subjects/S/versions; a record that does not fit is handed to --on-error naming the
// field. test/kafka/avro.test.ts reads what -O avro wrote with Apache Avro's Java library.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event } from '../../src/core/event.js';
import { makeEvent, type Value } from '../../src/core/event.js';
import type { BadValue } from '../../src/formats/spec.js';
import { avroValues, avroWriter } from '../../src/kafka/avro.js';
import type { StatelessStage } from '../../src/operators/types.js';
import { type Registry, startRegistry } from './registry-stub.js';

const SCHEMA = join(resolve(__dirname, '..', 'kafka', 'avro'), 'payment.avsc');
const src = { name: 't', topic: 't' };

const RECORDS: Value[] = [
  {
    id: 'p1', amount: '123.45', paid_at: '2023-11-14T22:13:20.123Z', seen_at: '2023-11-14T22:13:20.123456Z', due: '2023-12-09',
    count: '9007199254740993', note: 'first', status: 'PAID', tags: ['a', 'b'], attrs: { x: 1 }, raw: 'AQL/', ratio: 0.25, ok: true,
  },
  {
    id: 'p2', amount: '-1.23', paid_at: '1969-12-31T23:59:59.999Z', seen_at: '1969-12-31T23:59:59.999999Z', due: '1969-12-31',
    count: -5, note: null, status: 'OPEN', tags: [], attrs: {}, raw: '', ratio: -1.5, ok: false,
  },
];

/** Runs the writer's stage over records: the message values it made and the records it refused. */
function write(w: Awaited<ReturnType<typeof avroWriter>>, records: Value[]) {
  const bad: [number, string][] = [];
  const events = records.map((r, i) => makeEvent(r, undefined, { name: 'in' }, i + 1, 0));
  const stage = w.stage((ev, reason) => bad.push([ev.line, reason])) as StatelessStage;
  const out = stage.push(events) as Event[];
  return { values: out.map((ev) => w.value(ev)), bad };
}

async function readBack(values: Buffer[], registry: string | null) {
  const codec = await avroValues({ registry, schemaFile: registry === null ? SCHEMA : null, timeoutMs: 1000 });
  await codec.prepare(values);
  const out: Event[] = [];
  const bad: BadValue[] = [];
  values.forEach((v, i) => codec.decode(v, src, out, bad, () => `t/0@${i}`, 0));
  expect(bad).toEqual([]);
  return out.map((e) => e.value);
}

describe('-O avro', () => {
  let reg: Registry;
  beforeAll(async () => { reg = await startRegistry(); });
  afterAll(() => reg.close());

  it('bare: what -I avro prints, written back, reads as the same records (defaults filled in)', async () => {
    const w = await avroWriter({ schemaFile: SCHEMA, registry: null, subject: 'x', timeoutMs: 1000 });
    expect(w.id).toBeNull();
    const { note: _, ...withoutNote } = RECORDS[1] as { [k: string]: Value };
    const { values, bad } = write(w, [...RECORDS, withoutNote]);
    expect(bad).toEqual([]);
    // -1.23 at scale 2 is -123: one byte of two's complement (0x85), as Java's BigInteger.toByteArray writes it
    expect(values[1]!.subarray(3, 5)).toEqual(Buffer.from([0x02, 0x85]));
    expect(await readBack(values, null)).toEqual([...RECORDS, RECORDS[1]]);
  });

  it('--schema-registry: the schema is registered under the subject and values carry its id', async () => {
    const w = await avroWriter({ schemaFile: SCHEMA, registry: reg.url, subject: 'payments-value', timeoutMs: 1000 });
    expect(reg.log).toContain('POST /subjects/payments-value/versions');
    expect(w.id).toBe(1);
    const { values } = write(w, RECORDS);
    expect(values.map((v) => [...v.subarray(0, 5)])).toEqual([[0, 0, 0, 0, 1], [0, 0, 0, 0, 1]]);
    expect(await readBack(values, reg.url)).toEqual(RECORDS);
    // the same schema again: the same id
    expect((await avroWriter({ schemaFile: SCHEMA, registry: reg.url, subject: 'payments-value', timeoutMs: 1000 })).id).toBe(1);
  });

  it('a record that does not fit the schema is bad input naming the field; the others are written', async () => {
    const w = await avroWriter({ schemaFile: SCHEMA, registry: null, subject: 'x', timeoutMs: 1000 });
    const ok = RECORDS[0] as { [k: string]: Value };
    const { values, bad } = write(w, [
      { ...ok, id: undefined as unknown as Value },
      { ...ok, status: 'LOST' },
      { ...ok, amount: '1.234' },
      { ...ok, paid_at: 'yesterday' },
      { ...ok, count: 1.5 },
      { ...ok, attrs: { x: 'one' } },
      { ...ok, tags: ['a', 2] },
      { ...ok, note: 5 },
      { ...ok, raw: 'not base64!' },
      'a string',
      ok,
    ]);
    expect(values).toHaveLength(1);
    expect(bad).toEqual([
      [1, '-O avro: id: expected a string, got null'],
      [2, '-O avro: status: expected one of OPEN, PAID, got string "LOST"'],
      [3, '-O avro: amount: expected a decimal with at most 2 digits after the point, got string "1.234"'],
      [4, '-O avro: paid_at: expected an ISO-8601 timestamp such as "2023-11-14T22:13:20.123Z", got string "yesterday"'],
      [5, '-O avro: count: expected a long (a whole number), got number 1.5'],
      [6, '-O avro: attrs.x: expected an int (a whole number within 32 bits), got string "one"'],
      [7, '-O avro: tags[1]: expected a string, got number 2'],
      [8, '-O avro: note: number 5 fits none of the union\'s branches (null, string)'],
      [9, '-O avro: raw: expected bytes in base64, got string "not base64!"'],
      [10, '-O avro: the record: expected a record (an object), got string "a string"'],
    ]);
  });

  it('an unreachable registry is exit 69 before anything is written; a schema that is not Avro is a usage error', async () => {
    const gone = await startRegistry();
    await gone.close();
    await expect(avroWriter({ schemaFile: SCHEMA, registry: gone.url, subject: 's', timeoutMs: 1000 }))
      .rejects.toMatchObject({ exitCode: 69, message: `schema registry ${gone.url} unreachable (ECONNREFUSED)` });
    await expect(avroWriter({ schemaFile: join(__dirname, 'protobuf', 'order.proto'), registry: null, subject: 's', timeoutMs: 1000 }))
      .rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--value-schema .*order.proto: not an Avro schema/) });
  });
});
