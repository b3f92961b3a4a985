#!/usr/bin/env node
// Deterministic generator of realistic HTTP access events for the sluice benchmark.
//
//   node bench/gen.mjs [--n 1000000] [--seed 42] [--force]
//
// Writes bench/data/events.ndjson and bench/data/events.csv (the same events, same order)
// and bench/data/events.meta.json. If the meta file says the data already exists with the
// same N, seed and generator version, nothing is regenerated (fast re-runs).
//
// Plain Node ESM, no dependencies. The only randomness is a seeded mulberry32 PRNG, so the
// same --n/--seed give byte-identical files on every machine.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = path.join(HERE, 'data');
export const NDJSON_PATH = path.join(DATA_DIR, 'events.ndjson');
export const CSV_PATH = path.join(DATA_DIR, 'events.csv');
export const META_PATH = path.join(DATA_DIR, 'events.meta.json');

// Bump when the output of the generator changes, so stale data is regenerated.
const GEN_VERSION = 1;
export const DEFAULT_N = 1_000_000;
export const DEFAULT_SEED = 42;

const START_MS = Date.UTC(2024, 4, 1, 12, 0, 0, 0); // 2024-05-01T12:00:00.000Z
const SPAN_MS = 6 * 3600 * 1000; // events spread over ~6 hours whatever N is

export const CSV_HEADER = 'ts,epoch_ms,service,path,method,status,latency_ms,user,region,bytes';

// --- PRNG ---------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- the catalogue: 12 services x 5 routes = 60 paths ---------------------------------------
// [path, method, median latency ms, median response bytes]

const SERVICES = {
  checkout: [
    ['/api/v1/orders/history', 'GET', 35, 5200],
    ['/api/v1/orders', 'POST', 120, 900],
    ['/api/v1/orders/:id', 'GET', 22, 3100],
    ['/api/v1/orders/:id/cancel', 'POST', 90, 400],
    ['/api/v1/checkout/session', 'POST', 150, 1200],
  ],
  cart: [
    ['/api/v1/cart', 'GET', 12, 2400],
    ['/api/v1/cart/items', 'POST', 18, 600],
    ['/api/v1/cart/items/:id', 'DELETE', 15, 0],
    ['/api/v1/cart/coupon', 'POST', 17, 650],
    ['/api/v1/cart/merge', 'POST', 40, 2600],
  ],
  catalog: [
    ['/api/v1/products', 'GET', 28, 18000],
    ['/api/v1/products/:id', 'GET', 9, 4200],
    ['/api/v1/products/:id/images', 'GET', 6, 1500],
    ['/api/v1/categories', 'GET', 7, 3300],
    ['/api/v1/categories/:id/products', 'GET', 31, 16000],
  ],
  search: [
    ['/api/v1/search', 'GET', 55, 22000],
    ['/api/v1/search/suggest', 'GET', 11, 900],
    ['/api/v1/search/facets', 'GET', 38, 5400],
    ['/api/v1/search/trending', 'GET', 14, 1800],
    ['/api/v1/search/reindex', 'POST', 900, 120],
  ],
  users: [
    ['/api/v1/users/me', 'GET', 8, 1100],
    ['/api/v1/users/:id', 'GET', 10, 1300],
    ['/api/v1/users/:id/prefs', 'PATCH', 25, 1300],
    ['/api/v1/users/:id/addresses', 'GET', 13, 2100],
    ['/api/v1/users', 'POST', 60, 700],
  ],
  auth: [
    ['/api/v1/auth/login', 'POST', 85, 800],
    ['/api/v1/auth/logout', 'POST', 6, 0],
    ['/api/v1/auth/refresh', 'POST', 12, 750],
    ['/api/v1/auth/mfa/verify', 'POST', 45, 300],
    ['/.well-known/jwks.json', 'GET', 2, 2200],
  ],
  payments: [
    ['/api/v1/payments', 'POST', 240, 1100],
    ['/api/v1/payments/:id', 'GET', 20, 1400],
    ['/api/v1/payments/:id/refund', 'POST', 310, 900],
    ['/api/v1/payment-methods', 'GET', 16, 2000],
    ['/api/v1/payments/webhook', 'POST', 30, 60],
  ],
  inventory: [
    ['/api/v1/inventory/:sku', 'GET', 7, 500],
    ['/api/v1/inventory/reserve', 'POST', 26, 450],
    ['/api/v1/inventory/release', 'POST', 21, 300],
    ['/api/v1/inventory/bulk', 'GET', 75, 40000],
    ['/api/v1/warehouses', 'GET', 11, 2600],
  ],
  shipping: [
    ['/api/v1/shipping/rates', 'GET', 140, 3800],
    ['/api/v1/shipping/labels', 'POST', 260, 1600],
    ['/api/v1/shipments/:id', 'GET', 19, 2900],
    ['/api/v1/shipments/:id/track', 'GET', 95, 4100],
    ['/api/v1/shipping/zones', 'GET', 5, 7000],
  ],
  notifications: [
    ['/api/v1/notifications', 'GET', 14, 3500],
    ['/api/v1/notifications/:id/read', 'POST', 9, 0],
    ['/api/v1/notifications/send', 'POST', 48, 200],
    ['/api/v1/notifications/prefs', 'GET', 8, 900],
    ['/api/v1/notifications/unread', 'GET', 6, 90],
  ],
  recommendations: [
    ['/api/v1/recommendations', 'GET', 65, 9000],
    ['/api/v1/recommendations/similar/:id', 'GET', 48, 7200],
    ['/api/v1/recommendations/bundle/:id', 'GET', 52, 6100],
    ['/api/v1/recommendations/feedback', 'POST', 12, 0],
    ['/api/v1/recommendations/home', 'GET', 80, 12000],
  ],
  reviews: [
    ['/api/v1/products/:id/reviews', 'GET', 24, 11000],
    ['/api/v1/reviews', 'POST', 70, 800],
    ['/api/v1/reviews/:id', 'GET', 10, 1900],
    ['/api/v1/reviews/:id/helpful', 'POST', 11, 0],
    ['/api/v1/reviews/:id/report', 'POST', 18, 0],
  ],
};

const ROUTES = [];
for (const [service, routes] of Object.entries(SERVICES)) {
  for (const [p, method, medLat, medBytes] of routes) {
    ROUTES.push({ service, path: p, method, muLat: Math.log(medLat), medBytes });
  }
}

const REGIONS = [
  ['us-east-1', 0.35],
  ['eu-west-1', 0.25],
  ['us-west-2', 0.15],
  ['eu-central-1', 0.1],
  ['ap-southeast-1', 0.1],
  ['ap-northeast-1', 0.05],
];

function cumulative(weights) {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) out[i] = s += weights[i];
  for (let i = 0; i < out.length; i++) out[i] /= s;
  return out;
}

function pick(cum, u) {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// --- generation ---------------------------------------------------------------------------

export function* events(n, seed = DEFAULT_SEED) {
  const rand = mulberry32(seed);
  const normal = () => {
    // Box-Muller; 1 - u avoids log(0)
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  // Zipf-ish route popularity (s = 1.1) over a seeded shuffle of the 60 routes, so that
  // popularity is not simply "first service first".
  const order = ROUTES.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const routeCum = cumulative(order.map((_, rank) => 1 / (rank + 1) ** 1.1));
  const regionCum = cumulative(REGIONS.map(([, w]) => w));

  // Incident: payments degraded for 20 minutes, 2 hours in (503s and slow responses).
  const incidentStart = START_MS + 2 * 3600 * 1000;
  const incidentEnd = incidentStart + 20 * 60 * 1000;

  const meanGap = SPAN_MS / n;
  let t = 0;
  for (let i = 0; i < n; i++) {
    // exponential inter-arrival times: increasing timestamps with jitter (non-decreasing)
    t += -Math.log(1 - rand()) * meanGap;
    const epoch = START_MS + Math.floor(t);
    const route = ROUTES[order[pick(routeCum, rand())]];
    const inIncident = route.service === 'payments' && epoch >= incidentStart && epoch < incidentEnd;

    let status;
    const r = rand();
    const p5xx = inIncident ? 0.3 : 0.028;
    if (r < p5xx) {
      const q = rand();
      status = inIncident ? (q < 0.8 ? 503 : 504) : q < 0.45 ? 500 : q < 0.65 ? 502 : q < 0.9 ? 503 : 504;
    } else if (r < p5xx + 0.055) {
      const q = rand();
      status = q < 0.3 ? 404 : q < 0.5 ? 400 : q < 0.7 ? 401 : q < 0.8 ? 403 : q < 0.9 ? 429 : 409;
    } else if (route.method === 'POST' && route.medBytes > 0) {
      status = rand() < 0.7 ? 201 : 200;
    } else if (route.medBytes === 0) {
      status = 204;
    } else if (route.method === 'GET' && rand() < 0.02) {
      status = 304;
    } else {
      status = 200;
    }

    // latency: lognormal around the route median; errors have their own shapes
    let mu = route.muLat;
    let sigma = 0.55;
    if (inIncident) mu += 1.2;
    if (status === 504) { mu = Math.log(30000); sigma = 0.05; }
    else if (status === 503) { mu = Math.log(3); sigma = 0.6; }
    else if (status >= 400 && status < 500) { mu = Math.log(4); sigma = 0.5; }
    let latency = Math.round(Math.exp(mu + sigma * normal()) * 10) / 10;
    if (latency < 0.1) latency = 0.1;

    let bytes;
    if (status === 204 || status === 304) bytes = 0;
    else if (status >= 400) bytes = 90 + Math.floor(rand() * 120);
    else bytes = Math.max(1, Math.round(route.medBytes * Math.exp(0.4 * normal())));

    const user = 'u' + (1 + Math.floor(99999 * rand() * rand()));
    const region = REGIONS[pick(regionCum, rand())][0];

    yield {
      ts: new Date(epoch).toISOString(),
      epoch_ms: epoch,
      service: route.service,
      path: route.path,
      method: route.method,
      status,
      latency_ms: latency,
      user,
      region,
      bytes,
    };
  }
}

// JSON.stringify of this flat shape is exactly what we want; CSV fields never need quoting
// (no commas, quotes or newlines in any value).
function csvLine(e) {
  return `${e.ts},${e.epoch_ms},${e.service},${e.path},${e.method},${e.status},${e.latency_ms},${e.user},${e.region},${e.bytes}`;
}

function readMeta() {
  try {
    return JSON.parse(fs.readFileSync(META_PATH, 'utf8'));
  } catch {
    return null;
  }
}

function fileSize(p) {
  try {
    return fs.statSync(p).size;
  } catch {
    return -1;
  }
}

/** Generate the data unless it is already there for the same n/seed. Returns the meta. */
export function ensureData({ n = DEFAULT_N, seed = DEFAULT_SEED, force = false, log = console.error } = {}) {
  const meta = readMeta();
  if (
    !force &&
    meta &&
    meta.version === GEN_VERSION &&
    meta.n === n &&
    meta.seed === seed &&
    fileSize(NDJSON_PATH) === meta.ndjson_bytes &&
    fileSize(CSV_PATH) === meta.csv_bytes
  ) {
    log(`gen: reusing ${path.relative(process.cwd(), NDJSON_PATH)} and events.csv (n=${n}, seed=${seed})`);
    return meta;
  }

  fs.mkdirSync(DATA_DIR, { recursive: true });
  try { fs.unlinkSync(META_PATH); } catch {}
  const t0 = process.hrtime.bigint();
  const jsonTmp = NDJSON_PATH + '.tmp';
  const csvTmp = CSV_PATH + '.tmp';
  const jfd = fs.openSync(jsonTmp, 'w');
  const cfd = fs.openSync(csvTmp, 'w');
  let jbuf = [];
  let cbuf = [CSV_HEADER];
  let count = 0;
  const stats = { s5xx: 0, s4xx: 0, services: new Map(), paths: new Set(), first: null, last: null };
  for (const e of events(n, seed)) {
    jbuf.push(JSON.stringify(e));
    cbuf.push(csvLine(e));
    if (e.status >= 500) stats.s5xx++;
    else if (e.status >= 400) stats.s4xx++;
    stats.services.set(e.service, (stats.services.get(e.service) ?? 0) + 1);
    stats.paths.add(e.path);
    if (stats.first === null) stats.first = e.ts;
    stats.last = e.ts;
    if (++count % 20000 === 0) {
      fs.writeSync(jfd, jbuf.join('\n') + '\n');
      fs.writeSync(cfd, cbuf.join('\n') + '\n');
      jbuf = [];
      cbuf = [];
    }
  }
  if (jbuf.length) fs.writeSync(jfd, jbuf.join('\n') + '\n');
  if (cbuf.length) fs.writeSync(cfd, cbuf.join('\n') + '\n');
  fs.closeSync(jfd);
  fs.closeSync(cfd);
  fs.renameSync(jsonTmp, NDJSON_PATH);
  fs.renameSync(csvTmp, CSV_PATH);

  const out = {
    version: GEN_VERSION,
    n,
    seed,
    ndjson_bytes: fileSize(NDJSON_PATH),
    csv_bytes: fileSize(CSV_PATH),
    first_ts: stats.first,
    last_ts: stats.last,
    services: stats.services.size,
    paths: stats.paths.size,
    status_5xx: stats.s5xx,
    status_4xx: stats.s4xx,
    // ground truth for the benchmark's correctness checks
    service_counts: Object.fromEntries(stats.services),
  };
  fs.writeFileSync(META_PATH, JSON.stringify(out, null, 2) + '\n');
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  log(
    `gen: wrote ${n} events in ${secs.toFixed(1)}s — ${(out.ndjson_bytes / n).toFixed(0)} B/line NDJSON, ` +
      `${out.first_ts} .. ${out.last_ts}, ${out.services} services, ${out.paths} paths, ` +
      `${((100 * out.status_5xx) / n).toFixed(2)}% 5xx, ${((100 * out.status_4xx) / n).toFixed(2)}% 4xx`,
  );
  return out;
}

/**
 * Walk command-line options: `on(name, value, arg)` for each, where `value()` takes the option's
 * value (`--n=5` or `--n 5`) only when the option has one, and `arg` is the argument as given.
 */
export function eachOption(argv, on) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    on(name, () => {
      if (eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    }, a);
  }
}

export function parseIntOption(v, name) {
  const s = String(v).replace(/_/g, '');
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`${name}: expected a positive integer (e.g. 1000000, 100k, 1m), got '${v}'`);
  const mult = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]];
  const n = Math.round(Number(m[1]) * mult);
  if (!(n > 0)) throw new Error(`${name}: must be > 0`);
  return n;
}

function main(argv) {
  let n = DEFAULT_N;
  let seed = DEFAULT_SEED;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--n' || a.startsWith('--n=')) n = parseIntOption(val(), '--n');
    else if (a === '--seed' || a.startsWith('--seed=')) seed = parseIntOption(val(), '--seed');
    else if (a === '--force') force = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/gen.mjs [--n 1000000] [--seed 42] [--force]');
      return;
    } else throw new Error(`unknown option ${a}`);
  }
  ensureData({ n, seed, force });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`gen: ${err.message}`);
    process.exit(2);
  }
}
