// -I avro against a real broker, with values written by an independent encoder: Apache Avro's
// Java library from Maven Central (test/kafka/avro/AvroWrite.java) turns datums in Avro's JSON
// encoding into binary, kcat produces each file as one message, and sluice decodes them with
// --value-schema. The registry path (--schema-registry) is exercised here only as far as no
// registry is needed: a value not in the Confluent wire format, and a registry that cannot be
// reached (no Confluent-compatible registry could be run on this machine; see src/kafka/README.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaPrerequisites } from './broker.js';
import { avroClasspath } from './avro/java.js';
import { haveKcat, kcat, lines, records, sluice } from './cli.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics } from './support.js';

/** A port nothing listens on (taken from the OS, then let go). */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => done(port));
    });
  });
}

const HERE = resolve(__dirname, 'avro');
const SCHEMA = join(HERE, 'payment.avsc');
const canRun = kafkaPrerequisites().missing.length === 0 && haveKcat;

/** Datums (Avro JSON encoding) → one bare binary Avro file each, by Apache Avro's Java library. */
function javaAvro(datums: string[], out: string): string[] {
  mkdirSync(out, { recursive: true });
  const r = spawnSync('java', ['-cp', avroClasspath(), join(HERE, 'AvroWrite.java'), SCHEMA, out], { input: datums.join('\n') + '\n', encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`AvroWrite failed: ${r.stderr}`);
  return readdirSync(out).sort().map((f) => join(out, f));
}

// Avro JSON encoding: bytes as \u00XX code points; decimal 12345 (0x3039) and -123 (0xff85), scale 2
const DATUMS = [
  '{"id":"p1","amount":"\\u0030\\u0039","paid_at":1700000000123,"seen_at":1700000000123456,"due":19700,"count":9007199254740993,"note":{"string":"first"},"status":"PAID","tags":["a","b"],"attrs":{"x":1},"raw":"\\u0001\\u0002\\u00ff","ratio":0.25,"ok":true}',
  '{"id":"p2","amount":"\\u00ff\\u0085","paid_at":-1,"seen_at":-1,"due":-1,"count":-5,"note":null,"status":"OPEN","tags":[],"attrs":{},"raw":"","ratio":-1.5,"ok":false}',
];

const EXPECTED = [
  {
    id: 'p1', amount: '123.45', paid_at: '2023-11-14T22:13:20.123Z', seen_at: '2023-11-14T22:13:20.123456Z', due: '2023-12-09',
    count: '9007199254740993', note: 'first', status: 'PAID', tags: ['a', 'b'], attrs: { x: 1 }, raw: 'AQL/', ratio: 0.25, ok: true,
  },
  {
    id: 'p2', amount: '-1.23', paid_at: '1969-12-31T23:59:59.999Z', seen_at: '1969-12-31T23:59:59.999999Z', due: '1969-12-31',
    count: -5, note: null, status: 'OPEN', tags: [], attrs: {}, raw: '', ratio: -1.5, ok: false,
  },
];

describeKafka('-I avro', () => {
  const B = kafkaBrokers() as string;
  const topic = uniqueTopic('avro');
  const framed = uniqueTopic('avro-framed');
  let dir: string;

  beforeAll(async () => {
    if (!canRun) return;
    dir = mkdtempSync(join(tmpdir(), 'sluice-avro-'));
    const files = javaAvro(DATUMS, join(dir, 'bin'));
    writeFileSync(join(dir, 'bad.bin'), 'not avro at all');
    // the first value again, in the Confluent wire format with schema id 7
    writeFileSync(join(dir, 'framed.bin'), Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), readFileSync(files[0]!)]));
    await createTopics(B, { [topic]: 1, [framed]: 1 });
    for (const f of [...files, join(dir, 'bad.bin')]) {
      const r = await kcat(['-b', B, '-P', '-t', topic, '-X', 'acks=all', f]);
      if (r.code !== 0) throw new Error(`kcat -P ${f}: ${r.stderr}`);
    }
    const r = await kcat(['-b', B, '-P', '-t', framed, '-X', 'acks=all', join(dir, 'framed.bin')]);
    if (r.code !== 0) throw new Error(`kcat -P framed: ${r.stderr}`);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!canRun)('--value-schema: what Apache Avro (Java) wrote, with logical types as people read them; a bad value is counted', async () => {
    const r = await sluice([`kafka://${B}/${topic}`, '-e', '-I', 'avro', '--value-schema', SCHEMA, '--on-error', 'skip', '--stats']);
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual(EXPECTED);
    expect(r.stderr).toMatch(/bad input\s+1\n/);
  }, 60_000);

  it.skipIf(!canRun)('a value that is not Avro for the schema: exit 65 with its place (--on-error fail), a warning under warn', async () => {
    const r = await sluice([`kafka://${B}/${topic}`, '-e', '-I', 'avro', '--value-schema', SCHEMA]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(`${topic}/0@2`);
    expect(r.stderr).toContain('Avro:');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const w = await sluice(['select id', `kafka://${B}/${topic}`, '-e', '-I', 'avro', '--value-schema', SCHEMA, '--on-error', 'warn']);
    expect(w.code).toBe(0);
    expect(records(w.stdout)).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(lines(w.stderr)).toHaveLength(1);
    expect(w.stderr).toContain(`${topic}/0@2`);
  }, 60_000);

  it.skipIf(!canRun)('--schema-registry: a value without the magic byte is a bad message; an unreachable registry is exit 69', async () => {
    const r = await sluice([`kafka://${B}/${topic}`, '-e', '-I', 'avro', '--schema-registry', 'http://127.0.0.1:9', '--on-error', 'warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(3);
    expect(r.stderr).toContain('not in the Confluent wire format (first byte 0x04; expected 0x00 and a 4-byte schema id)');
    const closed = await closedPort();
    const u = await sluice([`kafka://${B}/${framed}`, '-e', '-I', 'avro', '--schema-registry', `http://127.0.0.1:${closed}/`]);
    expect(u.code).toBe(69);
    expect(u.stderr).toBe(`sluice: schema registry http://127.0.0.1:${closed} unreachable (ECONNREFUSED)\n`);
  }, 60_000);
});
