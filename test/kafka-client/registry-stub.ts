// A stand-in for a Confluent-compatible Schema Registry, for tests of the registry client:
// GET /schemas/ids/ID, GET /subjects/S/versions/V and POST /subjects/S/versions as Confluent's
// API answers them (ids from 1, the same schema under a subject keeps its id). No real registry
// can be run on the test machines (see src/kafka/README.md); this is the protocol as documented,
// not a second opinion on it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '../../src/core/event.js';
import type { BadValue } from '../../src/formats/spec.js';
import type { BinaryValues } from '../../src/kafka/schema-registry.js';

export interface StoredSchema {
  schema: string;
  schemaType?: string;
  references?: { name: string; subject: string; version: number }[];
}

export interface Registry {
  url: string;
  /** requests seen, as "GET /schemas/ids/1" */
  log: string[];
  /** registers a schema under a subject; returns its id */
  add(subject: string, s: StoredSchema): number;
  /** answer every request with this status from now on (null: normal service) */
  failWith(status: number | null): void;
  close(): Promise<void>;
}

export async function startRegistry(): Promise<Registry> {
  const byId = new Map<number, StoredSchema>();
  const subjects = new Map<string, number[]>();
  const log: string[] = [];
  let failing: number | null = null;
  const add = (subject: string, s: StoredSchema): number => {
    const text = JSON.stringify(s);
    let id = [...byId].find(([, x]) => JSON.stringify(x) === text)?.[0];
    if (id === undefined) {
      id = byId.size + 1;
      byId.set(id, s);
    }
    const versions = subjects.get(subject) ?? [];
    if (!versions.includes(id)) versions.push(id);
    subjects.set(subject, versions);
    return id;
  };
  const json = (status: number, body: unknown) => [status, JSON.stringify(body)] as const;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
      log.push(`${req.method} ${req.url}`);
      const [status, text] = ((): readonly [number, string] => {
        if (failing !== null) return json(failing, { error_code: failing, message: 'failing on purpose' });
        const url = req.url ?? '';
        let m = /^\/schemas\/ids\/(\d+)$/.exec(url);
        if (m && req.method === 'GET') {
          const s = byId.get(Number(m[1]));
          return s ? json(200, { schema: s.schema, ...(s.schemaType && s.schemaType !== 'AVRO' ? { schemaType: s.schemaType } : {}), ...(s.references ? { references: s.references } : {}) }) : json(404, { error_code: 40403, message: 'Schema not found' });
        }
        m = /^\/subjects\/([^/]+)\/versions\/(\d+)$/.exec(url);
        if (m && req.method === 'GET') {
          const subject = decodeURIComponent(m[1]!);
          const id = subjects.get(subject)?.[Number(m[2]) - 1];
          const s = id === undefined ? undefined : byId.get(id);
          return s ? json(200, { subject, version: Number(m[2]), id, schema: s.schema, schemaType: s.schemaType ?? 'AVRO', references: s.references ?? [] }) : json(404, { error_code: 40402, message: 'Version not found' });
        }
        m = /^\/subjects\/([^/]+)\/versions$/.exec(url);
        if (m && req.method === 'POST') {
          const got = JSON.parse(body) as StoredSchema;
          return json(200, { id: add(decodeURIComponent(m[1]!), { schema: got.schema, ...(got.schemaType ? { schemaType: got.schemaType } : {}), ...(got.references ? { references: got.references } : {}) }) });
        }
        return json(404, { error_code: 404, message: 'HTTP 404 Not Found' });
      })();
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    add,
    failWith: (s) => { failing = s; },
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** A value in the Confluent wire format: magic byte 0, the schema id, then the body. */
export function confluentFramed(id: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, body]);
}

/** The values decoded by a codec as the Kafka source would (message i at t/0@i): records and problems. */
export async function decodeAll(codec: BinaryValues, values: Buffer[]) {
  await codec.prepare(values);
  const out: Event[] = [];
  const bad: BadValue[] = [];
  const src = { name: 't', topic: 't' };
  values.forEach((v, i) => codec.decode(v, src, out, bad, () => `t/0@${i}`, 0));
  return { values: out.map((e) => e.value), bad: bad.map((b) => [b.where, b.reason]) };
}
