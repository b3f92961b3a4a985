import type { Rec } from '../../core/event.js';
import { dashNull, scanAccessLine, splitRequest } from './access-log.js';
import { parserOf, type TextParserSpec } from './types.js';

function parseApache(text: string): Rec | string {
  const a = scanAccessLine(text);
  if (typeof a === 'string') return a;
  const request = dashNull(a.request);
  const [method, path, protocol] = splitRequest(request);
  const rec: Rec = {
    host: a.host,
    ident: dashNull(a.ident),
    user: dashNull(a.user),
    time: a.time,
    request,
    method,
    path,
    protocol,
    status: a.status,
    size: a.size,
  };
  if (a.quoted.length >= 1) {
    rec.referer = dashNull(a.quoted[0]);
    if (a.quoted.length >= 2) rec.agent = dashNull(a.quoted[1]);
  }
  return rec;
}

export const apacheParser: TextParserSpec = {
  name: 'apache',
  summary: 'an Apache access log line, "combined" or "common" format; "-" (size too) becomes null',
  usage: 'parse apache [from FIELD]',
  needsArg: false,
  examples: [
    {
      input: '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
      output:
        '{"host":"127.0.0.1","ident":null,"user":"frank","time":"10/Oct/2000:13:55:36 -0700",' +
        '"request":"GET /apache_pb.gif HTTP/1.0","method":"GET","path":"/apache_pb.gif","protocol":"HTTP/1.0",' +
        '"status":200,"size":2326,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}',
    },
    {
      input: '192.0.2.10 - - [10/Oct/2000:13:55:40 -0700] "HEAD /index.html HTTP/1.1" 304 -',
      output:
        '{"host":"192.0.2.10","ident":null,"user":null,"time":"10/Oct/2000:13:55:40 -0700",' +
        '"request":"HEAD /index.html HTTP/1.1","method":"HEAD","path":"/index.html","protocol":"HTTP/1.1",' +
        '"status":304,"size":null}',
    },
  ],
  create: () => parserOf(apacheParser, parseApache),
};
