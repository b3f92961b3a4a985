// src/kafka/protobuf.ts without a broker: messages written by protoc (`protoc --encode`, Google's
// own encoder, not protobufjs) from the text-format files in protobuf/, decoded bare
// (--value-schema, --value-type) and in the Confluent wire format with schemas and references from
// a registry stand-in (registry-stub.ts); then the per-message problems. test/kafka/schema-registry
// .test.ts runs the same through a real broker.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIndexes, protobufValues } from '../../src/kafka/protobuf.js';
import { confluentFramed, decodeAll, type Registry, startRegistry } from './registry-stub.js';

const HERE = resolve(__dirname, 'protobuf');
const ORDER = join(HERE, 'order.proto');
const haveProtoc = !spawnSync('protoc', ['--version']).error;

/** A message in protobuf binary, encoded by protoc from a text-format file. */
function protoc(type: string, textFile: string): Buffer {
  return execFileSync('protoc', [`-I${HERE}`, '-I/usr/include', `--encode=${type}`, ORDER], { input: readFileSync(join(HERE, textFile)) });
}

/** Confluent framing: 0, the schema id, the message indexes (already encoded), the message. */
function framed(id: number, indexes: number[], msg: Buffer): Buffer {
  return confluentFramed(id, Buffer.concat([Buffer.from(indexes), msg]));
}

const run = decodeAll;

// what full.txtpb says, as the header of src/kafka/protobuf.ts promises to print it
const FULL = {
  id: 'o1', count: '9007199254740993', serial: '18446744073709551615', raw: 'AQL/', status: 'PAID',
  paid_at: '2023-11-14T22:13:20.123Z', took: '1.500s', limit: -7, extra: { tag: 'x', n: [1.5, null, true] },
  stock: { a: 3 }, ratio: 0.1, weight: -2.5, note: '', total: { currency: 'EUR', units: -12 },
  lines: [{ sku: 's1', qty: 2 }, { sku: 's2', qty: '18446744073709551615' }], iban: 'DE00', gift: false,
};
// an empty message: proto3 defaults shown, unset messages null, unset oneof and optional left out
const EMPTY = {
  id: '', count: 0, serial: 0, raw: '', status: 'STATUS_UNKNOWN', paid_at: null, took: null, limit: null, extra: null,
  stock: {}, ratio: 0, weight: 0, total: null, lines: [], gift: false,
};

describe.skipIf(!haveProtoc)('-I protobuf', () => {
  let reg: Registry;
  let orderId: number;
  beforeAll(async () => {
    reg = await startRegistry();
    const common = readFileSync(join(HERE, 'common.proto'), 'utf8');
    reg.add('shop-common', { schema: common, schemaType: 'PROTOBUF' });
    orderId = reg.add('orders-value', {
      schema: readFileSync(ORDER, 'utf8'), schemaType: 'PROTOBUF',
      references: [{ name: 'common.proto', subject: 'shop-common', version: 1 }],
    });
    reg.add('avro-value', { schema: '"string"' });
  });
  afterAll(() => reg.close());

  it('--value-schema: bare messages of the first message type, in the JSON mapping with proto field names', async () => {
    const codec = await protobufValues({ registry: null, schemaFile: ORDER, timeoutMs: 1000 });
    const r = await run(codec, [protoc('shop.Order', 'full.txtpb'), protoc('shop.Order', 'empty.txtpb')]);
    expect(r.bad).toEqual([]);
    expect(r.values).toEqual([FULL, EMPTY]);
    // field order is the .proto's
    expect(Object.keys(r.values[0] as object)).toEqual(Object.keys(FULL));
  });

  it('--value-type picks another message, nested ones too; an unknown one is a usage error naming those there are', async () => {
    const refund = await protobufValues({ registry: null, schemaFile: ORDER, valueType: 'shop.Refund', timeoutMs: 1000 });
    expect((await run(refund, [protoc('shop.Refund', 'refund.txtpb')])).values).toEqual([{ order_id: 'o1', amount: { currency: 'USD', units: 5 } }]);
    const line = await protobufValues({ registry: null, schemaFile: ORDER, valueType: 'shop.Order.Line', timeoutMs: 1000 });
    expect((await run(line, [protoc('shop.Order.Line', 'line.txtpb')])).values).toEqual([{ sku: 's9', qty: 1 }]);
    await expect(protobufValues({ registry: null, schemaFile: ORDER, valueType: 'shop.Nope', timeoutMs: 1000 }))
      .rejects.toThrow(/--value-type shop.Nope: no such message in .*order.proto \(it has shop.Order, shop.Refund\)/);
  });

  it('--schema-registry: the message indexes choose the type ([0] written as one 0), references are fetched, each id once', async () => {
    const codec = await protobufValues({ registry: reg.url, schemaFile: null, timeoutMs: 1000 });
    const full = protoc('shop.Order', 'full.txtpb');
    const r = await run(codec, [
      framed(orderId, [0], full),
      framed(orderId, [2, 0], full), // count 1, index 0: the long form of [0]
      framed(orderId, [2, 2], protoc('shop.Refund', 'refund.txtpb')), // [1]: Refund
      framed(orderId, [4, 0, 0], protoc('shop.Order.Line', 'line.txtpb')), // [0, 0]: Order.Line
    ]);
    expect(r.bad).toEqual([]);
    expect(r.values).toEqual([FULL, FULL, { order_id: 'o1', amount: { currency: 'USD', units: 5 } }, { sku: 's9', qty: 1 }]);
    await run(codec, [framed(orderId, [0], full)]);
    expect(reg.log.filter((l) => l === `GET /schemas/ids/${orderId}`)).toHaveLength(1);
    expect(reg.log).toContain('GET /subjects/shop-common/versions/1');
  });

  it('bad values are bad messages at their place: wrong magic byte, empty, unknown id, another kind of schema, bad indexes, cut short, junk', async () => {
    const codec = await protobufValues({ registry: reg.url, schemaFile: null, timeoutMs: 1000 });
    const full = protoc('shop.Order', 'full.txtpb');
    const r = await run(codec, [
      Buffer.concat([Buffer.from([1]), full]),
      Buffer.alloc(0),
      framed(99, [0], full),
      framed(3, [0], full),
      framed(orderId, [2, 10], full),
      Buffer.concat([framed(orderId, [0], Buffer.alloc(0)).subarray(0, 5), Buffer.from([0x80])]),
      framed(orderId, [0], full.subarray(0, 12)),
      framed(orderId, [0], Buffer.from('\x0f junk')),
      framed(orderId, [0], full),
    ]);
    expect(r.values).toEqual([FULL]);
    expect(r.bad).toEqual([
      ['t/0@0', 'not in the Confluent wire format (first byte 0x01; expected 0x00 and a 4-byte schema id)'],
      ['t/0@1', 'not in the Confluent wire format (an empty value; expected 0x00 and a 4-byte schema id)'],
      ['t/0@2', `schema id 99 not found in the schema registry ${reg.url}`],
      ['t/0@3', 'schema id 3 is an AVRO schema, not Protobuf'],
      ['t/0@4', `Protobuf: schema id ${orderId} has no message at index [5]`],
      ['t/0@5', 'Protobuf: the message indexes after the schema id are cut short or invalid'],
      ['t/0@6', expect.stringMatching(/^Protobuf: not a valid shop.Order message \(index out of range/)],
      ['t/0@7', expect.stringMatching(/^Protobuf: not a valid shop.Order message \(invalid wire type 7/)],
    ]);
  });

  it('a registry that cannot be reached or answers an error ends the run (exit 69)', async () => {
    const other = await startRegistry();
    await other.close();
    const codec = await protobufValues({ registry: other.url, schemaFile: null, timeoutMs: 1000 });
    await expect(codec.prepare([framed(1, [0], Buffer.alloc(0))])).rejects.toMatchObject({ exitCode: 69, message: `schema registry ${other.url} unreachable (ECONNREFUSED)` });
    const failing500 = await startRegistry();
    failing500.failWith(500);
    const failing = await protobufValues({ registry: failing500.url, schemaFile: null, timeoutMs: 1000 });
    await expect(failing.prepare([framed(1, [0], Buffer.alloc(0))])).rejects.toMatchObject({ exitCode: 69, message: expect.stringContaining('GET /schemas/ids/1 answered 500') });
    await failing500.close();
  });

  it('message indexes: zigzag varints, a count of 0 meaning [0]', () => {
    expect(messageIndexes(Buffer.from([0, 9]))).toEqual({ indexes: [0], at: 1 });
    expect(messageIndexes(Buffer.from([4, 2, 6]))).toEqual({ indexes: [1, 3], at: 3 });
    expect(messageIndexes(Buffer.from([2, 0x80]))).toMatch(/cut short/);
    expect(messageIndexes(Buffer.from([1]))).toMatch(/cut short or invalid/);
  });
});
