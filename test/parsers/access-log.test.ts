import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('parse nginx', () => {
  const p = parser('nginx');

  it('reads a combined line', () => {
    expect(p.parse(`93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET /index.html HTTP/1.1" 200 3120 "https://www.google.com/" "${CHROME}"`)).toEqual({
      remote_addr: '93.184.216.34', remote_user: null, time_local: '01/May/2024:12:00:01 +0000',
      request: 'GET /index.html HTTP/1.1', method: 'GET', path: '/index.html', protocol: 'HTTP/1.1',
      status: 200, body_bytes_sent: 3120, http_referer: 'https://www.google.com/', http_user_agent: CHROME,
    });
  });

  it('reads IPv6 clients, a user name and HTTP/2', () => {
    expect(p.parse('2001:db8:85a3::8a2e:370:7334 - bob [01/May/2024:12:00:02 +0200] "POST /api/v1/login?next=%2F HTTP/2.0" 401 64 "-" "okhttp/4.12.0"')).toEqual({
      remote_addr: '2001:db8:85a3::8a2e:370:7334', remote_user: 'bob', time_local: '01/May/2024:12:00:02 +0200',
      request: 'POST /api/v1/login?next=%2F HTTP/2.0', method: 'POST', path: '/api/v1/login?next=%2F', protocol: 'HTTP/2.0',
      status: 401, body_bytes_sent: 64, http_referer: null, http_user_agent: 'okhttp/4.12.0',
    });
  });

  it('reads the "-" request nginx logs for a connection closed before a request', () => {
    expect(p.parse('198.51.100.23 - - [01/May/2024:12:00:03 +0000] "-" 400 0 "-" "-"')).toEqual({
      remote_addr: '198.51.100.23', remote_user: null, time_local: '01/May/2024:12:00:03 +0000',
      request: null, method: null, path: null, protocol: null,
      status: 400, body_bytes_sent: 0, http_referer: null, http_user_agent: null,
    });
  });

  it('keeps a binary request (TLS to a plain port) as written, with no method', () => {
    const r = p.parse('198.51.100.99 - - [01/May/2024:12:00:04 +0000] "\\x16\\x03\\x01\\x00\\xF1\\x01\\x00\\x00\\xED\\x03\\x03" 400 157 "-" "-"');
    expect(r).toMatchObject({ request: '\\x16\\x03\\x01\\x00\\xF1\\x01\\x00\\x00\\xED\\x03\\x03', method: null, path: null, protocol: null, status: 400 });
  });

  it('gives no method for a garbage request, and splits HTTP/0.9 and paths with spaces', () => {
    const line = (req: string) => `192.0.2.44 - - [01/May/2024:12:00:08 +0000] "${req}" 400 150 "-" "-"`;
    expect(p.parse(line('GARBAGE'))).toMatchObject({ request: 'GARBAGE', method: null, path: null, protocol: null });
    expect(p.parse(line('GET /'))).toMatchObject({ method: 'GET', path: '/', protocol: null });
    expect(p.parse(line('GET /a b HTTP/1.1'))).toMatchObject({ method: 'GET', path: '/a b', protocol: 'HTTP/1.1' });
    expect(p.parse(line('\\x00 / HTTP/1.1'))).toMatchObject({ method: null, path: null, protocol: null });
  });

  it('decodes \\xHH escapes nginx writes for quotes and UTF-8 in user agents', () => {
    const r = p.parse('203.0.113.50 - - [01/May/2024:12:00:05 +0000] "GET /search?q=%22hi%22 HTTP/1.1" 200 1024 "-" "Mozilla/5.0 \\x22Evil\\x22 Bot \\xE2\\x80\\x99s \\x5Cx"');
    expect(r).toMatchObject({ http_user_agent: 'Mozilla/5.0 "Evil" Bot ’s \\x' });
  });

  it('reads the X-Forwarded-For of the default `main` format, and ignores trailing fields', () => {
    expect(p.parse('10.0.0.12 - - [01/May/2024:12:00:06 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29" "203.0.113.9, 10.0.0.1"')).toMatchObject({
      http_user_agent: 'kube-probe/1.29', http_x_forwarded_for: '203.0.113.9, 10.0.0.1',
    });
    const r = p.parse('10.0.0.12 - - [01/May/2024:12:00:06 +0000] "GET /slow HTTP/1.1" 504 167 "-" "curl/8.5.0" rt=60.001 uct="0.000"');
    expect(r).toMatchObject({ status: 504, http_user_agent: 'curl/8.5.0' });
    expect(r).not.toHaveProperty('http_x_forwarded_for');
  });

  it('reads the common format (no referer, no user agent)', () => {
    expect(p.parse('127.0.0.1 - - [01/May/2024:12:00:07 +0000] "GET / HTTP/1.0" 304 0')).toEqual({
      remote_addr: '127.0.0.1', remote_user: null, time_local: '01/May/2024:12:00:07 +0000',
      request: 'GET / HTTP/1.0', method: 'GET', path: '/', protocol: 'HTTP/1.0', status: 304, body_bytes_sent: 0,
    });
  });

  it('tolerates a CR at the end of the line', () => {
    expect(p.parse('127.0.0.1 - - [01/May/2024:12:00:07 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"\r')).toMatchObject({ http_user_agent: 'curl/8.5.0' });
  });

  it('gives reasons for lines that are not access log lines', () => {
    expect(p.parse('')).toBe('not an access log line (expected HOST IDENT USER [TIME] "REQUEST" STATUS SIZE)');
    expect(p.parse('{"msg":"hello"}')).toBe('not an access log line (expected HOST IDENT USER [TIME] "REQUEST" STATUS SIZE)');
    expect(p.parse('May  1 12:00:01 web-1 CRON[3011]: (root) CMD (backup)')).toBe('expected the ident field at column 5');
    expect(p.parse('web-1 CRON[3011]: (root) CMD (backup)')).toBe("expected '[' and the time at column 26");
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET /index.html HTT')).toBe('unterminated quoted request at column 48');
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000')).toBe('unterminated [time] at column 19');
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1"')).toBe('expected the status code at column 64');
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200')).toBe('expected the response size at column 68');
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 12x')).toBe('expected the response size at column 69');
    expect(p.parse('93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 12 "https://example.com/ "curl')).toBe(
      'unterminated quoted string at column 72',
    );
    expect(p.parse('www.example.com:443 93.184.216.34 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 12')).toBe(
      "expected '[' and the time at column 37",
    );
  });
});

describe('parse apache', () => {
  const p = parser('apache');

  it('reads the combined line from the Apache manual', () => {
    expect(p.parse('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"')).toEqual({
      host: '127.0.0.1', ident: null, user: 'frank', time: '10/Oct/2000:13:55:36 -0700',
      request: 'GET /apache_pb.gif HTTP/1.0', method: 'GET', path: '/apache_pb.gif', protocol: 'HTTP/1.0',
      status: 200, size: 2326, referer: 'http://www.example.com/start.html', agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
  });

  it('gives null for a size of "-" and reads the common format', () => {
    expect(p.parse('192.0.2.10 - - [10/Oct/2000:13:55:40 -0700] "HEAD /index.html HTTP/1.1" 304 -')).toEqual({
      host: '192.0.2.10', ident: null, user: null, time: '10/Oct/2000:13:55:40 -0700',
      request: 'HEAD /index.html HTTP/1.1', method: 'HEAD', path: '/index.html', protocol: 'HTTP/1.1', status: 304, size: null,
    });
  });

  it('decodes the \\" and \\\\ escapes Apache writes', () => {
    const r = p.parse('::1 identd-user alice [10/Oct/2000:13:56:01 -0700] "GET /a\\\\b HTTP/1.1" 200 10 "-" "Mozilla/5.0 (compatible; \\"quoted\\" bot)"');
    expect(r).toMatchObject({ host: '::1', ident: 'identd-user', user: 'alice', path: '/a\\b', agent: 'Mozilla/5.0 (compatible; "quoted" bot)', referer: null });
  });

  it('survives an unescaped quote inside the user agent (old Apache, custom formats)', () => {
    expect(p.parse('10.2.3.4 - - [10/Oct/2000:13:56:02 -0700] "GET / HTTP/1.1" 200 10 "-" "Mozilla/4.0 (compatible; "weird")"')).toMatchObject({
      agent: 'Mozilla/4.0 (compatible; "weird")',
    });
  });

  it('reads a 408 with no request', () => {
    expect(p.parse('192.0.2.1 - - [10/Oct/2000:13:57:00 -0700] "-" 408 -')).toMatchObject({ request: null, method: null, status: 408, size: null });
  });

  it('gives reasons for truncated lines', () => {
    expect(p.parse('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08')).toBe(
      'unterminated quoted string at column 123',
    );
    expect(p.parse('127.0.0.1 - frank')).toBe('expected the user field at column 13');
  });
});
