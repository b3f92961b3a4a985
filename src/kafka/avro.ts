// `-I avro`: Kafka message values in Avro, decoded with avsc (loaded only when -I avro is used:
// the source imports this module dynamically). Two ways to know the schema:
//   --schema-registry URL   values in the Confluent wire format (magic byte 0, 4-byte schema id,
//                           the Avro datum); schemas fetched once each (src/kafka/schema-registry.ts)
//   --value-schema FILE     bare Avro datums written with the schema in FILE (.avsc JSON)
// Values become plain records, printed as people read them rather than as Avro's JSON encoding:
// timestamp-millis/-micros → ISO-8601 UTC text, local-timestamp-* → the same without Z, date →
// "YYYY-MM-DD", time-millis/-micros → "HH:MM:SS.fff", decimal → the exact decimal as a string,
// bytes and fixed → base64, a long beyond 2^53 → its exact digits as a string, unions → the
// bare value (wrapped as {"branch": value} only where avsc cannot tell branches apart).

import { readFile } from 'node:fs/promises';
import type { Schema, Type } from 'avsc';
import type { Event, Source, Value } from '../core/event.js';
import { makeEvent } from '../core/event.js';
import { UnavailableError, UsageError } from '../errors/errors.js';
import type { BadValue } from '../formats/spec.js';
import { type BinaryValues, framedValues, SchemaRegistry, type SchemaOptions } from './schema-registry.js';

export type AvroOptions = SchemaOptions;

type Avsc = typeof import('avsc');

const DAY_MS = 86_400_000;

function big(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function isoFromMicros(us: bigint, zone: string): string {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  const rest = us - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 23)}${rest.toString().padStart(3, '0')}${zone}`;
}

function timeOfDay(us: bigint, digits: 3 | 6): string {
  const s = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, '0').slice(0, digits);
  const hh = (s / 3600n).toString().padStart(2, '0');
  const mm = ((s / 60n) % 60n).toString().padStart(2, '0');
  const ss = (s % 60n).toString().padStart(2, '0');
  return `${hh}:${mm}:${ss}.${frac}`;
}

function decimalText(buf: Buffer, scale: number): string {
  if (buf.length === 0) return '0';
  let n = 0n;
  for (const b of buf) n = (n << 8n) | BigInt(b);
  if (buf[0]! & 0x80) n -= 1n << BigInt(buf.length * 8);
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

/** avsc types: longs as exact bigints, the logical types above as display values. */
function typeFactory(avsc: Avsc): (schema: Schema) => Type {
  const { LogicalType, LongType } = avsc.types;
  const long = LongType.__with({
    fromBuffer: (b: Buffer) => b.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(big(n));
      return b;
    },
    fromJSON: (x: unknown) => big(x),
    toJSON: (n: bigint) => Number(n),
    isValid: (n: unknown) => typeof n === 'bigint',
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const display = (fromValue: (v: unknown, schema: { scale?: number }) => unknown) =>
    class extends LogicalType {
      readonly #schema: { scale?: number };
      constructor(schema: Schema, opts?: unknown) {
        super(schema, opts);
        this.#schema = schema as { scale?: number };
      }
      protected override _fromValue(v: unknown): unknown { return fromValue(v, this.#schema); }
      protected override _toValue(v: unknown): unknown { return v; }
    };
  const logicalTypes = {
    'timestamp-millis': display((v) => isoFromMicros(big(v) * 1000n, 'Z').slice(0, 23) + 'Z'),
    'timestamp-micros': display((v) => isoFromMicros(big(v), 'Z')),
    'local-timestamp-millis': display((v) => isoFromMicros(big(v) * 1000n, '').slice(0, 23)),
    'local-timestamp-micros': display((v) => isoFromMicros(big(v), '')),
    date: display((v) => new Date(Number(v) * DAY_MS).toISOString().slice(0, 10)),
    'time-millis': display((v) => timeOfDay(big(v) * 1000n, 3)),
    'time-micros': display((v) => timeOfDay(big(v), 6)),
    decimal: display((v, s) => decimalText(v as Buffer, s.scale ?? 0)),
  };
  return (schema) => avsc.Type.forSchema(schema, { logicalTypes, registry: { long }, wrapUnions: 'auto' } as never);
}

/** A decoded avsc value as a sluice value: plain objects, base64 for bytes, numbers or exact digits for longs. */
function plain(v: unknown): Value {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'bigint': return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'string': case 'number': case 'boolean': return v;
    case 'object':
      if (Buffer.isBuffer(v)) return v.toString('base64');
      if (Array.isArray(v)) return v.map(plain);
      {
        const out: { [k: string]: Value } = {};
        for (const k of Object.keys(v)) out[k] = plain((v as { [k: string]: unknown })[k]);
        return out;
      }
    default: return null;
  }
}

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/truncated buffer|invalid|RangeError|out of range|offset/i.test(m) && !/trailing/.test(m)) return `not a valid Avro value for the schema (${m})`;
  return m;
}

export async function avroValues(opts: AvroOptions): Promise<BinaryValues> {
  if ((opts.registry === null) === (opts.schemaFile === null)) {
    throw new UsageError('-I avro needs one of --schema-registry URL (Confluent wire format) or --value-schema FILE (bare Avro values)');
  }
  const avsc = (await import('avsc')).default as unknown as Avsc;
  const typeFor = typeFactory(avsc);
  const emit = (type: Type, body: Buffer, raw: Buffer, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number) => {
    let value: unknown;
    try {
      value = type.fromBuffer(body);
    } catch (e) {
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `Avro: ${reason(e)}`, where: where() });
      return;
    }
    out.push(makeEvent(plain(value), undefined, src, 0, ts));
  };

  if (opts.schemaFile !== null) {
    const file = opts.schemaFile;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UnavailableError(`cannot read '${file}' (--value-schema): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let type: Type;
    try {
      type = typeFor(JSON.parse(text) as Schema);
    } catch (e) {
      throw new UsageError(`--value-schema ${file}: not an Avro schema (${e instanceof Error ? e.message : String(e)})`);
    }
    return {
      prepare: async () => undefined,
      decode: (bytes, src, out, bad, where, ts) => emit(type, bytes, bytes, src, out, bad, where, ts),
    };
  }

  const registry = new SchemaRegistry<Type>(opts.registry!, opts.timeoutMs, async (got, id) => {
    if (got.schemaType !== 'AVRO') return `schema id ${id} is a ${got.schemaType} schema, not Avro`;
    try {
      return typeFor(JSON.parse(got.schema) as Schema);
    } catch (e) {
      return `schema id ${id} is not a valid Avro schema (${e instanceof Error ? e.message : String(e)})`;
    }
  });
  return framedValues(registry, (type, body, raw, src, out, bad, where, ts) => emit(type, body, raw, src, out, bad, where, ts));
}
