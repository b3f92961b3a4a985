// `sluice schema FILE…`: a JSON Schema (2020-12) inferred from records, to check later data
// against with --schema. The rules, in the order they apply to a field:
//   - type: the JSON types seen; integer when every number is whole, number otherwise; a field
//     that is sometimes null gets `type: [T, "null"]`;
//   - required: the fields present in every record (every object, for nested ones);
//   - strings: `format: date-time` when every value is an RFC 3339 timestamp (the test is
//     ajv-formats' own, so the schema always validates its data); an `enum` when the field has
//     at most ENUM_MAX distinct values over at least ENUM_MIN_RECORDS values (fewer records say
//     too little about what other values may come);
//   - numbers: `minimum` and `maximum` seen;
//   - objects: `properties` inferred the same way; arrays: `items` from all their elements.
// Memory is bounded by the shape of the data, not its size: at most ENUM_MAX + 1 distinct
// strings are kept per field.

import type { Value } from '../core/event.js';

export const ENUM_MAX = 10;
export const ENUM_MIN_RECORDS = 20;

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

class Shape {
  /** values seen (of any type, null included) */
  seen = 0;
  readonly types = new Set<JsonType>();
  strings = 0;
  /** distinct strings, until there are more than ENUM_MAX */
  distinct: Set<string> | null = new Set();
  allDateTime = true;
  min = Infinity;
  max = -Infinity;
  objects = 0;
  /** per property: its shape, and in how many objects it was present */
  readonly props = new Map<string, Shape>();
  items: Shape | null = null;

  add(v: Value, isDateTime: (s: string) => boolean): void {
    this.seen++;
    if (v === null) this.types.add('null');
    else if (typeof v === 'boolean') this.types.add('boolean');
    else if (typeof v === 'number') {
      this.types.add(Number.isInteger(v) ? 'integer' : 'number');
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    } else if (typeof v === 'string') {
      this.types.add('string');
      this.strings++;
      if (this.distinct !== null) {
        this.distinct.add(v);
        if (this.distinct.size > ENUM_MAX) this.distinct = null;
      }
      if (this.allDateTime && !isDateTime(v)) this.allDateTime = false;
    } else if (Array.isArray(v)) {
      this.types.add('array');
      this.items ??= new Shape();
      for (const x of v) this.items.add(x, isDateTime);
    } else {
      this.types.add('object');
      this.objects++;
      for (const k of Object.keys(v)) {
        let p = this.props.get(k);
        if (p === undefined) this.props.set(k, (p = new Shape()));
        p.add(v[k] as Value, isDateTime);
      }
    }
  }

  schema(): Record<string, unknown> {
    const types: JsonType[] = [];
    for (const t of ['object', 'array', 'string', 'integer', 'number', 'boolean', 'null'] as const) {
      if (!this.types.has(t)) continue;
      if (t === 'integer' && this.types.has('number')) continue;
      types.push(t);
    }
    const out: Record<string, unknown> = {};
    if (types.length === 0) return out; // never seen a value (an empty array's items): anything
    out.type = types.length === 1 ? types[0] : types;
    if (this.types.has('string')) {
      if (this.distinct !== null && this.strings >= ENUM_MIN_RECORDS && types.length <= 2 && types.every((t) => t === 'string' || t === 'null')) {
        out.enum = [...[...this.distinct].sort(), ...(this.types.has('null') ? [null] : [])];
      } else if (this.allDateTime && this.strings > 0) {
        out.format = 'date-time';
      }
    }
    if (this.types.has('integer') || this.types.has('number')) {
      out.minimum = this.min;
      out.maximum = this.max;
    }
    if (this.types.has('object')) {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [k, p] of this.props) {
        properties[k] = p.schema();
        if (p.seen === this.objects) required.push(k);
      }
      out.properties = properties;
      if (required.length > 0) out.required = required;
    }
    if (this.items !== null) out.items = this.items.schema();
    return out;
  }
}

/** Collects records and says what schema they share. */
export class SchemaInferrer {
  private readonly root = new Shape();

  constructor(private readonly isDateTime: (s: string) => boolean) {}

  add(v: Value): void {
    this.root.add(v, this.isDateTime);
  }

  get records(): number {
    return this.root.seen;
  }

  schema(): Record<string, unknown> {
    return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...this.root.schema() };
  }
}
