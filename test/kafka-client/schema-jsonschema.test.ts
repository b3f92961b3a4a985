// src/kafka/jsonschema.ts without a broker: JSON values checked against a JSON Schema from a
// registry stand-in (registry-stub.ts; references included) or from a local file, and the
// per-message problems (not JSON, fails the schema, wrong magic byte, unknown id).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonSchemaValues } from '../../src/kafka/jsonschema.js';
import { confluentFramed, decodeAll, type Registry, startRegistry } from './registry-stub.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-jsonschema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MONEY = { $id: 'money.json', type: 'object', properties: { currency: { type: 'string', minLength: 3, maxLength: 3 }, units: { type: 'integer' } }, required: ['currency', 'units'] };
const PAYMENT = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 }, paid_at: { type: 'string', format: 'date-time' }, total: { $ref: 'money.json' } },
  required: ['id', 'amount'],
  additionalProperties: false,
};

function framed(id: number, json: string | Buffer): Buffer {
  return confluentFramed(id, Buffer.isBuffer(json) ? json : Buffer.from(json));
}

const run = decodeAll;

describe('-I jsonschema', () => {
  let reg: Registry;
  let id: number;
  beforeAll(async () => {
    reg = await startRegistry();
    reg.add('money', { schema: JSON.stringify(MONEY), schemaType: 'JSON' });
    id = reg.add('payments-value', { schema: JSON.stringify(PAYMENT), schemaType: 'JSON', references: [{ name: 'money.json', subject: 'money', version: 1 }] });
    reg.add('proto-value', { schema: 'syntax = "proto3"; message M {}', schemaType: 'PROTOBUF' });
  });
  afterAll(() => reg.close());

  it('--schema-registry: values that satisfy the schema (with a $ref to a referenced schema) are records; each one that does not is a bad message naming the place', async () => {
    const codec = await jsonSchemaValues({ registry: reg.url, schemaFile: null, timeoutMs: 1000 });
    const good = '{"id":"p1","amount":12.5,"paid_at":"2023-11-14T22:13:20.123Z","total":{"currency":"EUR","units":12}}';
    const r = await run(codec, [
      framed(id, good),
      framed(id, '{"id":"p2","amount":-1}'),
      framed(id, '{"id":"p3","amount":1,"paid_at":"yesterday"}'),
      framed(id, '{"id":"p4","amount":1,"total":{"currency":"EURO","units":1}}'),
      framed(id, '{"id":"p5","amount":1,"color":"red"}'),
      framed(id, '{"amount":1}'),
      framed(id, '{"id":"p6",'),
      framed(id, Buffer.from([0x7b, 0xff, 0x7d])),
      framed(id, ''),
      Buffer.from(good),
      framed(42, good),
      framed(3, good),
    ]);
    expect(r.values).toEqual([{ id: 'p1', amount: 12.5, paid_at: '2023-11-14T22:13:20.123Z', total: { currency: 'EUR', units: 12 } }]);
    expect(r.bad).toEqual([
      ['t/0@1', 'JSON Schema: /amount must be >= 0'],
      ['t/0@2', 'JSON Schema: /paid_at must match format "date-time"'],
      ['t/0@3', 'JSON Schema: /total/currency must NOT have more than 3 characters'],
      ['t/0@4', "JSON Schema: / must NOT have additional properties ('color')"],
      ['t/0@5', "JSON Schema: / must have required property 'id'"],
      ['t/0@6', expect.stringMatching(/^JSON Schema: the value is not JSON \(.+\)$/)],
      ['t/0@7', 'JSON Schema: the value is not JSON (not UTF-8)'],
      ['t/0@8', expect.stringMatching(/^JSON Schema: the value is not JSON \(.+\)$/)],
      ['t/0@9', 'not in the Confluent wire format (first byte 0x7b; expected 0x00 and a 4-byte schema id)'],
      ['t/0@10', `schema id 42 not found in the schema registry ${reg.url}`],
      ['t/0@11', 'schema id 3 is a PROTOBUF schema, not JSON Schema'],
    ]);
    expect(reg.log.filter((l) => l === `GET /schemas/ids/${id}`)).toHaveLength(1);
  });

  it('--value-schema: bare JSON checked against a local schema, the draft taken from $schema (2020-12 here)', async () => {
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object',
      properties: { tags: { type: 'array', prefixItems: [{ const: 'first' }], items: { type: 'integer' } } },
    }));
    const codec = await jsonSchemaValues({ registry: null, schemaFile: file, timeoutMs: 1000 });
    const r = await run(codec, [Buffer.from('{"tags":["first",1,2]}'), Buffer.from('{"tags":["first","x"]}'), Buffer.from('[1]')]);
    expect(r.values).toEqual([{ tags: ['first', 1, 2] }]);
    expect(r.bad).toEqual([['t/0@1', 'JSON Schema: /tags/1 must be integer'], ['t/0@2', 'JSON Schema: / must be object']]);
  });

  it('a local schema that is not JSON or not a schema is a usage error; a missing file is exit 69; an unreachable registry is exit 69', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{type: object');
    await expect(jsonSchemaValues({ registry: null, schemaFile: notJson, timeoutMs: 1000 })).rejects.toMatchObject({ exitCode: 2, message: `--value-schema ${notJson}: not JSON (it should hold one JSON Schema object)` });
    const badSchema = join(dir, 'bad.json');
    writeFileSync(badSchema, '{"type":"object","properties":{"a":{"$ref":"#/nowhere"}}}');
    await expect(jsonSchemaValues({ registry: null, schemaFile: badSchema, timeoutMs: 1000 })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/not a usable JSON Schema/) });
    await expect(jsonSchemaValues({ registry: null, schemaFile: join(dir, 'none.json'), timeoutMs: 1000 })).rejects.toMatchObject({ exitCode: 69 });
    const gone = await startRegistry();
    await gone.close();
    const codec = await jsonSchemaValues({ registry: gone.url, schemaFile: null, timeoutMs: 1000 });
    await expect(codec.prepare([framed(1, '{}')])).rejects.toMatchObject({ exitCode: 69, message: `schema registry ${gone.url} unreachable (ECONNREFUSED)` });
  });
});
