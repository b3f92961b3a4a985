import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

describe('parse syslog, RFC 3164', () => {
  const p = parser('syslog');

  it('reads the RFC example, with <PRI>', () => {
    expect(p.parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toEqual({
      priority: 34, facility: 4, severity: 2, timestamp: 'Oct 11 22:14:15', hostname: 'mymachine', appname: 'su',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('reads /var/log lines without <PRI>: sshd, cron, kernel, postfix', () => {
    expect(p.parse('May  1 12:00:03 web-1 sshd[2817]: Accepted publickey for deploy from 203.0.113.9 port 52144 ssh2: ED25519 SHA256:Qm9v')).toEqual({
      timestamp: 'May  1 12:00:03', hostname: 'web-1', appname: 'sshd', procid: '2817',
      message: 'Accepted publickey for deploy from 203.0.113.9 port 52144 ssh2: ED25519 SHA256:Qm9v',
    });
    expect(p.parse('May  1 12:00:01 web-1 CRON[3011]: (root) CMD (/usr/local/bin/backup.sh)')).toEqual({
      timestamp: 'May  1 12:00:01', hostname: 'web-1', appname: 'CRON', procid: '3011', message: '(root) CMD (/usr/local/bin/backup.sh)',
    });
    expect(p.parse('May  1 12:00:05 web-1 kernel: [123456.789012] EXT4-fs (sda1): mounted filesystem with ordered data mode')).toEqual({
      timestamp: 'May  1 12:00:05', hostname: 'web-1', appname: 'kernel', message: '[123456.789012] EXT4-fs (sda1): mounted filesystem with ordered data mode',
    });
    expect(p.parse('Dec 31 23:59:59 mail postfix/smtpd[1234]: connect from unknown[198.51.100.7]')).toMatchObject({
      appname: 'postfix/smtpd', procid: '1234', message: 'connect from unknown[198.51.100.7]',
    });
  });

  it('reads the RFC 3339 stamps of current rsyslog', () => {
    expect(p.parse('2024-05-01T12:00:03.123456+00:00 web-1 systemd[1]: Started Session 42 of User deploy.')).toEqual({
      timestamp: '2024-05-01T12:00:03.123456+00:00', hostname: 'web-1', appname: 'systemd', procid: '1', message: 'Started Session 42 of User deploy.',
    });
  });

  it('reads lines with no hostname (as sent to /dev/log) and lines with no tag', () => {
    expect(p.parse('<38>May  1 12:00:05 sshd[99]: Connection closed by 203.0.113.9')).toEqual({
      priority: 38, facility: 4, severity: 6, timestamp: 'May  1 12:00:05', appname: 'sshd', procid: '99', message: 'Connection closed by 203.0.113.9',
    });
    expect(p.parse('May  1 12:00:03 web-1 just a message')).toEqual({ timestamp: 'May  1 12:00:03', hostname: 'web-1', message: 'just a message' });
    expect(p.parse('May  1 12:00:03 fe80::1 ntpd[5]: step time')).toMatchObject({ hostname: 'fe80::1', appname: 'ntpd', procid: '5' });
    expect(p.parse('May  1 12:00:03')).toEqual({ timestamp: 'May  1 12:00:03', message: '' });
  });

  it('trims the blanks sudo puts before its message', () => {
    expect(p.parse('May  1 12:00:09 web-1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/systemctl restart nginx')).toMatchObject({
      appname: 'sudo', message: 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/systemctl restart nginx',
    });
  });
});

describe('parse syslog, RFC 5424', () => {
  const p = parser('syslog');

  it('reads the RFC examples', () => {
    expect(p.parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8")).toEqual({
      priority: 34, facility: 4, severity: 2, timestamp: '2003-10-11T22:14:15.003Z', hostname: 'mymachine.example.com',
      appname: 'su', procid: null, msgid: 'ID47', message: "'su root' failed for lonvick on /dev/pts/8",
    });
    expect(p.parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.")).toEqual({
      priority: 165, facility: 20, severity: 5, timestamp: '2003-08-24T05:14:15.000003-07:00', hostname: '192.0.2.1',
      appname: 'myproc', procid: '8710', msgid: null, message: "%% It's time to make the do-nuts.",
    });
    expect(p.parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]')).toEqual({
      priority: 165, facility: 20, severity: 5, timestamp: '2003-10-11T22:14:15.003Z', hostname: 'mymachine.example.com',
      appname: 'evntslog', procid: null, msgid: 'ID47',
      structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } },
      message: '',
    });
  });

  it('decodes escapes in SD values and collects a repeated name into an array', () => {
    expect(p.parse('<14>1 2024-05-01T12:00:03Z h app 1 - [meta ip="10.0.0.1" ip="10.0.0.2" q="a \\"b\\" \\] \\\\ \\n"] msg')).toMatchObject({
      structured_data: { meta: { ip: ['10.0.0.1', '10.0.0.2'], q: 'a "b" ] \\ \\n' } }, message: 'msg',
    });
  });

  it('gives null for every NILVALUE', () => {
    expect(p.parse('<14>1 - - - - - -')).toEqual({
      priority: 14, facility: 1, severity: 6, timestamp: null, hostname: null, appname: null, procid: null, msgid: null, message: '',
    });
  });

  it('gives reasons for broken lines', () => {
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z mymachine')).toBe('truncated RFC 5424 header: no hostname');
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z h a p m [id a="x')).toBe('unterminated structured data value');
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z h a p m [id a="x"')).toBe('unterminated structured data');
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z h a p m [id a=x]')).toBe('expected name="value" in structured data at column 44');
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z h a p m oops')).toBe("expected structured data ('-' or '[') at column 40");
    expect(p.parse('<34>1 2003-10-11T22:14:15.003Z h a p m [x]msg')).toBe('expected a space before the message at column 43');
  });
});

describe('parse syslog, failures', () => {
  const p = parser('syslog');
  it('gives reasons for lines that are not syslog', () => {
    expect(p.parse('')).toBe('not a syslog line (no <PRI> or timestamp at the start)');
    expect(p.parse('hello world')).toBe('not a syslog line (no <PRI> or timestamp at the start)');
    expect(p.parse('Oct 11 22:14')).toBe('not a syslog line (no <PRI> or timestamp at the start)');
    expect(p.parse('<999>Oct 11 22:14:15 h x: y')).toBe('priority 999 out of range (0-191)');
    expect(p.parse('<1234>Oct 11 22:14:15 h x: y')).toBe('invalid <PRI> at column 1');
    expect(p.parse('<>Oct 11 22:14:15 h x: y')).toBe('invalid <PRI> at column 1');
    expect(p.parse('<192>Oct 11 22:14:15 h x: y')).toBe('priority 192 out of range (0-191)');
    expect(p.parse('<abc>Oct 11 22:14:15 h x: y')).toBe('invalid <PRI> at column 1');
    expect(p.parse('<13>just text')).toBe('expected a timestamp after <PRI> at column 5');
  });
});
