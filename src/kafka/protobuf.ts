// `-I protobuf`: Kafka message values in Protocol Buffers, decoded with protobufjs (loaded only
// when -I protobuf is used). Two ways to know the schema:
//   --schema-registry URL   values in the Confluent wire format: byte 0, a 4-byte schema id, the
//                           message indexes (a zigzag varint count, then that many zigzag varints
//                           naming the message type by its position in the .proto file and within
//                           its parent; a count of 0 means the file's first message), the message.
//                           The .proto text comes from the registry with its references
//                           (GET /subjects/S/versions/V); google/protobuf/*.proto are built in.
//   --value-schema FILE     bare messages of --value-type NAME (default: the first message of
//                           FILE); imports are read beside FILE, google/protobuf/*.proto built in.
// Records follow the proto3 JSON mapping as people read it, with the .proto's own field names
// (as protoc --decode and MessageToJson(preserving_proto_field_name=True) show them): fields at
// their default value are shown (0, "", false, [], {}, the enum's first name), an unset message
// field is null, an unset oneof member or proto3 `optional` is left out; 64-bit integers are
// numbers, beyond 2^53 exact digits in a string; bytes base64; enums by name (an unknown number
// as the number); float as its shortest decimal; NaN and ±Infinity as "NaN", "Infinity";
// google.protobuf.Timestamp as RFC 3339 UTC text with 0, 3, 6 or 9 fractional digits, Duration
// as "1.500s", the wrappers as their bare value, Struct/Value/ListValue as JSON, FieldMask as
// "a,b.c", Empty as {}; Any stays {type_url, value (base64)}.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Field, IConversionOptions, Root, Type } from 'protobufjs';
import type { Source, Event, Value } from '../core/event.js';
import { makeEvent } from '../core/event.js';
import { UsageError } from '../errors/errors.js';
import type { BadValue } from '../formats/spec.js';
import { type BinaryValues, framedValues, otherKind, readValueSchema, type RegistrySchema, SchemaRegistry, type SchemaOptions } from './schema-registry.js';

type Protobuf = typeof import('protobufjs');

const CONVERT: IConversionOptions = { longs: BigInt, enums: String, bytes: String, defaults: true, json: true };

/** A parsed .proto with its message types in file order (for the message indexes). */
interface ProtoFile {
  root: Root;
  /** the file's top-level messages, in the order the file declares them */
  top: Type[];
}

function iso(seconds: bigint, nanos: number): string {
  const ms = Number(seconds) * 1000;
  const text = new Date(ms).toISOString().slice(0, 19);
  return `${text}${fraction(nanos)}Z`;
}

/** 0, 3, 6 or 9 fractional digits, as the protobuf JSON mapping writes them. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const n = String(nanos).padStart(9, '0');
  return `.${n.endsWith('000000') ? n.slice(0, 3) : n.endsWith('000') ? n.slice(0, 6) : n}`;
}

function exact(n: bigint): Value {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** The shortest decimal that reads back as the same 32-bit float. */
function float32(x: number): number {
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function big(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt((v as number | string | undefined) ?? 0);
}

/** google.protobuf.Value (as toObject gives it) → JSON. */
function structValue(v: { [k: string]: unknown } | null | undefined): Value {
  if (v === null || v === undefined) return null;
  if (v.nullValue !== undefined && v.nullValue !== null) return null;
  if (v.numberValue !== undefined && v.numberValue !== null) return v.numberValue as Value;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue as string;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue as boolean;
  if (v.structValue !== undefined && v.structValue !== null) return struct(v.structValue as { fields?: { [k: string]: unknown } });
  if (v.listValue !== undefined && v.listValue !== null) return list(v.listValue as { values?: unknown[] });
  return null;
}

function struct(s: { fields?: { [k: string]: unknown } }): Value {
  const out: { [k: string]: Value } = {};
  for (const [k, v] of Object.entries(s.fields ?? {})) out[k] = structValue(v as { [k: string]: unknown });
  return out;
}

function list(l: { values?: unknown[] }): Value {
  return (l.values ?? []).map((v) => structValue(v as { [k: string]: unknown }));
}

/** Type names, looked up once per type (protobufjs computes fullName on every read). */
const names = new WeakMap<Type, string>();
function nameOf(type: Type): string {
  let n = names.get(type);
  if (n === undefined) {
    n = type.fullName;
    names.set(type, n);
  }
  return n;
}

/** A message (as toObject gives it, after `type`) as a sluice value. */
function message(type: Type, obj: { [k: string]: unknown }): Value {
  const name = nameOf(type);
  switch (name) {
    case '.google.protobuf.Timestamp': return iso(big(obj.seconds), Number(obj.nanos ?? 0));
    case '.google.protobuf.Duration': {
      const s = big(obj.seconds);
      const n = Number(obj.nanos ?? 0);
      const neg = s < 0n || n < 0;
      const abs = (s < 0n ? -s : s).toString();
      return `${neg ? '-' : ''}${abs}${fraction(Math.abs(n)) || ''}s`;
    }
    case '.google.protobuf.Struct': return struct(obj as { fields?: { [k: string]: unknown } });
    case '.google.protobuf.Value': return structValue(obj);
    case '.google.protobuf.ListValue': return list(obj as { values?: unknown[] });
    case '.google.protobuf.FieldMask': return ((obj.paths as string[] | undefined) ?? []).join(',');
    case '.google.protobuf.Empty': return {};
    default:
      if (name.startsWith('.google.protobuf.') && name.endsWith('Value') && type.fieldsArray.length === 1) {
        return field(type.fieldsArray[0]!, obj.value);
      }
  }
  const out: { [k: string]: Value } = {};
  for (const f of type.fieldsArray) {
    if (!(f.name in obj)) continue;
    out[f.name] = field(f, obj[f.name]);
  }
  return out;
}

function field(f: Field, v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (f.map) {
    const out: { [k: string]: Value } = {};
    for (const [k, x] of Object.entries(v as { [k: string]: unknown })) out[k] = single(f, x);
    return out;
  }
  if (f.repeated) return (v as unknown[]).map((x) => single(f, x));
  return single(f, v);
}

function single(f: Field, v: unknown): Value {
  if (v === null || v === undefined) return null;
  const t = f.resolvedType;
  if (t !== null && 'fieldsArray' in t) return message(t as Type, v as { [k: string]: unknown });
  if (typeof v === 'bigint') return exact(v);
  if (typeof v === 'number' && f.type === 'float') return float32(v);
  return v as Value;
}

/** protobufjs says what went wrong in its own words; say it in ours. */
function reason(e: unknown, type: Type): string {
  const m = e instanceof Error ? e.message : String(e);
  return `not a valid ${type.fullName.slice(1)} message (${m})`;
}

/** The message type that Confluent's message indexes name (null: no such type in the file). */
function indexedType(file: ProtoFile, indexes: number[]): Type | null {
  let list = file.top;
  let t: Type | null = null;
  for (const i of indexes) {
    t = list[i] ?? null;
    if (t === null) return null;
    list = t.nestedArray.filter((n): n is Type => 'fieldsArray' in n);
  }
  return t;
}

/** Reads Confluent's message indexes at the start of `body`: the indexes and where the message starts. */
export function messageIndexes(body: Buffer): { indexes: number[]; at: number } | string {
  let at = 0;
  const varint = (): number | null => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (at >= body.length || shift > 28) return null;
      const b = body[at++]!;
      n |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return (n >>> 1) ^ -(n & 1);
  };
  const count = varint();
  if (count === null || count < 0 || count > 100) return 'the message indexes after the schema id are cut short or invalid';
  if (count === 0) return { indexes: [0], at };
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = varint();
    if (x === null || x < 0) return 'the message indexes after the schema id are cut short or invalid';
    indexes.push(x);
  }
  return { indexes, at };
}

/** Parses .proto text and what it imports (from `load`), google/protobuf/*.proto built in. */
async function parseProto(pb: Protobuf, text: string, load: (name: string) => Promise<string | null>, what: string): Promise<ProtoFile | string> {
  const root = new pb.Root();
  let top: Type[];
  const seen = new Set<string>();
  const parseInto = (source: string, name: string): string[] => {
    const parsed = pb.parse(source, root, { keepCase: true });
    seen.add(name);
    return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
  };
  let pending: string[];
  try {
    const parsed = pb.parse(text, root, { keepCase: true });
    const ns = parsed.package ? root.lookup(parsed.package) : root;
    top = (ns && 'nestedArray' in ns ? (ns as Root).nestedArray : []).filter((n): n is Type => 'fieldsArray' in n);
    pending = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
  } catch (e) {
    return `${what} is not valid .proto text (${e instanceof Error ? e.message : String(e)})`;
  }
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const common = pb.common.get(name);
    if (common !== null) {
      root.addJSON((common as { nested: never }).nested);
      continue;
    }
    const source = await load(name);
    if (source === null) return `${what} imports '${name}', which ${what.startsWith('schema id') ? 'the registry does not list among its references' : 'cannot be read'}`;
    try {
      pending.push(...parseInto(source, name));
    } catch (e) {
      return `${name} (imported by ${what}) is not valid .proto text (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  try {
    root.resolveAll();
  } catch (e) {
    return `${what}: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (top.length === 0) return `${what} defines no message`;
  return { root, top };
}

export async function protobufValues(opts: SchemaOptions): Promise<BinaryValues> {
  if ((opts.registry === null) === (opts.schemaFile === null)) {
    throw new UsageError('-I protobuf needs one of --schema-registry URL (Confluent wire format) or --value-schema FILE.proto (bare messages)');
  }
  const pb = (await import('protobufjs')).default as unknown as Protobuf;
  const emit = (type: Type, body: Buffer, raw: Buffer, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number) => {
    let value: Value;
    try {
      value = message(type, type.toObject(type.decode(body), CONVERT) as { [k: string]: unknown });
    } catch (e) {
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `Protobuf: ${reason(e, type)}`, where: where() });
      return;
    }
    out.push(makeEvent(value, undefined, src, 0, ts));
  };

  if (opts.schemaFile !== null) {
    const file = opts.schemaFile;
    const text = await readValueSchema(file);
    const parsed = await parseProto(pb, text, (name) => readFile(join(dirname(file), name), 'utf8').catch(() => null), `--value-schema ${file}`);
    if (typeof parsed === 'string') throw new UsageError(parsed);
    let type: Type;
    if (opts.valueType) {
      const found = parsed.root.lookup(opts.valueType);
      if (found === null || !('fieldsArray' in found)) {
        throw new UsageError(`--value-type ${opts.valueType}: no such message in ${file} (it has ${parsed.top.map((t) => t.fullName.slice(1)).join(', ')})`);
      }
      type = found as Type;
    } else {
      type = parsed.top[0]!;
    }
    return {
      prepare: async () => undefined,
      decode: (bytes, src, out, bad, where, ts) => emit(type, bytes, bytes, src, out, bad, where, ts),
    };
  }

  const registry: SchemaRegistry<ProtoFile> = new SchemaRegistry<ProtoFile>(opts.registry!, opts.timeoutMs, async (got, id) => {
    if (got.schemaType !== 'PROTOBUF') return otherKind(id, got.schemaType, 'Protobuf');
    return parseProto(pb, got.schema, (name) => reference(registry, got, name), `schema id ${id}`);
  });
  const types = new Map<string, Type | string>();
  return framedValues(registry, (file, body, raw, src, out, bad, where, ts) => {
    const idx = messageIndexes(body);
    if (typeof idx === 'string') {
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `Protobuf: ${idx}`, where: where() });
      return;
    }
    const key = `${raw.readInt32BE(1)}:${idx.indexes.join('.')}`;
    let type = types.get(key);
    if (type === undefined) {
      type = indexedType(file, idx.indexes) ?? `schema id ${raw.readInt32BE(1)} has no message at index [${idx.indexes.join(', ')}]`;
      types.set(key, type);
    }
    if (typeof type === 'string') {
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `Protobuf: ${type}`, where: where() });
      return;
    }
    emit(type, body.subarray(idx.at), raw, src, out, bad, where, ts);
  });
}

/** The text of an import that a registry schema names among its references (and theirs). */
async function reference(registry: SchemaRegistry<ProtoFile>, from: RegistrySchema, name: string): Promise<string | null> {
  const queue = [...from.references];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const r = queue.shift()!;
    const key = `${r.subject}@${r.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const got = await registry.subjectVersion(r.subject, r.version);
    if (got === null) continue;
    if (r.name === name) return got.schema;
    queue.push(...got.references);
  }
  return null;
}
