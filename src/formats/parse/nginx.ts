import type { Rec } from '../../core/event.js';
import { dashNull, scanAccessLine, splitRequest } from './access-log.js';
import { parserOf, type TextParserSpec } from './types.js';

function parseNginx(text: string): Rec | string {
  const a = scanAccessLine(text);
  if (typeof a === 'string') return a;
  const request = dashNull(a.request);
  const [method, path, protocol] = splitRequest(request);
  const rec: Rec = {
    remote_addr: a.host,
    remote_user: dashNull(a.user),
    time_local: a.time,
    request,
    method,
    path,
    protocol,
    status: a.status,
    body_bytes_sent: a.size,
  };
  if (a.quoted.length >= 1) {
    rec.http_referer = dashNull(a.quoted[0]);
    if (a.quoted.length >= 2) rec.http_user_agent = dashNull(a.quoted[1]);
    if (a.quoted.length >= 3) rec.http_x_forwarded_for = dashNull(a.quoted[2]);
  }
  return rec;
}

export const nginxParser: TextParserSpec = {
  name: 'nginx',
  summary: 'an nginx access log line, "combined" or "common" format; "-" becomes null',
  usage: 'parse nginx [from FIELD]',
  needsArg: false,
  examples: [
    {
      input: '203.0.113.7 - alice [01/May/2024:12:00:03 +0000] "GET /api/orders?id=42 HTTP/1.1" 200 512 "-" "curl/8.5.0"',
      output:
        '{"remote_addr":"203.0.113.7","remote_user":"alice","time_local":"01/May/2024:12:00:03 +0000",' +
        '"request":"GET /api/orders?id=42 HTTP/1.1","method":"GET","path":"/api/orders?id=42","protocol":"HTTP/1.1",' +
        '"status":200,"body_bytes_sent":512,"http_referer":null,"http_user_agent":"curl/8.5.0"}',
    },
    {
      input: '2001:db8::5 - - [01/May/2024:12:00:04 +0000] "-" 400 0',
      output:
        '{"remote_addr":"2001:db8::5","remote_user":null,"time_local":"01/May/2024:12:00:04 +0000",' +
        '"request":null,"method":null,"path":null,"protocol":null,"status":400,"body_bytes_sent":0}',
    },
  ],
  create: () => parserOf(nginxParser, parseNginx),
};
