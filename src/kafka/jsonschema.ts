// `-I jsonschema`: Kafka message values that are JSON checked against a JSON Schema with ajv
// (loaded only when -I jsonschema is used). Two ways to know the schema:
//   --schema-registry URL   values in the Confluent wire format (byte 0, a 4-byte schema id, the
//                           JSON text); each schema ("schemaType": "JSON") fetched once, with its
//                           references added under their names so that "$ref" finds them
//   --value-schema FILE     bare JSON values checked against the schema in FILE
// The draft is the schema's "$schema": 2020-12, 2019-09, else draft-07 (draft-06 and schemas
// without "$schema" read as draft-07). Formats (date-time, email, …) are checked (ajv-formats). A
// value that is not JSON or does not satisfy the schema is a bad message naming the first failing
// place ("/amount must be >= 0").

import type { Event, Source, Value } from '../core/event.js';
import { makeEvent } from '../core/event.js';
import { UsageError } from '../errors/errors.js';
import type { BadValue } from '../formats/spec.js';
import { type BinaryValues, framedValues, otherKind, readValueSchema, type RegistrySchema, SchemaRegistry, type SchemaOptions } from './schema-registry.js';

interface Validator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
}
interface AjvLike {
  compile(schema: object): Validator;
  addSchema(schema: object, key?: string): unknown;
}
type AjvClass = new (opts: object) => AjvLike;

function cjsDefault<T>(mod: unknown): T {
  const d = (mod as { default?: unknown }).default ?? mod;
  return ((d as { default?: unknown }).default ?? d) as T;
}

interface Drafts {
  draft7: AjvClass;
  d2019: AjvClass;
  d2020: AjvClass;
  addFormats: (ajv: AjvLike) => void;
}

async function loadAjv(): Promise<Drafts> {
  const [a7, a19, a20, f] = await Promise.all([import('ajv'), import('ajv/dist/2019.js'), import('ajv/dist/2020.js'), import('ajv-formats')]);
  return { draft7: cjsDefault<AjvClass>(a7), d2019: cjsDefault<AjvClass>(a19), d2020: cjsDefault<AjvClass>(a20), addFormats: cjsDefault<(ajv: AjvLike) => void>(f) };
}

/** A compiled schema (with `refs`: [name, schema] added first), or why it cannot serve. */
function compile(d: Drafts, schema: unknown, refs: [string, unknown][]): Validator | string {
  if (typeof schema !== 'object' || schema === null) return 'not a JSON Schema (expected an object or true/false)';
  const meta = String((schema as { $schema?: unknown }).$schema ?? '');
  const Ajv = meta.includes('2020-12') ? d.d2020 : meta.includes('2019-09') ? d.d2019 : d.draft7;
  if (/draft-0[34]/.test(meta)) return `draft-04 schemas are not supported ('${meta}'); use draft-07 or later`;
  try {
    const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
    d.addFormats(ajv);
    for (const [name, s] of refs) ajv.addSchema(s as object, name);
    return ajv.compile(schema as object);
  } catch (e) {
    return `not a usable JSON Schema (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** The first complaint of a failed validation, as "/path must …". */
function complaint(v: Validator): string {
  const e = v.errors?.[0];
  if (!e) return 'does not satisfy the schema';
  const extra = e.params && typeof e.params.additionalProperty === 'string' ? ` ('${e.params.additionalProperty}')` : '';
  return `${e.instancePath || '/'} ${e.message ?? 'is not valid'}${extra}`;
}

export async function jsonSchemaValues(opts: SchemaOptions): Promise<BinaryValues> {
  if ((opts.registry === null) === (opts.schemaFile === null)) {
    throw new UsageError('-I jsonschema needs one of --schema-registry URL (Confluent wire format) or --value-schema FILE.json (bare JSON values)');
  }
  const drafts = await loadAjv();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const emit = (validate: Validator, body: Buffer, raw: Buffer, src: Source, out: Event[], bad: BadValue[], where: () => string, ts: number) => {
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(body));
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message : 'not UTF-8';
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `JSON Schema: the value is not JSON (${why})`, where: where() });
      return;
    }
    if (!validate(value)) {
      bad.push({ at: out.length, raw: raw.toString('base64'), reason: `JSON Schema: ${complaint(validate)}`, where: where() });
      return;
    }
    out.push(makeEvent(value as Value, undefined, src, 0, ts));
  };

  if (opts.schemaFile !== null) {
    const file = opts.schemaFile;
    const text = await readValueSchema(file);
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch {
      throw new UsageError(`--value-schema ${file}: not JSON (it should hold one JSON Schema object)`);
    }
    const validate = compile(drafts, schema, []);
    if (typeof validate === 'string') throw new UsageError(`--value-schema ${file}: ${validate}`);
    return {
      prepare: async () => undefined,
      decode: (bytes, src, out, bad, where, ts) => emit(validate, bytes, bytes, src, out, bad, where, ts),
    };
  }

  const registry: SchemaRegistry<Validator> = new SchemaRegistry<Validator>(opts.registry!, opts.timeoutMs, async (got, id) => {
    if (got.schemaType !== 'JSON') return otherKind(id, got.schemaType, 'JSON Schema');
    let schema: unknown;
    try {
      schema = JSON.parse(got.schema);
    } catch {
      return `schema id ${id} is not JSON`;
    }
    const refs = await references(registry, got);
    if (typeof refs === 'string') return `schema id ${id}: ${refs}`;
    const v = compile(drafts, schema, refs);
    return typeof v === 'string' ? `schema id ${id} is ${v}` : v;
  });
  return framedValues(registry, emit);
}

/** Every schema that `from` references (and theirs), by reference name. */
async function references(registry: SchemaRegistry<Validator>, from: RegistrySchema): Promise<[string, unknown][] | string> {
  const out: [string, unknown][] = [];
  const queue = [...from.references];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const r = queue.shift()!;
    if (seen.has(r.name)) continue;
    seen.add(r.name);
    const got = await registry.subjectVersion(r.subject, r.version);
    if (got === null) return `reference '${r.name}' (subject ${r.subject} version ${r.version}) not found in the registry`;
    try {
      out.push([r.name, JSON.parse(got.schema)]);
    } catch {
      return `reference '${r.name}' is not JSON`;
    }
    queue.push(...got.references);
  }
  return out;
}
