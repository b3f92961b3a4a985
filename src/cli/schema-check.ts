// Data contracts: --schema FILE checks every record against a JSON Schema (2020-12) with ajv,
// compiled once (ajv generates a JavaScript validator; that is its speed) and run per record on
// the record object that exists already; --drift reports the first record where a field
// appears, vanishes or changes type. ajv and ajv-formats load only when one of these is given
// (this module is imported lazily). Formats are ajv-formats' full ones, the same test that
// `sluice schema` uses to infer `format: date-time`.

import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/errors.js';
import { location, type Event, type Value } from '../core/event.js';
import { stateless, type Stage } from '../operators/types.js';

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvInstance {
  compile(schema: unknown): Validate;
}
type AjvClass = new (opts: Record<string, unknown>) => AjvInstance;
type FormatDef = { validate: (s: string) => boolean } | ((s: string) => boolean) | RegExp;

/** CommonJS modules seen through ESM: the export is on `default`, sometimes twice. */
function cjsDefault<T>(mod: unknown): T {
  const d = (mod as { default?: unknown }).default ?? mod;
  return ((d as { default?: unknown }).default ?? d) as T;
}

async function loadAjv(): Promise<{ Ajv: AjvClass; addFormats: (ajv: AjvInstance) => void; formats: Record<string, FormatDef> }> {
  const [ajvMod, formatsMod, defsMod] = await Promise.all([import('ajv/dist/2020.js'), import('ajv-formats'), import('ajv-formats/dist/formats.js')]);
  return {
    Ajv: cjsDefault<AjvClass>(ajvMod),
    addFormats: cjsDefault<(ajv: AjvInstance) => void>(formatsMod),
    formats: (defsMod as unknown as { fullFormats: Record<string, FormatDef> }).fullFormats
      ?? cjsDefault<{ fullFormats: Record<string, FormatDef> }>(defsMod).fullFormats,
  };
}

/** RFC 3339 date-time exactly as ajv-formats' `date-time` decides it. */
export async function dateTimeTest(): Promise<(s: string) => boolean> {
  const f = (await loadAjv()).formats['date-time']!;
  if (typeof f === 'function') return f;
  if (f instanceof RegExp) return (s) => f.test(s);
  return (s) => f.validate(s);
}

/** The schema in a file, parsed and compiled; a usage error (exit 2) when it cannot be. */
export async function compileSchemaFile(path: string): Promise<{ schema: Record<string, unknown>; validate: Validate }> {
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--schema ${path}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot read it (${code})` : 'not JSON (it should hold one JSON Schema object)'}`);
  }
  const { Ajv, addFormats } = await loadAjv();
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  try {
    return { schema, validate: ajv.compile(schema) };
  } catch (e) {
    throw new UsageError(`--schema ${path}: not a valid JSON Schema: ${(e as Error).message}`);
  }
}

/** The value at a JSON pointer (`/a/0/b`) in `v`. */
function at(v: Value, pointer: string): Value | undefined {
  let cur: Value | undefined = v;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : (cur as { [k: string]: Value })[key];
  }
  return cur;
}

function shown(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** `/amount must be integer (got "x")`, `/ must have required property 'id'` */
export function violationText(e: AjvError, record: Value): string {
  const path = e.instancePath === '' ? '/' : e.instancePath;
  const detail = e.keyword === 'enum' ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
  const got = e.keyword === 'required' || e.keyword === 'additionalProperties' ? '' : ` (got ${shown(at(record, e.instancePath))})`;
  return `schema: ${path} ${e.message ?? e.keyword}${detail}${got}`;
}

/** The --schema stage: records that pass go on; each violation is handed to `failed`, which says whether the record goes on too. */
export function schemaStage(validate: Validate, failed: (ev: Event, message: string) => boolean): Stage {
  return stateless((batch) => {
    let out: Event[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      const ev = batch[i]!;
      if (validate(ev.value)) {
        out?.push(ev);
        continue;
      }
      const keep = failed(ev, violationText(validate.errors![0]!, ev.value));
      if (!keep && out === null) out = batch.slice(0, i);
      else if (keep) out?.push(ev);
    }
    return out ?? batch;
  });
}

type Kind = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

function kindOf(v: Value): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as Kind;
}

/** The top-level fields a schema expects, with their types (integer counts as a number too). */
function schemaFields(schema: Record<string, unknown>): { types: Map<string, Set<Kind>>; required: Set<string> } {
  const types = new Map<string, Set<Kind>>();
  const props = (schema.properties ?? {}) as Record<string, { type?: Kind | Kind[] }>;
  for (const [k, p] of Object.entries(props)) {
    const t = p?.type;
    types.set(k, new Set(t === undefined ? [] : Array.isArray(t) ? t : [t]));
  }
  return { types, required: new Set((schema.required ?? []) as string[]) };
}

/**
 * --drift: the first record where a top-level field appears, vanishes or changes type, relative
 * to the schema when one is given, else to the records before it. Each change is said once, as a
 * warning; the records pass unchanged. `null` is not a change of type (it is how a value is
 * missing); a field vanishes when every record before had it (or the schema requires it).
 */
export function driftStage(schema: Record<string, unknown> | null, say: (message: string) => void): Stage {
  const fromSchema = schema !== null ? schemaFields(schema) : null;
  /** the types seen (or allowed) per field */
  const types = fromSchema?.types ?? new Map<string, Set<Kind>>();
  /** fields present in every record so far (or required by the schema) */
  let always: Set<string> | null = fromSchema ? new Set(fromSchema.required) : null;
  const said = new Set<string>();
  const once = (key: string, text: string) => {
    if (said.has(key)) return;
    said.add(key);
    say(text);
  };
  let records = 0;
  return stateless((batch) => {
    for (const ev of batch) {
      const v = ev.value;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      records++;
      const first = records === 1 && fromSchema === null;
      for (const k of Object.keys(v)) {
        const kind = kindOf(v[k] as Value);
        let known = types.get(k);
        if (known === undefined) {
          types.set(k, (known = new Set()));
          if (!first) once(`+${k}`, `${location(ev)}: drift: field '${k}' appears (${fromSchema ? 'not in the schema' : `not in the ${records - 1} record${records === 2 ? '' : 's'} before`})`);
        }
        if (kind === 'null' || known.has(kind) || (kind === 'integer' && known.has('number'))) continue;
        // 1 then 1.5 is one numeric field, not a change of type
        if (kind === 'number' && known.has('integer')) {
          known.add(kind);
          continue;
        }
        const before = [...known].filter((t) => t !== 'null');
        if (before.length > 0 && !first) {
          once(`~${k}:${kind}`, `${location(ev)}: drift: field '${k}' changes type from ${before.join('|')} to ${kind} (got ${shown(v[k] as Value)})`);
        }
        known.add(kind);
      }
      if (always === null) always = new Set(Object.keys(v));
      else {
        for (const k of always) {
          if (k in v) continue;
          once(`-${k}`, `${location(ev)}: drift: field '${k}' vanishes (${fromSchema ? 'the schema requires it' : 'every record before had it'})`);
          always.delete(k);
        }
      }
    }
    return batch;
  });
}
