// Issue #11 item 5: watching a long job. `--stats-every` writes a line per interval on stderr
// (logfmt or NDJSON) and `--metrics HOST:PORT` serves the same figures to Prometheus. The
// lines are checked as text here; bin/sluice is then run on a followed file that grows, and
// its stderr and its /metrics are read until they show what was appended (polling with a
// generous deadline, never fixed sleeps). Needs a build (dist/), like the golden cases.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { intervalLine, type Snapshot } from '../../src/cli/monitor.js';
import { parseListen } from '../../src/cli/metrics.js';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');
const WAIT = 60_000;

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const snap = (over: Partial<Snapshot>): Snapshot => ({
  time: Date.parse('2024-05-01T12:00:10Z'), elapsedMs: 10_000, recordsIn: 100, recordsOut: 40, bad: 2, late: 1, typeErrors: 0,
  watermarks: [['orders/0', Date.parse('2024-05-01T12:00:05Z')], ['orders/1', null]], eventLagMs: 5000, kafkaLag: [['orders/0', 12], ['orders/1', 0]], ...over,
});

describe('interval lines', () => {
  it('logfmt: counts so far, rates over the interval, a watermark per partition', () => {
    const prev = snap({ elapsedMs: 5000, recordsIn: 50, recordsOut: 30 });
    expect(intervalLine(snap({}), prev, 'logfmt')).toBe(
      'time=2024-05-01T12:00:10.000Z elapsed_s=10 records_in=100 records_out=40 in_per_s=10 out_per_s=2 bad=2 late=1 type_errors=0 ' +
      'event_lag_ms=5000 watermark.orders/0=2024-05-01T12:00:05.000Z watermark.orders/1= kafka_lag.orders/0=12 kafka_lag.orders/1=0\n',
    );
  });

  it('ndjson: the same figures, watermarks as an object; the first interval counts from the start', () => {
    const line = intervalLine(snap({ watermarks: [['app log.ndjson', 0]], eventLagMs: null, kafkaLag: [] }), null, 'ndjson');
    expect(JSON.parse(line)).toEqual({
      time: '2024-05-01T12:00:10.000Z', elapsed_s: 10, records_in: 100, records_out: 40, in_per_s: 10, out_per_s: 4,
      bad: 2, late: 1, type_errors: 0, event_lag_ms: null, watermarks: { 'app log.ndjson': '1970-01-01T00:00:00.000Z' },
    });
    expect(line.endsWith('}\n')).toBe(true);
  });

  it('logfmt quotes what needs quoting and keeps keys one word', () => {
    expect(intervalLine(snap({ watermarks: [['my file', null]], kafkaLag: [] }), null, 'logfmt')).toMatch(/ watermark\.my_file=\n$/);
    expect(JSON.parse(intervalLine(snap({}), null, 'ndjson')).kafka_lag).toEqual({ 'orders/0': 12, 'orders/1': 0 });
  });

  it('--metrics takes HOST:PORT', () => {
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(parseListen(':9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(() => parseListen('9100')).toThrow(/HOST:PORT/);
    expect(() => parseListen('h:70000')).toThrow(/HOST:PORT/);
  });
});

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, stderr: () => err, exited };
}

async function until<T>(what: string, get: () => Promise<T | null> | T | null): Promise<T> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const v = await get();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const events = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ ts: new Date(Date.parse('2024-05-01T12:00:00Z') + (from + i) * 1000).toISOString(), service: i % 2 ? 'a' : 'b' }) + '\n').join('');

describe('a followed file, watched', () => {
  it('--stats-every writes NDJSON lines whose counts follow the input; --metrics serves them to a scrape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-monitor-'));
    dirs.push(dir);
    const file = join(dir, 'app.ndjson');
    writeFileSync(file, events(0, 20));
    const run = start(['--follow', '--on-error', 'skip', '--stats-every', '200ms', '--stats-format', 'ndjson', '--metrics', '127.0.0.1:0',
      'window tumbling 1m on ts | count() by service', file]);
    const url = await until('the metrics address', () => /metrics on (http:\S+)/.exec(run.stderr())?.[1] ?? null);
    const lines = () => run.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const scrape = async (): Promise<string> => (await fetch(url)).text();
    const counter = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

    const first = await until('a line with 20 records in', () => lines().find((l) => l.records_in === 20) ?? null);
    expect(first).toMatchObject({ records_out: 0, bad: 0, late: 0, watermarks: { [file]: '2024-05-01T12:00:19.000Z' } });
    expect(first.event_lag_ms).toBeGreaterThan(0);
    const before = await until('a scrape with 20 records in', async () => {
      const t = await scrape();
      return counter(t, 'sluice_records_in_total') === 20 ? t : null;
    });
    expect(before).toMatch(/^# TYPE sluice_records_in_total counter$/m);
    expect(before).toContain(`sluice_watermark_seconds{partition="${file}"} ${Date.parse('2024-05-01T12:00:19Z') / 1000}`);

    // the next minute closes the first window: two results out, and the counters move on
    appendFileSync(file, events(60, 5));
    const after = await until('a scrape with 25 records in', async () => {
      const t = await scrape();
      return counter(t, 'sluice_records_in_total') === 25 && counter(t, 'sluice_records_out_total') === 2 ? t : null;
    });
    expect(counter(after, 'sluice_uptime_seconds')).toBeGreaterThan(counter(before, 'sluice_uptime_seconds'));
    await until('a line with 25 records in and 2 out', () => lines().find((l) => l.records_in === 25 && l.records_out === 2) ?? null);

    // bad input and a record too late for its window are counted, not lost
    appendFileSync(file, '{"ts": broken\n' + events(5, 1));
    const counted = await until('bad and late counted', async () => {
      const t = await scrape();
      return counter(t, 'sluice_bad_input_total') === 1 && counter(t, 'sluice_late_records_total') === 1 ? t : null;
    });
    expect(counter(counted, 'sluice_records_out_total')).toBe(2);
    await until('a line with bad=1 and late=1', () => lines().find((l) => l.bad === 1 && l.late === 1) ?? null);
    expect((await fetch(url.replace('/metrics', '/nothing'))).status).toBe(404);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
  }, 150_000);

  it('--stats-every alone writes logfmt lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-monitor-'));
    dirs.push(dir);
    const file = join(dir, 'app.ndjson');
    writeFileSync(file, events(0, 3));
    const follow = start(['--follow', '--stats-every', '100ms', 'where true', file]);
    const line = await until('a logfmt line', () => /^time=\S+ elapsed_s=\S+ records_in=3 records_out=3 .*$/m.exec(follow.stderr())?.[0] ?? null);
    expect(line).toMatch(/ bad=0 late=0 type_errors=0 event_lag_ms=$/);
    follow.child.kill('SIGTERM');
    expect(await follow.exited).toBe(130);
  }, 150_000);

  it('a port that is taken: exit 69 with a message naming it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const run = start(['--metrics', `127.0.0.1:${port}`, 'where true', join(ROOT, 'fixtures', 'events.ndjson')]);
      expect(await run.exited).toBe(69);
      expect(run.stderr()).toBe(`sluice: --metrics 127.0.0.1:${port}: cannot listen (EADDRINUSE)\n`);
    } finally {
      server.close();
    }
  }, 90_000);
});
