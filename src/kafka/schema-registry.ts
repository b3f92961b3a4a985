// What -I avro, -I protobuf and -I jsonschema share: the Confluent wire format (magic byte 0, a
// 4-byte big-endian schema id, then the payload) and the part of the Confluent Schema Registry
// API that they need: GET /schemas/ids/ID (each id fetched once, before the batch that names it
// is decoded), GET /subjects/S/versions/V for a schema's references, and POST /subjects/S/versions
// to register a schema for writing. A schema that is missing or of another kind is a per-message
// problem; a registry that cannot be reached or answers with an error ends the run (exit 69).
// Each codec module is loaded (with its library) only when its -I format is used.

import { readFile } from 'node:fs/promises';
import type { Event, Source } from '../core/event.js';
import { UnavailableError } from '../errors/errors.js';
import type { BadValue } from '../formats/spec.js';

/** What the Kafka source needs from a binary value codec. */
export interface BinaryValues {
  /** Fetch what the batch's values need (schemas) before they are decoded; unreachable registry → UnavailableError. */
  prepare(values: readonly (Buffer | null)[]): Promise<void>;
  decode(bytes: Buffer, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number): void;
}

/** Where a -I avro|protobuf|jsonschema codec finds its schema. */
export interface SchemaOptions {
  registry: string | null;
  schemaFile: string | null;
  /** -I protobuf --value-type: the message type of bare values */
  valueType?: string | null;
  timeoutMs: number;
}

/** A schema as the registry holds it. */
export interface RegistrySchema {
  schema: string;
  schemaType: string;
  references: { name: string; subject: string; version: number }[];
}

/** Why a schema of another type cannot decode these values. */
/** The text of --value-schema FILE; a file that cannot be read is exit 69. */
export async function readValueSchema(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UnavailableError(`cannot read '${file}' (--value-schema): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function otherKind(id: number, kind: string, wanted: string): string {
  return `schema id ${id} is ${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} schema, not ${wanted}`;
}

/** The payload of a value in the Confluent wire format, or why it is not one. */
export function confluentFrame(bytes: Buffer): { id: number; body: Buffer } | string {
  if (bytes.length < 5 || bytes[0] !== 0) {
    const first = bytes.length === 0 ? 'an empty value' : bytes[0] !== 0 ? `first byte 0x${bytes[0]!.toString(16).padStart(2, '0')}` : `only ${bytes.length} bytes`;
    return `not in the Confluent wire format (${first}; expected 0x00 and a 4-byte schema id)`;
  }
  return { id: bytes.readInt32BE(1), body: bytes.subarray(5) };
}

/** The schema ids that a batch's values name (values not in the wire format name none). */
export function frameIds(values: readonly (Buffer | null)[]): number[] {
  const ids = new Set<number>();
  for (const v of values) if (v !== null && v.length >= 5 && v[0] === 0) ids.add(v.readInt32BE(1));
  return [...ids];
}

/**
 * A registry client that turns each schema id into T once (parse gives T, or a string saying why
 * the schema cannot serve: a per-message problem).
 */
export class SchemaRegistry<T> {
  readonly base: string;
  readonly #parsed = new Map<number, T | string>();
  constructor(
    base: string,
    private readonly timeoutMs: number,
    private readonly parse: (s: RegistrySchema, id: number) => Promise<T | string>,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  get(id: number): T | string {
    return this.#parsed.get(id) ?? `schema id ${id} was not fetched`;
  }

  async load(id: number): Promise<void> {
    if (this.#parsed.has(id)) return;
    const got = await this.request('GET', `/schemas/ids/${id}`);
    if (got === null) {
      this.#parsed.set(id, `schema id ${id} not found in the schema registry ${this.base}`);
      return;
    }
    this.#parsed.set(id, await this.parse(schemaOf(got), id));
  }

  /** A referenced schema (GET /subjects/S/versions/V); null when the registry does not have it. */
  async subjectVersion(subject: string, version: number): Promise<RegistrySchema | null> {
    const got = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
    return got === null ? null : schemaOf(got);
  }

  /** Registers a schema under a subject (or finds it there) and returns its id. */
  async register(subject: string, schema: string, schemaType: string): Promise<number> {
    const body = JSON.stringify(schemaType === 'AVRO' ? { schema } : { schema, schemaType });
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const got = await this.request('POST', path, body);
    const id = (got as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') throw new UnavailableError(`schema registry ${this.base}: POST ${path} gave no schema id`);
    return id;
  }

  /** One request; 404 → null, any other failure ends the run. */
  private async request(method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(body !== undefined ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}),
        },
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : cause?.code ?? cause?.message ?? String(e);
      throw new UnavailableError(`schema registry ${this.base} unreachable (${why})`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 404 && method === 'GET') return null;
    if (!res.ok) throw new UnavailableError(`schema registry ${this.base}: ${method} ${path} answered ${res.status} ${text.slice(0, 200).replace(/\s+/g, ' ')}`.trimEnd());
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UnavailableError(`schema registry ${this.base}: ${method} ${path} did not answer JSON`);
    }
  }
}

function schemaOf(got: unknown): RegistrySchema {
  const g = (got ?? {}) as { schema?: unknown; schemaType?: unknown; references?: unknown };
  const refs = Array.isArray(g.references) ? (g.references as RegistrySchema['references']) : [];
  return { schema: typeof g.schema === 'string' ? g.schema : '', schemaType: typeof g.schemaType === 'string' ? g.schemaType : 'AVRO', references: refs };
}

/**
 * The codec of a registry-framed topic: fetch the ids of a batch, then decode each value's payload
 * with what its id parsed to.
 */
export function framedValues<T>(
  registry: SchemaRegistry<T>,
  decodeBody: (parsed: T, body: Buffer, raw: Buffer, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number) => void,
): BinaryValues {
  return {
    async prepare(values) {
      await Promise.all(frameIds(values).map((id) => registry.load(id)));
    },
    decode(bytes, src, out, bad, where, ts) {
      const frame = confluentFrame(bytes);
      if (typeof frame === 'string') {
        bad.push({ at: out.length, raw: bytes.toString('base64'), reason: frame, where: where() });
        return;
      }
      const found = registry.get(frame.id);
      if (typeof found === 'string') {
        bad.push({ at: out.length, raw: bytes.toString('base64'), reason: found, where: where() });
        return;
      }
      decodeBody(found, frame.body, bytes, src, out, bad, where, ts);
    },
  };
}

/** The codec of a -I format that only Kafka values come in (loaded with its library now), or null for a text format. */
export async function kafkaValueCodec(format: string, opts: SchemaOptions): Promise<BinaryValues | null> {
  switch (format) {
    case 'avro': return (await import('./avro.js')).avroValues(opts);
    case 'protobuf': return (await import('./protobuf.js')).protobufValues(opts);
    case 'jsonschema': return (await import('./jsonschema.js')).jsonSchemaValues(opts);
    default: return null;
  }
}
