// CI reports of the checks a run makes (each `assert` stage, and --schema): `--report junit=FILE`
// (one JUnit test case per check, for CI test-report views), `--report github` (GitHub Actions
// `::error` workflow commands, which GitHub reads from stdout or stderr: they go to stderr so
// that the data on stdout stays clean) and `--report summary` (per check, the count and the
// first locations, on stderr). Failures are kept per check only up to a cap: memory stays
// bounded whatever the number of failing records, and the counts stay exact.

import { writeFileSync, accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputError, UnavailableError, UsageError } from '../errors/errors.js';
import { ioReason } from '../sinks/sink.js';
import type { Event } from '../core/event.js';

/** One failing record of a check. */
export interface CheckFailure {
  /** the input file (null for stdin or Kafka) and the record's line in it */
  file: string | null;
  line: number | null;
  /** `file:line`, `(stdin):3` or `topic/partition@offset` */
  where: string;
  message: string;
  /** the record as JSON */
  record: string;
}

interface Check {
  name: string;
  kind: 'assert' | 'schema';
  failures: number;
  kept: CheckFailure[];
}

export type ReportSpec = { kind: 'junit'; path: string } | { kind: 'github' } | { kind: 'summary' };

/** failures kept per check for the JUnit file and the annotations; the counts are exact */
export const KEPT_PER_CHECK = 50;
/** GitHub shows at most 10 error annotations per step; more are noise in the log */
const GITHUB_PER_CHECK = 10;
const SUMMARY_LOCATIONS = 3;

/** `--report junit=FILE`, `--report github`, `--report summary` (repeatable). */
export function parseReports(values: readonly string[]): ReportSpec[] {
  return values.map((v) => {
    if (v === 'github' || v === 'summary') return { kind: v };
    const m = /^junit=(.+)$/.exec(v);
    if (m) return { kind: 'junit', path: m[1]! };
    if (v === 'junit') throw new UsageError('--report junit needs a file: --report junit=FILE');
    throw new UsageError(`--report takes junit=FILE, github or summary, not '${v}'`);
  });
}

/** A JUnit file must be writable before the first record is read: exit 69 otherwise, as --to. */
export function checkReportPaths(reports: readonly ReportSpec[]): void {
  for (const r of reports) {
    if (r.kind !== 'junit') continue;
    const dir = dirname(r.path);
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UnavailableError(`--report junit=${r.path}: cannot write there: ${code === 'ENOENT' ? 'no such directory' : ioReason(e)}`);
    }
  }
}

export class CheckReport {
  private readonly checks = new Map<string, Check>();
  /** the run stopped on an error (exit 65, 69, ...): the JUnit file says so */
  runError: string | null = null;
  /** finish() ran (or began): the reports are not written twice */
  finished = false;

  constructor(readonly reports: readonly ReportSpec[]) {}

  /** A check the run makes; listed (and passing) even when no record fails it. */
  add(name: string, kind: Check['kind']): void {
    if (!this.checks.has(name)) this.checks.set(name, { name, kind, failures: 0, kept: [] });
  }

  fail(name: string, kind: Check['kind'], ev: Event, where: string, message: string): void {
    this.add(name, kind);
    const c = this.checks.get(name)!;
    c.failures++;
    if (c.kept.length >= KEPT_PER_CHECK) return;
    const fromFile = ev.partition < 0 && ev.source.name !== '-';
    c.kept.push({
      file: fromFile ? ev.source.name : null,
      line: ev.partition < 0 ? ev.line : null,
      where,
      message,
      record: JSON.stringify(ev.value) ?? 'null',
    });
  }

  get failed(): boolean {
    return [...this.checks.values()].some((c) => c.failures > 0);
  }

  /** Write the reports asked for: the summary and annotations through `stderr`, JUnit files to disk. */
  finish(stderr: (text: string) => void): void {
    this.finished = true;
    const checks = [...this.checks.values()];
    for (const r of this.reports) {
      if (r.kind === 'summary') stderr(summary(checks));
      else if (r.kind === 'github') stderr(githubAnnotations(checks, this.runError));
      else {
        try {
          writeFileSync(r.path, junitXml(checks, this.runError));
        } catch (e) {
          throw new OutputError(`writing the JUnit report '${r.path}' failed: ${ioReason(e)}`, { cause: e });
        }
      }
    }
  }
}

function summary(checks: readonly Check[]): string {
  if (checks.length === 0) return 'sluice: checks: none (the program has no assert and there is no --schema)\n';
  const lines = checks.map((c) => {
    if (c.failures === 0) return `sluice:   ok      ${c.name}`;
    const first = c.kept.slice(0, SUMMARY_LOCATIONS).map((f) => f.where).join(', ');
    return `sluice:   FAILED  ${c.name}: ${c.failures} record${c.failures === 1 ? '' : 's'} (first at ${first}${c.failures > SUMMARY_LOCATIONS ? ', ...' : ''})`;
  });
  const failed = checks.filter((c) => c.failures > 0).length;
  return `sluice: checks: ${checks.length - failed} passed, ${failed} failed\n${lines.join('\n')}\n`;
}

/** GitHub workflow command escaping: the message escapes %, CR and LF; a property value also : and , */
export function githubEscapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function githubEscapeProperty(s: string): string {
  return githubEscapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function githubAnnotations(checks: readonly Check[], runError: string | null): string {
  let out = '';
  for (const c of checks) {
    for (const f of c.kept.slice(0, GITHUB_PER_CHECK)) {
      const props = [];
      if (f.file !== null) props.push(`file=${githubEscapeProperty(f.file)}`);
      if (f.file !== null && f.line !== null) props.push(`line=${f.line}`);
      props.push(`title=${githubEscapeProperty(`sluice ${c.name}`)}`);
      const text = f.file !== null ? f.message : `${f.where}: ${f.message}`;
      out += `::error ${props.join(',')}::${githubEscapeData(`${text}\n${f.record}`)}\n`;
    }
    const more = c.failures - Math.min(c.kept.length, GITHUB_PER_CHECK);
    if (more > 0) out += `::error title=${githubEscapeProperty(`sluice ${c.name}`)}::${githubEscapeData(`... and ${more} more record${more === 1 ? '' : 's'} failed ${c.name}`)}\n`;
  }
  if (runError !== null) out += `::error title=sluice::${githubEscapeData(runError)}\n`;
  return out;
}

/** Text for XML 1.0: characters it cannot hold (controls other than tab and newline, lone surrogates) become U+FFFD. */
function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** The JUnit XML (Ant/Jenkins form, valid under Jenkins' junit-10.xsd): a test case per check. */
export function junitXml(checks: readonly Check[], runError: string | null): string {
  const failures = checks.filter((c) => c.failures > 0).length;
  const errors = runError !== null ? 1 : 0;
  const tests = checks.length + errors;
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}"`;
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sluice" ${counts}>\n  <testsuite name="sluice" ${counts} skipped="0">\n`;
  for (const c of checks) {
    const head = `    <testcase name="${xmlAttr(c.name)}" classname="sluice.${c.kind}"`;
    if (c.failures === 0) {
      out += `${head}/>\n`;
      continue;
    }
    const n = `${c.failures} record${c.failures === 1 ? '' : 's'} failed`;
    const body = c.kept.map((f) => `${f.where}: ${f.message}\n  ${f.record}\n`).join('') +
      (c.failures > c.kept.length ? `... and ${c.failures - c.kept.length} more\n` : '');
    const first = c.kept[0]!;
    out += `${head}>\n      <failure type="${c.kind}" message="${xmlAttr(`${n}; first at ${first.where}: ${first.message}`)}">${xmlText(body)}</failure>\n    </testcase>\n`;
  }
  if (runError !== null) {
    out += `    <testcase name="run" classname="sluice.run">\n      <error type="run" message="${xmlAttr(runError)}"/>\n    </testcase>\n`;
  }
  return `${out}  </testsuite>\n</testsuites>\n`;
}
