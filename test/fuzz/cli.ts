// The spawned-binary layer of the fuzzers: bin/sluice on fuzzed input files (the in-process
// targets' inputs), checking what a user sees: the exit status (only 0 or 65 here, never 70),
// a one-line message with file:line for bad input, and the --stats accounting
// `records in = records out + bad + filtered`. --stats has no `filtered` line, so each case runs a
// predicate P and its complement: `where (P ?? false) == true` and `... != true` split the
// records in two, so out(P) + out(not P) must be the records in, minus what `parse` found bad;
// and the lines written must be the records out. Under --on-error fail the exit is 65 exactly
// when the skip run counted bad input.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { explainAsync } from './known.js';
import { randFor } from './inputs.js';
import { allTargets } from './targets.js';

const BIN = resolve(__dirname, '..', '..', 'bin', 'sluice');

export interface CliCase {
  text: string;
  format: string;
  /** the program before the predicate: '' or `parse X from line | ` */
  head: string;
  predicate: string;
}

const PREDICATES = [
  '@line % 2 == 0', '@line > 3', '@line % 3 == 1', 'a > 1', 'exists(b)', 'type(a) == "string"', 'len(str(line)) % 2 == 0', 'id % 3 == 0', 'a == null', 'str(msg) =~ /q/',
  'str(a) < "m"', 'status >= 400', 'lower(str(method)) in ["get", "post"]', 'tojson(@line) != "1"', 'k_1 ?? true',
];
const PARSERS = ['nginx', 'apache', 'syslog', 'kv', 'logfmt', 'json', 'csv', "regex '^(?<a>\\S+) (?<rest>.*)'"];

/** Case `index` of run `seed`: a decoder target's input, read by its format (or parsed from lines). */
export function cliCase(seed: number, index: number): CliCase {
  const r = randFor(seed, index);
  const targets = allTargets();
  const target = r.pick(targets);
  const predicate = r.pick(PREDICATES);
  if (target.name.startsWith('parse ')) {
    // a few of the parser's inputs, one a line
    const text = Array.from({ length: 1 + r.int(12) }, (_, k) => target.input(seed, index * 16 + k).text.replace(/[\r\n]+/g, ' ')).join('\n') + '\n';
    const parser = target.name.slice('parse '.length);
    return { text, format: 'lines', head: `parse ${parser === 'regex' ? PARSERS.at(-1)! : parser} from line | `, predicate };
  }
  return { text: target.input(seed, index).text, format: r.chance(0.1) ? 'auto' : target.name, head: '', predicate };
}

export interface Exit { status: number; stdout: string; stderr: string }

/** Runs sluice with these arguments in `cwd`: bin/sluice in a process, or main() in this one. */
export type Runner = (args: string[], cwd: string) => Promise<Exit>;

export const spawned: Runner = (args, cwd) => new Promise((done, fail) => {
  const child = spawn(BIN, args, { cwd, env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', fail);
  child.on('close', (code, signal) => done({ status: code ?? (signal ? 128 : -1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
});

let outputs = 0;
/** main() in process (the same code, without the start-up of a process): output through --to. */
export const inProcess: Runner = async (args, cwd) => {
  const { main } = await import('../../src/cli/main.js');
  const out = join(cwd, `out-${outputs++}.ndjson`);
  let stderr = '';
  const file = args.at(-1)!;
  const status = await main(['--to', out, ...args.slice(0, -1), join(cwd, file)], { stderr: (t) => void (stderr += t), stdout: () => undefined, env: { NO_COLOR: '1' } });
  return { status, stdout: existsSync(out) ? readFileSync(out, 'utf8') : '', stderr };
};

function stat(stderr: string, name: string): number | null {
  const m = new RegExp(`^sluice: ${name} +(\\d+)$`, 'm').exec(stderr);
  return m ? Number(m[1]) : null;
}

/** null when everything holds, else what did not. */
export async function checkCli(c: CliCase, run: Runner = spawned): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fuzz-'));
  try {
    writeFileSync(join(dir, 'fuzz.in'), c.text);
    const base = ['-I', c.format, '-O', 'ndjson', '--stats'];
    const yes = `${c.head}where (${c.predicate} ?? false) == true`;
    const no = `${c.head}where (${c.predicate} ?? false) != true`;
    const [a, b, f] = await Promise.all([
      run([...base, '--on-error', 'skip', yes, 'fuzz.in'], dir),
      run([...base, '--on-error', 'skip', no, 'fuzz.in'], dir),
      run([...base, yes, 'fuzz.in'], dir),
    ]);
    for (const [name, r] of [['skip', a], ['skip', b]] as const) {
      if (r.status !== 0) return `--on-error ${name}: exit ${r.status}: ${r.stderr.slice(0, 300)}`;
    }
    const [inA, outA, badA, inB, outB, badB] = [stat(a.stderr, 'records in'), stat(a.stderr, 'records out'), stat(a.stderr, 'bad input'), stat(b.stderr, 'records in'), stat(b.stderr, 'records out'), stat(b.stderr, 'bad input')];
    if (inA === null || outA === null || badA === null || inB === null || outB === null || badB === null) return `no --stats report: ${a.stderr.slice(0, 300)}`;
    if (inA !== inB || badA !== badB) return `the same input counted differently: in ${inA}/${inB}, bad ${badA}/${badB}`;
    const lines = (s: string) => s.split('\n').length - 1;
    if (lines(a.stdout) !== outA || lines(b.stdout) !== outB) return `records out ${outA}/${outB}, but ${lines(a.stdout)}/${lines(b.stdout)} lines written`;
    // without `parse`, bad input is never a record in; with it, a line that does not parse is both
    const parseBad = c.head === '' ? 0 : badA;
    if (inA !== outA + outB + parseBad) return `records in ${inA} != out ${outA} + filtered ${outB} + bad ${parseBad}`;
    // when --stats counts what `where` filtered out, that count must be the complement's output
    const filtered = stat(a.stderr, 'filtered(?: out)?');
    if (filtered !== null && filtered !== outB) return `--stats says ${filtered} filtered, but the complement kept ${outB}`;
    if (f.status !== (badA > 0 ? 65 : 0)) return `--on-error fail: exit ${f.status} (bad input: ${badA}): ${f.stderr.slice(0, 300)}`;
    if (f.status === 65) {
      const msg = f.stderr.split('\n').find((l) => !/^sluice: (records in|records out|bad input|type errors|elapsed|rate|assert failures|late records) /.test(l));
      if (msg === undefined || !/^sluice: \S*fuzz\.in:\d+: \S/.test(msg)) return `exit 65 without a file:line message: ${JSON.stringify(f.stderr.slice(0, 300))}`;
      const other = f.stderr.split('\n').filter((l) => l !== '' && l !== msg && !/^sluice: (records in|records out|bad input|type errors|elapsed|rate) /.test(l));
      if (other.length > 0) return `the message is more than one line: ${JSON.stringify(f.stderr.slice(0, 300))}`;
    }
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Check case `index`; a failure that a known bug explains gives its labels instead. */
export async function cliFinding(seed: number, index: number, run: Runner = spawned): Promise<{ known: string[] } | { what: string; input: string } | null> {
  const c = cliCase(seed, index);
  const what = await checkCli(c, run);
  if (what === null) return null;
  const ex = await explainAsync(c.text, c.format === 'lines' ? c.head : c.format, async (text) => (await checkCli({ ...c, text }, run)) !== null);
  if ('labels' in ex) return { known: ex.labels };
  return { what: `${what} [sluice -I ${c.format} '${c.head}where ...(${c.predicate})']`, input: JSON.stringify(ex.cured).slice(0, 2000) };
}
