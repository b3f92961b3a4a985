import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Rec } from '../../src/core/event.js';
import { parser } from './helpers.js';

const lines = (name: string): string[] => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
const parseAll = (format: string, name: string): Rec[] =>
  lines(name).map((line, i) => {
    const r = parser(format).parse(line);
    if (typeof r === 'string') throw new Error(`fixtures/${name}:${i + 1}: ${r}`);
    return r;
  });

describe('the log fixtures parse cleanly', () => {
  it('fixtures/access.log: nginx combined', () => {
    const recs = parseAll('nginx', 'access.log');
    expect(recs).toHaveLength(40);
    expect(recs.filter((r) => (r.status as number) >= 500).map((r) => `${r.status} ${r.path}`)).toEqual([
      '502 /api/checkout', '504 /api/checkout', '503 /api/cart', '500 /api/search?q=shoes',
    ]);
    expect(recs.filter((r) => r.method === null)).toHaveLength(2);
    expect(recs.every((r) => String(r.time_local).startsWith('01/May/2024:12:'))).toBe(true);
    expect(recs.some((r) => String(r.remote_addr).includes(':'))).toBe(true);
    // the same lines read as Apache's
    expect(parseAll('apache', 'access.log')).toHaveLength(40);
  });

  it('fixtures/syslog.log: RFC 3164', () => {
    const recs = parseAll('syslog', 'syslog.log');
    expect(recs.length).toBeGreaterThanOrEqual(20);
    expect(new Set(recs.map((r) => r.appname))).toEqual(new Set(['CRON', 'sshd', 'sudo', 'systemd', 'kernel']));
    expect(recs.filter((r) => String(r.message).startsWith('Failed password'))).toHaveLength(2);
  });

  it('fixtures/app.logfmt: logfmt', () => {
    const recs = parseAll('logfmt', 'app.logfmt');
    expect(recs).toHaveLength(30);
    expect(recs.filter((r) => r.level === 'error').map((r) => r.service)).toEqual(['checkout', 'api', 'search', 'checkout']);
    expect(recs.filter((r) => r.level === 'warn')).toHaveLength(3);
    expect(recs.every((r) => typeof r.latency_ms === 'number' && typeof r.msg === 'string')).toBe(true);
  });
});
