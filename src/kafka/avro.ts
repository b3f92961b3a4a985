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

import type { Schema, Type } from 'avsc';
import type { Event, Source, Value } from '../core/event.js';
import { makeEvent } from '../core/event.js';
import { UsageError } from '../errors/errors.js';
import type { BadValue } from '../formats/spec.js';
import { stateless, type Stage } from '../operators/types.js';
import { type BinaryValues, framedValues, otherKind, readValueSchema, SchemaRegistry, type SchemaOptions } from './schema-registry.js';

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

/** Avro's long as an exact bigint (avsc's default loses digits beyond 2^53). */
function exactLong(avsc: Avsc): unknown {
  return avsc.types.LongType.__with({
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
}

/** avsc types: longs as exact bigints, the logical types above as display values. */
function typeFactory(avsc: Avsc): (schema: Schema) => Type {
  const { LogicalType } = avsc.types;
  const long = exactLong(avsc);
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
    const text = await readValueSchema(file);
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
    if (got.schemaType !== 'AVRO') return otherKind(id, got.schemaType, 'Avro');
    try {
      return typeFor(JSON.parse(got.schema) as Schema);
    } catch (e) {
      return `schema id ${id} is not a valid Avro schema (${e instanceof Error ? e.message : String(e)})`;
    }
  });
  return framedValues(registry, (type, body, raw, src, out, bad, where, ts) => emit(type, body, raw, src, out, bad, where, ts));
}

// ---- writing: --to kafka://… -O avro --value-schema FILE.avsc [--schema-registry URL [--subject S]]

export interface AvroWriteOptions {
  schemaFile: string;
  registry: string | null;
  /** the registry subject (default TOPIC-value, Confluent's TopicNameStrategy) */
  subject: string;
  timeoutMs: number;
}

export interface AvroWriter {
  /** the Confluent schema id the values are framed with (null: bare Avro) */
  readonly id: number | null;
  /** the last stage: encodes each record, and hands those that do not fit to `bad` (--on-error) */
  stage(bad: (ev: Event, reason: string) => void): Stage;
  /** the message value of an event the stage encoded */
  value(ev: Event): Buffer;
}

/** Thrown while converting a record: names the field (a path) where it does not fit. */
class NoFit extends Error {}

type Named = Map<string, object>;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function kind(v: Value): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function asLong(v: Value, at: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = BigInt(v);
    if (n >= LONG_MIN && n <= LONG_MAX) return n;
  }
  throw new NoFit(`${at}: expected a long (a whole number), got ${kind(v)}`);
}

/** ISO-8601 text (or epoch milliseconds) → microseconds since the epoch. */
function microsOf(v: Value, at: string, local: boolean): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v) * 1000n;
  if (typeof v === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
    if (m && (local ? m[3] === undefined : true)) {
      const ms = Date.parse(`${m[1]!.replace(' ', 'T')}${m[3] ?? 'Z'}`);
      if (!Number.isNaN(ms)) return BigInt(ms) * 1000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 6));
    }
  }
  throw new NoFit(`${at}: expected an ISO-8601 ${local ? 'local ' : ''}timestamp such as "2023-11-14T22:13:20.123${local ? '' : 'Z'}", got ${kind(v)}`);
}

function decimalBytes(v: Value, scale: number, size: number | null, at: string): Buffer {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '') || (m[3] ?? '').length > scale) {
    throw new NoFit(`${at}: expected a decimal with at most ${scale} digits after the point, got ${kind(v)}`);
  }
  let n = BigInt(`${m[2] || '0'}${(m[3] ?? '').padEnd(scale, '0')}`);
  if (m[1] === '-') n = -n;
  let len = 1;
  while (n < -(1n << BigInt(len * 8 - 1)) || n >= 1n << BigInt(len * 8 - 1)) len++;
  if (size !== null && len > size) throw new NoFit(`${at}: ${text} does not fit in ${size} bytes`);
  const out = Buffer.alloc(size ?? len);
  let u = BigInt.asUintN(out.length * 8, n);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

function base64(v: Value, at: string, size: number | null): Buffer {
  if (typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    const b = Buffer.from(v, 'base64');
    if (size === null || b.length === size) return b;
    throw new NoFit(`${at}: expected ${size} bytes (in base64), got ${b.length}`);
  }
  throw new NoFit(`${at}: expected bytes in base64, got ${kind(v)}`);
}

/**
 * A record (as sluice prints Avro: logical types as text, bytes base64, unions bare) → the value
 * avsc writes with the schema read without logical types and with wrapped unions.
 */
function toAvro(schema: unknown, v: Value, at: string, named: Named, ns: string): unknown {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null': if (v === null) return null; break;
      case 'boolean': if (typeof v === 'boolean') return v; break;
      case 'int': if (typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) return v; break;
      case 'long': return asLong(v, at);
      case 'float': case 'double':
        if (typeof v === 'number') return v;
        if (v === 'NaN') return Number.NaN;
        if (v === 'Infinity' || v === '-Infinity') return v === 'Infinity' ? Infinity : -Infinity;
        break;
      case 'string': if (typeof v === 'string') return v; break;
      case 'bytes': return base64(v, at, null);
      default: {
        const def = named.get(schema) ?? named.get(`${ns}.${schema}`);
        if (def === undefined) throw new NoFit(`${at}: the schema names an unknown type '${schema}'`);
        return toAvro(def, v, at, named, ns);
      }
    }
    throw new NoFit(`${at}: expected ${schema === 'int' ? 'an int (a whole number within 32 bits)' : `a ${schema}`}, got ${kind(v)}`);
  }
  if (Array.isArray(schema)) {
    // unions: the first branch the value fits, wrapped as {branch: value} (null bare)
    const why: string[] = [];
    for (const branch of schema) {
      try {
        const x = toAvro(branch, v, at, named, ns);
        if (branch === 'null') return null;
        return { [branchName(branch, ns)]: x };
      } catch (e) {
        if (!(e instanceof NoFit)) throw e;
        why.push(branchName(branch, ns));
      }
    }
    throw new NoFit(`${at}: ${kind(v)} fits none of the union's branches (${why.join(', ')})`);
  }
  const s = schema as { type: unknown; logicalType?: string; name?: string; namespace?: string; fields?: { name: string; type: unknown; default?: unknown }[]; items?: unknown; values?: unknown; symbols?: string[]; size?: number; scale?: number };
  switch (s.logicalType) {
    case 'timestamp-millis': return microsOf(v, at, false) / 1000n;
    case 'timestamp-micros': return microsOf(v, at, false);
    case 'local-timestamp-millis': return microsOf(v, at, true) / 1000n;
    case 'local-timestamp-micros': return microsOf(v, at, true);
    case 'date':
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) return Date.parse(v) / DAY_MS;
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      throw new NoFit(`${at}: expected a date such as "2023-12-09", got ${kind(v)}`);
    case 'time-millis': case 'time-micros': {
      const m = typeof v === 'string' ? /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(v) : null;
      if (m) {
        const us = ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
        return s.logicalType === 'time-millis' ? Number(us / 1000n) : us;
      }
      throw new NoFit(`${at}: expected a time of day such as "12:34:56.789", got ${kind(v)}`);
    }
    case 'decimal': return decimalBytes(v, s.scale ?? 0, s.type === 'fixed' ? s.size ?? 0 : null, at);
  }
  const space = s.namespace ?? (s.name?.includes('.') ? s.name.slice(0, s.name.lastIndexOf('.')) : ns);
  switch (s.type) {
    case 'record': case 'error': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NoFit(`${at}: expected a record (an object), got ${kind(v)}`);
      const out: { [k: string]: unknown } = {};
      for (const f of s.fields ?? []) {
        const path = at === '' ? f.name : `${at}.${f.name}`;
        const x = (v as { [k: string]: Value })[f.name];
        if (x === undefined && 'default' in f) {
          out[f.name] = toAvro(f.type, f.default as Value, path, named, space);
          continue;
        }
        out[f.name] = toAvro(f.type, x === undefined ? null : x, path, named, space);
      }
      return out;
    }
    case 'enum':
      if (typeof v === 'string' && (s.symbols ?? []).includes(v)) return v;
      throw new NoFit(`${at}: expected one of ${(s.symbols ?? []).join(', ')}, got ${kind(v)}`);
    case 'array':
      if (!Array.isArray(v)) throw new NoFit(`${at}: expected an array, got ${kind(v)}`);
      return v.map((x, i) => toAvro(s.items, x, `${at}[${i}]`, named, space));
    case 'map': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NoFit(`${at}: expected a map (an object), got ${kind(v)}`);
      const out: { [k: string]: unknown } = {};
      for (const [k, x] of Object.entries(v)) out[k] = toAvro(s.values, x, `${at}.${k}`, named, space);
      return out;
    }
    case 'fixed': return base64(v, at, s.size ?? 0);
    default: return toAvro(s.type, v, at, named, space);
  }
}

function fullName(name: string, ns: string): string {
  return name.includes('.') || ns === '' ? name : `${ns}.${name}`;
}

/** The key avsc's wrapped unions use for a branch. */
function branchName(branch: unknown, ns: string): string {
  if (typeof branch === 'string') return ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'].includes(branch) ? branch : fullName(branch, ns);
  const b = branch as { type: unknown; name?: string; namespace?: string };
  if (b.name !== undefined && ['record', 'error', 'enum', 'fixed'].includes(b.type as string)) return fullName(b.name, b.namespace ?? ns);
  return typeof b.type === 'string' ? branchName(b.type, ns) : 'union';
}

/**
 * The schema with {"type": "long", "logicalType": …} and the like as the bare primitive name: the
 * writer converts logical types itself, and avsc takes its registry's exact long only by name.
 */
function primitivesBare(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(primitivesBare);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as { [k: string]: unknown };
  if (typeof s.type === 'string' && ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'].includes(s.type)) return s.type;
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'fields') out[k] = (v as { [k: string]: unknown }[]).map((f) => ({ ...f, type: primitivesBare(f.type) }));
    else if (k === 'type' || k === 'items' || k === 'values') out[k] = primitivesBare(v);
    else if (k !== 'logicalType') out[k] = v;
  }
  return out;
}

/** Named types of a schema by full name (and short name) for the walk above. */
function collectNamed(schema: unknown, ns: string, into: Named): void {
  if (Array.isArray(schema)) {
    for (const b of schema) collectNamed(b, ns, into);
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as { type: unknown; name?: string; namespace?: string; fields?: { type: unknown }[]; items?: unknown; values?: unknown };
  let space = ns;
  if (typeof s.name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(s.type as string)) {
    const full = fullName(s.name, s.namespace ?? ns);
    into.set(full, s);
    if (!into.has(s.name)) into.set(s.name, s);
    space = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
  }
  for (const f of s.fields ?? []) collectNamed(f.type, space, into);
  if (s.items !== undefined) collectNamed(s.items, space, into);
  if (s.values !== undefined) collectNamed(s.values, space, into);
  if (typeof s.type === 'object') collectNamed(s.type, space, into);
}

export async function avroWriter(opts: AvroWriteOptions): Promise<AvroWriter> {
  const avsc = (await import('avsc')).default as unknown as Avsc;
  const text = await readValueSchema(opts.schemaFile);
  let schema: unknown;
  let writer: Type;
  try {
    schema = JSON.parse(text);
    // logical types are converted by toAvro; longs are exact (bigint); unions wrapped, as toAvro makes them
    const long = exactLong(avsc);
    writer = avsc.Type.forSchema(primitivesBare(schema) as Schema, { registry: { long }, wrapUnions: true } as never);
  } catch (e) {
    throw new UsageError(`--value-schema ${opts.schemaFile}: not an Avro schema (${e instanceof Error ? e.message : String(e)})`);
  }
  const named: Named = new Map();
  collectNamed(schema, '', named);
  let id: number | null = null;
  if (opts.registry !== null) {
    const registry = new SchemaRegistry<never>(opts.registry, opts.timeoutMs, async () => 'unused');
    id = await registry.register(opts.subject, JSON.stringify(schema), 'AVRO');
  }
  const head = Buffer.alloc(5);
  if (id !== null) head.writeInt32BE(id, 1);
  const encoded = new WeakMap<Event, Buffer>();
  return {
    id,
    stage(bad) {
      return stateless((batch) => {
        const out: Event[] = [];
        for (const ev of batch) {
          let datum: Buffer;
          try {
            datum = writer.toBuffer(toAvro(schema, ev.value, '', named, ''));
          } catch (e) {
            const why = e instanceof NoFit ? e.message.replace(/^: /, 'the record: ') : `does not fit the schema (${e instanceof Error ? e.message : String(e)})`;
            bad(ev, `-O avro: ${why}`);
            continue;
          }
          encoded.set(ev, id === null ? datum : Buffer.concat([head, datum]));
          out.push(ev);
        }
        return out;
      });
    },
    value(ev) {
      const v = encoded.get(ev);
      if (v === undefined) throw new Error('-O avro: an event reached the Kafka sink without passing the Avro stage');
      return v;
    },
  };
}
