// A format or an exit status is one entry in its table: everything that lists them must
// follow from that entry alone (--help, `sluice help formats`, the manual, the README, the
// -I/-O choices, `sluice kafka -O`).

import { KAFKA_VALUE_FORMATS, KAFKA_WRITE_FORMATS } from '../../src/kafka/options.js';
import { describe, expect, it } from 'vitest';
import { manPage, readmeBlocks } from '../../src/cli/gen-docs.js';
import { helpTopic, mainHelp } from '../../src/cli/help.js';
import { kafkaCommand, kafkaHelp } from '../../src/cli/kafka.js';
import { optionTable } from '../../src/cli/options.js';
import { EXIT, exitStatuses, UsageError } from '../../src/errors/errors.js';
import { formatList, inputFormatList, outputFormatList } from '../../src/formats/index.js';

const roff = (s: string): string => s.replace(/\\/g, '\\e').replace(/-/g, '\\-');

/** The text of a help section: from its title line to the next blank line. */
function section(text: string, title: string): string {
  const a = text.indexOf(`\n${title}\n`);
  expect(a, title).toBeGreaterThanOrEqual(0);
  const b = text.indexOf('\n\n', a + 1);
  return text.slice(a + title.length + 2, b < 0 ? undefined : b + 1);
}

/** A manual section: from `.SH TITLE` to the next `.SH`. */
function manSection(title: string): string {
  const man = manPage();
  const a = man.indexOf(`.SH ${title}\n`);
  expect(a, title).toBeGreaterThanOrEqual(0);
  return man.slice(a, man.indexOf('\n.SH ', a + 1) + 1);
}

/** Rows `  NAME   TEXT` of a help table, in order. */
function rows(text: string): [string, string][] {
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const m = /^ {2}(\S+) +(.+)$/.exec(l);
    expect(m, l).not.toBeNull();
    return [m![1]!, m![2]!];
  });
}

describe('formats: every registered format reaches every list', () => {
  const expected = formatList.map((f) => [f.name, f.summary]);

  it('--help and `sluice help formats` list each with its summary, in registry order', () => {
    expect(rows(section(mainHelp(), 'Formats:'))).toEqual(expected);
    expect(rows(helpTopic('formats').replace(/^Formats:\n/, ''))).toEqual(expected);
  });

  it('the manual has an entry for each', () => {
    const man = manSection('FORMATS');
    const entries = [...man.matchAll(/^\.TP\n\.B (.*)\n(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(entries).toEqual(expected.map(([n, s]) => [roff(n!), roff(s!)]));
  });

  it('the README table has a row for each, saying whether it reads and writes', () => {
    const table = readmeBlocks().formats!.split('\n').slice(2);
    expect(table).toHaveLength(formatList.length);
    formatList.forEach((f, i) => {
      expect(table[i]).toBe(`| \`${f.name}\` | ${f.decoder ? 'yes' : ''} | ${f.encoder ? 'yes' : ''} | ${f.summary.replace(/\|/g, '\\|')} |`);
    });
  });

  it('-I offers auto, every reading format and the Kafka-only value formats, -O every writing format', () => {
    const choices = (flag: string) => optionTable.find((o) => o.flags.startsWith(flag))!.choices;
    const input = ['auto', ...inputFormatList.map((f) => f.name), ...KAFKA_VALUE_FORMATS];
    expect(choices('-I,')).toEqual(input);
    expect(choices('-O,')).toEqual([...outputFormatList.map((f) => f.name), ...KAFKA_WRITE_FORMATS]);
    expect(mainHelp()).toContain(`(${input.join('|')})`);
  });

  it('sluice kafka -O offers every writing format that needs no --template, and its help says so', async () => {
    const usable = outputFormatList.filter((f) => !f.needsTemplate).map((f) => f.name);
    expect(usable.length).toBeGreaterThan(1);
    const io = { stdout: () => undefined, stderr: () => undefined, env: {}, isTerminal: false };
    const err = await kafkaCommand(['topics', '-O', 'xml'], io).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const allowed = /Allowed choices are (.*)\.$/.exec((err as UsageError).message)![1]!.split(', ');
    expect([...allowed].sort()).toEqual([...usable].sort());
    const line = /^ {2}-O, --output-format <format> +(.*)$/m.exec(kafkaHelp())![1]!;
    expect(line).toBe(`${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`);
  });
});

describe('exit statuses: one table', () => {
  const expected = exitStatuses.map((s) => [String(s.code), s.meaning]);

  it('EXIT is that table by name, and each code and name is there once', () => {
    expect(Object.entries(EXIT)).toEqual(exitStatuses.map((s) => [s.name, s.code]));
    expect(new Set(exitStatuses.map((s) => s.code)).size).toBe(exitStatuses.length);
    expect(EXIT.internal).toBe(70);
  });

  it('--help, the manual and the README list every status with its meaning', () => {
    expect(rows(section(mainHelp(), 'Exit status:'))).toEqual(expected);
    const entries = [...manSection('EXIT STATUS').matchAll(/^\.TP\n\.B (.*)\n(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(entries).toEqual(expected.map(([c, t]) => [c, roff(t!)]));
    expect(readmeBlocks().exit!.split('\n').slice(2)).toEqual(expected.map(([c, t]) => `| ${c} | ${t} |`));
  });
});
