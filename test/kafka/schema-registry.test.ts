// -I protobuf, -I jsonschema and -O avro through a real broker. Values are produced by kcat
// (one file per message), protobuf messages encoded by protoc, Avro read back by Apache Avro's
// Java library (avro/AvroRead.java); schemas come from a stand-in that speaks the Confluent
// registry API (test/kafka-client/registry-stub.ts): no real registry can be run on this machine
// (src/kafka/README.md says why).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Registry, startRegistry } from '../kafka-client/registry-stub.js';
import { avroClasspath } from './avro/java.js';
import { kafkaPrerequisites } from './broker.js';
import { haveKcat, kcat, lines, records, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics } from './support.js';

const PROTO_DIR = resolve(__dirname, '..', 'kafka-client', 'protobuf');
const AVSC = resolve(__dirname, 'avro', 'payment.avsc');
const haveProtoc = !spawnSync('protoc', ['--version']).error;
const canRun = kafkaPrerequisites().missing.length === 0 && haveKcat && haveProtoc;

function framed(id: number, rest: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, rest]);
}

/** Each value as one message, produced by kcat from a file. */
async function produce(brokers: string, topic: string, dir: string, values: Buffer[]): Promise<void> {
  for (const [i, v] of values.entries()) {
    const f = join(dir, `${topic}-${i}.bin`);
    writeFileSync(f, v);
    const r = await kcat(['-b', brokers, '-P', '-t', topic, '-X', 'acks=all', f]);
    if (r.code !== 0) throw new Error(`kcat -P: ${r.stderr}`);
  }
}

/** The topic's message values as bytes, read by kcat (each printed as SIZE:BYTES). */
function consumeBytes(brokers: string, topic: string): Buffer[] {
  const out = spawnSync('kcat', ['-b', brokers, '-C', '-t', topic, '-e', '-o', 'beginning', '-q', '-f', '%S:%s'], { timeout: 60_000 }).stdout;
  const values: Buffer[] = [];
  for (let at = 0; at < out.length;) {
    const colon = out.indexOf(0x3a, at);
    const size = Number(out.subarray(at, colon).toString());
    values.push(out.subarray(colon + 1, colon + 1 + size));
    at = colon + 1 + size;
  }
  return values;
}

describeKafka('schema registry formats', () => {
  const B = kafkaBrokers() as string;
  const protoTopic = uniqueTopic('proto');
  const jsonTopic = uniqueTopic('jsonschema');
  const avroTopic = uniqueTopic('avro-out');
  let dir: string;
  let reg: Registry;
  let orderId: number;
  let jsonId: number;

  beforeAll(async () => {
    if (!canRun) return;
    dir = mkdtempSync(join(tmpdir(), 'sluice-schemas-'));
    reg = await startRegistry();
    reg.add('shop-common', { schema: readFileSync(join(PROTO_DIR, 'common.proto'), 'utf8'), schemaType: 'PROTOBUF' });
    orderId = reg.add('orders-value', {
      schema: readFileSync(join(PROTO_DIR, 'order.proto'), 'utf8'), schemaType: 'PROTOBUF',
      references: [{ name: 'common.proto', subject: 'shop-common', version: 1 }],
    });
    jsonId = reg.add('events-value', { schema: JSON.stringify({ type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 } }, required: ['id'] }), schemaType: 'JSON' });
    await createTopics(B, { [protoTopic]: 1, [jsonTopic]: 1, [avroTopic]: 1 });
    const enc = (type: string, file: string) => execFileSync('protoc', [`-I${PROTO_DIR}`, '-I/usr/include', `--encode=${type}`, join(PROTO_DIR, 'order.proto')], { input: readFileSync(join(PROTO_DIR, file)) });
    await produce(B, protoTopic, dir, [
      framed(orderId, Buffer.concat([Buffer.from([0]), enc('shop.Order', 'empty.txtpb')])),
      framed(orderId, Buffer.concat([Buffer.from([2, 2]), enc('shop.Refund', 'refund.txtpb')])),
      Buffer.from('{"not":"protobuf"}'),
    ]);
    await produce(B, jsonTopic, dir, [framed(jsonId, Buffer.from('{"id":"e1","amount":3}')), framed(jsonId, Buffer.from('{"id":"e2","amount":-3}'))]);
  }, 300_000);

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await reg?.close();
  });

  it.skipIf(!canRun)('-I protobuf --schema-registry: what protoc wrote, each type chosen by its message indexes; a value without the magic byte is counted, or exit 65 at its place', async () => {
    const r = await sluice([`kafka://${B}/${protoTopic}`, '-e', '-I', 'protobuf', '--schema-registry', reg.url, '--on-error', 'skip', '--stats']);
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual([
      { id: '', count: 0, serial: 0, raw: '', status: 'STATUS_UNKNOWN', paid_at: null, took: null, limit: null, extra: null, stock: {}, ratio: 0, weight: 0, total: null, lines: [], gift: false },
      { order_id: 'o1', amount: { currency: 'USD', units: 5 } },
    ]);
    expect(r.stderr).toMatch(/bad input\s+1\n/);
    const f = await sluice([`kafka://${B}/${protoTopic}`, '-e', '-I', 'protobuf', '--schema-registry', reg.url]);
    expect(f.code).toBe(65);
    expect(f.stderr).toContain(`${protoTopic}/0@2: not in the Confluent wire format (first byte 0x7b; expected 0x00 and a 4-byte schema id)`);
  }, 60_000);

  it.skipIf(!canRun)('-I jsonschema --schema-registry: a value that fails its schema is a warning naming the place', async () => {
    const r = await sluice([`kafka://${B}/${jsonTopic}`, '-e', '-I', 'jsonschema', '--schema-registry', reg.url, '--on-error', 'warn']);
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual([{ id: 'e1', amount: 3 }]);
    expect(lines(r.stderr)).toEqual([`sluice: ${jsonTopic}/0@1: JSON Schema: /amount must be >= 0`]);
  }, 60_000);

  it.skipIf(!canRun)('-O avro --schema-registry: framed with the registered id, read back by Apache Avro (Java) and by -I avro; a record that does not fit is counted', async () => {
    const input = [
      '{"id":"p1","amount":"123.45","paid_at":"2023-11-14T22:13:20.123Z","seen_at":"2023-11-14T22:13:20.123456Z","due":"2023-12-09","count":"9007199254740993","note":"first","status":"PAID","tags":["a","b"],"attrs":{"x":1},"raw":"AQL/","ratio":0.25,"ok":true}',
      '{"id":"bad","amount":"1.234"}',
      '{"id":"p2","amount":-1.23,"paid_at":"1969-12-31T23:59:59.999Z","seen_at":"1969-12-31T23:59:59.999999Z","due":"1969-12-31","count":-5,"status":"OPEN","tags":[],"attrs":{},"raw":"","ratio":-1.5,"ok":false}',
    ];
    const w = await sluice(['-I', 'ndjson', 'where true', '-', '--to', `kafka://${B}/${avroTopic}`, '-O', 'avro', '--value-schema', AVSC, '--schema-registry', reg.url, '--on-error', 'skip', '--stats'], { input: input.join('\n') + '\n' });
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/bad input\s+1\n/);
    expect(reg.log).toContain(`POST /subjects/${avroTopic}-value/versions`);
    const values = consumeBytes(B, avroTopic);
    expect(values).toHaveLength(2);
    const id = values[0]!.readInt32BE(1);
    expect(values.every((v) => v[0] === 0 && v.readInt32BE(1) === id)).toBe(true);
    const files = values.map((v, i) => {
      const f = join(dir, `avro-out-${i}.bin`);
      writeFileSync(f, v.subarray(5));
      return f;
    });
    const java = execFileSync('java', ['-cp', avroClasspath(), join(__dirname, 'avro', 'AvroRead.java'), AVSC, ...files], { encoding: 'utf8', timeout: 120_000 });
    // Avro's JSON encoding: decimals and bytes as \u00XX code points (12345 = 0x3039, -123 = 0x85)
    expect(java.trim().split('\n')).toEqual([
      '{"id":"p1","amount":"09","paid_at":1700000000123,"seen_at":1700000000123456,"due":19700,"count":9007199254740993,"note":{"string":"first"},"status":"PAID","tags":["a","b"],"attrs":{"x":1},"raw":"\\u0001\\u0002ÿ","ratio":0.25,"ok":true}',
      '{"id":"p2","amount":"\u0085","paid_at":-1,"seen_at":-1,"due":-1,"count":-5,"note":null,"status":"OPEN","tags":[],"attrs":{},"raw":"","ratio":-1.5,"ok":false}',
    ]);
    const back = await sluice(['select id, amount, count, note', `kafka://${B}/${avroTopic}`, '-e', '-I', 'avro', '--schema-registry', reg.url]);
    expect(back.stderr).toBe('');
    expect(records(back.stdout)).toEqual([{ id: 'p1', amount: '123.45', count: '9007199254740993', note: 'first' }, { id: 'p2', amount: '-1.23', count: -5, note: null }]);
  }, 300_000);
});
