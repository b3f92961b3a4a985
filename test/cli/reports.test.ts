// --report: the JUnit file validates against the schema CI systems read (Jenkins' junit-10.xsd,
// test/schemas/) and holds exactly the failing records, whatever characters they contain; GitHub
// annotations escape what the workflow-command rules require.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckReport, githubEscapeData, githubEscapeProperty, KEPT_PER_CHECK } from '../../src/cli/reports.js';
import { makeEvent, type Source, type Value } from '../../src/core/event.js';

const ROOT = resolve(__dirname, '../..');
const XSD = join(ROOT, 'test/schemas/junit-10.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

function xmllint(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const source = (name: string): Source => ({ name });

describe('--report junit', () => {
  it('xmllint is installed (apt-get install libxml2-utils; .ci/run installs it)', () => {
    expect(hasXmllint).toBe(true);
  });

  it('validates against junit-10.xsd and keeps every failing record, for any text in records, messages and names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-junit-'));
    const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", '\n', '\r', '\t', '\u0000', '\u001b', '\ud800', '\uffff', ']]>'), fc.fullUnicode(), fc.char()), maxLength: 20 });
    const cases = fc.sample(fc.record({
      rules: fc.array(fc.record({ name: anyText, failing: fc.array(fc.record({ line: fc.nat(1000), field: anyText, message: anyText }), { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
      runError: fc.option(anyText),
    }), 40);
    const files: string[] = [];
    cases.forEach((c, i) => {
      const path = join(dir, `r${i}.xml`);
      const report = new CheckReport([{ kind: 'junit', path }]);
      c.rules.forEach((r, j) => {
        const name = `assert ${j} ${r.name}`;
        report.add(name, 'assert');
        for (const f of r.failing) report.fail(name, 'assert', makeEvent({ v: f.field } as Value, undefined, source('in.ndjson'), f.line, 0), `in.ndjson:${f.line}`, f.message);
      });
      report.runError = c.runError;
      report.finish(() => undefined);
      files.push(path);
    });
    const r = xmllint('--noout', '--schema', XSD, ...files);
    expect(r.err.split('\n').filter((l) => !l.endsWith(' validates') && l !== '')).toEqual([]);
    expect(r.status).toBe(0);
    // read back: the counts, and each failing record's JSON in the failure text
    cases.forEach((c, i) => {
      const xml = files[i]!;
      const count = (xpath: string) => Number(xmllint('--xpath', xpath, xml).out);
      expect(count('count(//testcase)')).toBe(c.rules.length + (c.runError !== null ? 1 : 0));
      expect(count('count(//failure)')).toBe(c.rules.filter((r) => r.failing.length > 0).length);
      expect(count('string(/testsuites/@failures)')).toBe(c.rules.filter((r) => r.failing.length > 0).length);
      const text = xmllint('--xpath', 'string(//testsuite)', xml).out;
      for (const r of c.rules) for (const f of r.failing) {
        const json = JSON.stringify({ v: f.field });
        // XML cannot hold some characters: those became U+FFFD
        expect(text).toContain(json.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD').replace(/\r\n?/g, '\n'));
      }
    });
  });

  it('keeps the first failures of a check and counts the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-junit-'));
    const path = join(dir, 'r.xml');
    const report = new CheckReport([{ kind: 'junit', path }]);
    for (let i = 1; i <= KEPT_PER_CHECK + 7; i++) report.fail('assert x > 0', 'assert', makeEvent({ x: -i }, undefined, source('a.ndjson'), i, 0), `a.ndjson:${i}`, 'bad x');
    report.finish(() => undefined);
    const xml = readFileSync(path, 'utf8');
    expect(xml).toContain(`message="${KEPT_PER_CHECK + 7} records failed; first at a.ndjson:1: bad x"`);
    expect(xml).toContain(`a.ndjson:${KEPT_PER_CHECK}: bad x`);
    expect(xml).not.toContain(`a.ndjson:${KEPT_PER_CHECK + 1}: bad x`);
    expect(xml).toContain('... and 7 more');
  });

  it('the CLI writes a valid report for a passing run too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-junit-'));
    const path = join(dir, 'ok.xml');
    writeFileSync(join(dir, 'in.ndjson'), '{"a":1}\n{"a":2}\n');
    execFileSync(join(ROOT, 'bin/sluice'), ['assert a > 0', join(dir, 'in.ndjson'), '--report', `junit=${path}`], { stdio: 'pipe' });
    expect(xmllint('--noout', '--schema', XSD, path).status).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('<testcase name="assert a &gt; 0" classname="sluice.assert"/>');
  });
});

describe('--report github', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(githubEscapeData('50% a\r\nb: c, d')).toBe('50%25 a%0D%0Ab: c, d');
    expect(githubEscapeProperty('dir/a:b,c%.csv')).toBe('dir/a%3Ab%2Cc%25.csv');
  });

  it('every annotation is one line that unescapes to the message', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('%', '\r', '\n', ':', ',', 'a', '2') }), (s) => {
      const decode = (t: string) => t.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
      for (const e of [githubEscapeData(s), githubEscapeProperty(s)]) {
        expect(e).not.toMatch(/[\r\n]/);
        expect(decode(e)).toBe(s);
      }
      expect(githubEscapeProperty(s)).not.toMatch(/[:,]/);
    }));
  });
});
