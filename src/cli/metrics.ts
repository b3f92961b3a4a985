// --metrics HOST:PORT: the figures of --stats-every as Prometheus metrics, served over HTTP at
// /metrics with prom-client. Loaded only with --metrics (a lazy chunk): prom-client takes tens
// of milliseconds to load, which a run without it should not pay. The values are read from the
// run's Stats at each scrape (collect callbacks), so nothing is counted twice.

import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Stats } from '../core/stats.js';
import { UnavailableError, UsageError } from '../errors/errors.js';
import { snapshot, type LagSource } from './monitor.js';

export interface MetricsServer {
  /** the address it listens on, `http://HOST:PORT/metrics` (the port chosen when 0 was asked for) */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (`[::1]:9100` for IPv6; port 0 picks a free one). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--metrics takes HOST:PORT such as 127.0.0.1:9100 (port 0 picks a free one), not '${text}'`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function registry(stats: Stats, lag: LagSource = () => []): Registry {
  const reg = new Registry();
  const counter = (name: string, help: string, read: (s: ReturnType<typeof snapshot>) => number) =>
    new Counter({
      name, help, registers: [reg],
      collect() {
        this.reset();
        this.inc(read(snapshot(stats)));
      },
    });
  counter('sluice_records_in_total', 'records read', (s) => s.recordsIn);
  counter('sluice_records_out_total', 'records written', (s) => s.recordsOut);
  counter('sluice_bad_input_total', 'input that could not be decoded or parsed', (s) => s.bad);
  counter('sluice_late_records_total', 'records dropped as too late for their windows', (s) => s.late);
  counter('sluice_type_errors_total', 'values of the wrong type met by expressions', (s) => s.typeErrors);
  new Gauge({
    name: 'sluice_watermark_seconds', help: 'watermark per input partition (largest event time less the allowed lateness), Unix time',
    labelNames: ['partition'], registers: [reg],
    collect() {
      this.reset();
      for (const [id, t] of snapshot(stats).watermarks) if (t !== null) this.set({ partition: id }, t / 1000);
    },
  });
  new Gauge({
    name: 'sluice_event_lag_seconds', help: 'wall clock less the largest event time seen by the window stage',
    registers: [reg],
    collect() {
      this.reset();
      const lag = snapshot(stats).eventLagMs;
      if (lag !== null) this.set(lag / 1000);
    },
  });
  new Gauge({
    name: 'sluice_kafka_lag', help: 'messages in a Kafka partition beyond what was read (as of its last fetch)',
    labelNames: ['partition'], registers: [reg],
    collect() {
      this.reset();
      for (const [id, n] of lag()) this.set({ partition: id }, n);
    },
  });
  new Gauge({
    name: 'sluice_uptime_seconds', help: 'time since the run started', registers: [reg],
    collect() {
      this.set(stats.elapsedMs() / 1000);
    },
  });
  return reg;
}

export async function serveMetrics(listen: string, stats: Stats, lag?: LagSource): Promise<MetricsServer> {
  const { host, port } = parseListen(listen);
  const reg = registry(stats, lag);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    reg.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': reg.contentType }).end(text),
      (e: Error) => res.writeHead(500).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UnavailableError(`--metrics ${listen}: cannot listen${e.code ? ` (${e.code})` : ''}`)));
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const addr = server.address();
  const at = typeof addr === 'object' && addr !== null ? addr : { address: host, port };
  const shown = at.address.includes(':') ? `[${at.address}]` : at.address;
  return {
    url: `http://${shown}:${at.port}/metrics`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
