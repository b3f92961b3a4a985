// `sluice schema` inference, --schema violations and --drift, below the CLI.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ENUM_MAX, ENUM_MIN_RECORDS, SchemaInferrer } from '../../src/cli/schema-infer.js';
import { dateTimeTest, driftStage, schemaStage, violationText } from '../../src/cli/schema-check.js';
import { makeEvent, type Event, type Value } from '../../src/core/event.js';
import type { StatelessStage } from '../../src/operators/types.js';

const isDateTime = await dateTimeTest();

function infer(records: Value[]): Record<string, unknown> {
  const inf = new SchemaInferrer(isDateTime);
  for (const r of records) inf.add(r);
  return inf.schema();
}

function validator(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

const events = (values: Value[]): Event[] => values.map((v, i) => makeEvent(v, undefined, { name: 'in.ndjson' }, i + 1, 0));

describe('sluice schema: inference', () => {
  it('the inferred schema validates every record it came from (random records)', () => {
    const stamp = fc.date({ min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
    const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 4 }), fc.constantFrom('a', 'b', 'c'), stamp);
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('x', 'y', 'z', 'ts'), tie('v'), { maxKeys: 3 })),
    })).v as fc.Arbitrary<Value>;
    const record = fc.dictionary(fc.constantFrom('id', 'ts', 'level', 'amount', 'tags', 'user', 'odd key'), value, { maxKeys: 7 });
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (records) => {
      const validate = validator(infer(records));
      for (const r of records) expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    }), { numRuns: 40 });
  });

  it('types, nullable, required, ranges, date-time', () => {
    const s = infer([
      { id: 1, amount: 2, ts: '2024-01-01T00:00:00Z', note: 'x', opt: 1 },
      { id: 2, amount: 2.5, ts: '2024-01-01T10:00:00.5+02:00', note: null },
    ]) as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(s.properties.id).toEqual({ type: 'integer', minimum: 1, maximum: 2 });
    expect(s.properties.amount).toEqual({ type: 'number', minimum: 2, maximum: 2.5 });
    expect(s.properties.ts).toEqual({ type: 'string', format: 'date-time' });
    expect(s.properties.note).toEqual({ type: ['string', 'null'] });
    expect(s.required).toEqual(['id', 'amount', 'ts', 'note']);
  });

  it(`a string field is an enum with at most ${ENUM_MAX} distinct values over at least ${ENUM_MIN_RECORDS} records`, () => {
    const levels = (n: number, distinct: number) => Array.from({ length: n }, (_, i) => ({ level: `l${i % distinct}` }));
    const enumOf = (rs: Value[]) => (infer(rs) as { properties: { level: { enum?: string[] } } }).properties.level.enum;
    expect(enumOf(levels(ENUM_MIN_RECORDS, 3))).toEqual(['l0', 'l1', 'l2']);
    expect(enumOf(levels(ENUM_MIN_RECORDS - 1, 3))).toBeUndefined();
    expect(enumOf(levels(40, ENUM_MAX))).toHaveLength(ENUM_MAX);
    expect(enumOf(levels(40, ENUM_MAX + 1))).toBeUndefined();
  });
});

describe('--schema', () => {
  const validate = validator({ type: 'object', properties: { amount: { type: 'integer' }, level: { enum: ['info', 'warn'] } }, required: ['id'] });

  it('says where in the record, what was wanted and what it got', () => {
    const cases: [Value, string][] = [
      [{ id: 1, amount: 'x' }, 'schema: /amount must be integer (got "x")'],
      [{ amount: 1 }, "schema: / must have required property 'id'"],
      [{ id: 1, level: 'debug' }, 'schema: /level must be equal to one of the allowed values ["info","warn"] (got "debug")'],
    ];
    for (const [rec, text] of cases) {
      expect(validate(rec)).toBe(false);
      expect(violationText(validate.errors![0]!, rec)).toBe(text);
    }
  });

  it('passes good records on, and a bad one on or not as the policy says', () => {
    const batch = events([{ id: 1 }, { id: 2, amount: 0.5 }, { id: 3 }]);
    const seen: string[] = [];
    const keep = schemaStage(validate, (ev, m) => { seen.push(`${ev.line}: ${m}`); return true; }) as StatelessStage;
    expect(keep.push(batch)).toEqual(batch);
    expect(seen).toEqual(['2: schema: /amount must be integer (got 0.5)']);
    const drop = schemaStage(validate, () => false) as StatelessStage;
    expect(drop.push(batch).map((e) => e.line)).toEqual([1, 3]);
  });
});

describe('--drift', () => {
  function drift(values: Value[], schema: Record<string, unknown> | null = null): string[] {
    const said: string[] = [];
    const stage = driftStage(schema, (m) => said.push(m)) as StatelessStage;
    const evs = events(values);
    // in two batches: the state carries over
    stage.push(evs.slice(0, 2));
    stage.push(evs.slice(2));
    return said;
  }

  it('the first record where a field appears, vanishes or changes type, each once', () => {
    expect(drift([{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3 }, { a: 'q', b: 'z', c: true }, { a: 'r', c: false }])).toEqual([
      "in.ndjson:3: drift: field 'b' vanishes (every record before had it)",
      'in.ndjson:4: drift: field \'a\' changes type from integer to string (got "q")',
      "in.ndjson:4: drift: field 'c' appears (not in the 3 records before)",
    ]);
  });

  it('null, and a whole number becoming a fraction, are not changes of type', () => {
    expect(drift([{ a: 1 }, { a: null }, { a: 1.5 }, { a: 2 }])).toEqual([]);
  });

  it('relative to a schema', () => {
    const schema = { properties: { id: { type: 'integer' }, name: { type: 'string' } }, required: ['id', 'name'] };
    expect(drift([{ id: 1, name: 'a' }, { id: 'x', name: 'b', extra: 1 }, { id: 2 }], schema)).toEqual([
      'in.ndjson:2: drift: field \'id\' changes type from integer to string (got "x")',
      "in.ndjson:2: drift: field 'extra' appears (not in the schema)",
      "in.ndjson:3: drift: field 'name' vanishes (the schema requires it)",
    ]);
  });
});
