// The entry point behind bin/sluice: options -> program -> plan -> run. Everything is
// validated before the first record is read. Library code throws typed errors; this module
// turns them into a message on stderr and the exit status that bin/sluice exits with.

import { Command, CommanderError, Option } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { EXIT, SluiceError, UsageError } from '../errors/errors.js';
import { decoders, encoders, formatByExtension, sniffFormat } from '../formats/index.js';
import type { Encoder, InputFormat } from '../formats/types.js';
import { findOperator } from '../operators/index.js';
import { compileProgram } from '../runtime/compile.js';
import { parseDuration } from '../time/duration.js';
import { colorEnabled, colorError, colorJsonLine, colorTable, loadChalk } from '../render/color.js';
import { Executor, type BadRecord } from '../runtime/executor.js';
import { location } from '../runtime/event.js';
import { Stats } from '../runtime/stats.js';
import { fileSink, stdoutSink, type Sink } from '../sinks/sink.js';
import { followInput } from '../sources/follow.js';
import { checkReadable, fileInput, stdinInput, stdinIsFile, type TextInput } from '../sources/text.js';
import { helpTopic, mainHelp } from './help.js';
import { optionTable, type CliOptions } from './options.js';
import { explainPlan } from './explain.js';
import { splitProgramArgs } from './program-args.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function buildCommand(): Command {
  const cmd = new Command('sluice')
    .argument('[args...]')
    .allowExcessArguments(true)
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const o of optionTable) {
    const opt = new Option(o.flags, o.help);
    if (o.choices) opt.choices(o.choices);
    if (o.default !== undefined && typeof o.default === 'string') opt.default(o.default);
    cmd.addOption(opt);
  }
  return cmd;
}

interface Io {
  stderr(text: string): void;
  stdout(text: string): void;
  env: NodeJS.ProcessEnv;
}

const MAX_ASSERT_MESSAGES = 20;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const stats = new Stats();
  let color = false;
  let opts: CliOptions | null = null;
  try {
    if (argv[0] === 'help') {
      io.stdout(argv.length > 1 ? helpTopic(argv.slice(1).join(' ')) : mainHelp());
      return EXIT.ok;
    }
    const cmd = buildCommand();
    try {
      cmd.parse(argv, { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ''));
      throw e;
    }
    opts = cmd.opts<CliOptions>();
    if (opts.help) { io.stdout(mainHelp()); return EXIT.ok; }
    if (opts.version) { io.stdout(`sluice ${version()}\n`); return EXIT.ok; }
    return await run(cmd, opts, stats, io, (c) => { color = c; });
  } catch (e) {
    return report(e, io, color);
  } finally {
    if (opts?.stats) io.stderr(stats.report());
  }
}

function report(e: unknown, io: Io, color: boolean): number {
  if (e instanceof SluiceError) {
    let text = `sluice: ${e.message}\n`;
    if (e instanceof UsageError && e.detail) text += e.detail + '\n';
    if (color) void loadChalk().then((c) => io.stderr(colorError(c, text)));
    else io.stderr(text);
    return e.exitCode;
  }
  const err = e as Error;
  io.stderr(`sluice: internal error: ${err?.message ?? String(e)}\n`);
  if (io.env.SLUICE_DEBUG) io.stderr(`${err?.stack ?? ''}\n`);
  return 70;
}

async function run(cmd: Command, opts: CliOptions, stats: Stats, io: Io, setColor: (c: boolean) => void): Promise<number> {
  const { program: text, inputs: inputNames } = splitProgramArgs(cmd.args, (w) => findOperator(w) !== undefined);
  if (inputNames.length === 0) fileInsteadOfProgram(text);

  // 1. options the program needs, then the program: parse, compile every expression, build every stage
  let idleMs: number | null = null;
  if (opts.idle !== undefined) {
    idleMs = parseDuration(opts.idle);
    if (idleMs === null || idleMs <= 0) throw new UsageError(`--idle takes a duration such as 5s or 1m, not '${opts.idle}'`);
  }
  if (opts.late === 'dead-letter' && opts.deadLetter === undefined) throw new UsageError('--late dead-letter needs --dead-letter PATH');
  let executor: Executor | null = null;
  const assertMessages: string[] = [];
  const { program, stages, hasAggregate } = compileProgram(text, {
    infer: opts.infer,
    time: { tz: opts.tz, format: opts.timeFormat, out: opts.timeFormatOut },
    idleMs,
  }, stats, {
    bad: (ev, reason) => executor!.badEvent(ev, reason),
    late: (ev, reason) => executor!.lateEvent(ev, reason),
    assertFailed(ev, message) {
      stats.assertFailures++;
      if (assertMessages.length < MAX_ASSERT_MESSAGES) {
        const line = `sluice: ${location(ev)}: ${message}`;
        assertMessages.push(line);
        io.stderr(line + '\n');
      }
    },
  });

  // 2. options that depend on each other
  if (opts.template !== undefined && opts.outputFormat !== undefined && opts.outputFormat !== 'template') {
    throw new UsageError(`--template goes with -O template, not -O ${opts.outputFormat}`);
  }
  const deadLetterImpliesSkip = opts.deadLetter !== undefined && cmd.getOptionValueSource('onError') === 'default';
  const onError = deadLetterImpliesSkip ? 'skip' : opts.onError;

  if (opts.explain) {
    io.stdout(explainPlan(program));
    return EXIT.ok;
  }

  // 3. inputs and sinks: all checked before the first record is read
  const names = inputNames.length === 0 ? ['-'] : inputNames;
  for (const n of names) if (n !== '-') await checkReadable(n);
  if (opts.follow && names.includes('-')) throw new UsageError('--follow reads files; stdin is followed anyway');
  const inputs: TextInput[] = names.map((n) => (n === '-' ? stdinInput() : opts.follow ? followInput(n) : fileInput(n)));
  const live = opts.follow === true || (names.includes('-') && !(await stdinIsFile()));
  const sink: Sink = opts.to !== undefined ? await fileSink(opts.to) : stdoutSink();
  const useColor = colorEnabled(opts.color, sink.isTerminal, io.env) && opts.to === undefined;
  setColor(useColor);
  const outFormat = opts.outputFormat ?? (opts.template !== undefined ? 'template' : sink.isTerminal && hasAggregate ? 'table' : 'ndjson');
  if (outFormat === 'template' && opts.template === undefined) throw new UsageError('-O template needs --template \'{field} ...\'');
  let encoder: Encoder;
  try {
    encoder = encoders[outFormat]({ template: opts.template, passRaw: outFormat === 'ndjson' });
  } catch (e) {
    throw new UsageError(`--template: ${(e as Error).message}`);
  }
  if (useColor && (outFormat === 'ndjson' || outFormat === 'table')) encoder = colored(encoder, outFormat, await loadChalk());

  let deadLetter: ((b: BadRecord) => Promise<void> | undefined) | null = null;
  let deadSink: Sink | null = null;
  if (opts.deadLetter !== undefined) {
    const ds = await fileSink(opts.deadLetter);
    deadSink = ds;
    deadLetter = (b) => ds.write(JSON.stringify({ raw: b.raw, reason: b.reason, location: b.location }) + '\n');
  }

  // 4. signals: stop reading, flush what is complete, exit 130
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    for (const i of inputs) i.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const forced = opts.inputFormat === 'auto' ? null : (opts.inputFormat as InputFormat);
  executor = new Executor({
    inputs,
    decoderFor: (input, first) => decoders[forced ?? formatOf(input, first)],
    decode: { infer: opts.infer, implicitHeader: opts.implicitHeader === true },
    stages,
    encoder,
    sink,
    stats,
    onError,
    late: opts.late,
    live,
    deadLetter,
    warn: (m) => io.stderr(`sluice: ${m}\n`),
    interrupted: () => interrupted,
  });
  try {
    await executor.run();
  } finally {
    await sink.end().catch(() => undefined);
    await deadSink?.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interrupted) return EXIT.interrupted;
  if (stats.assertFailures > 0) {
    const more = stats.assertFailures - assertMessages.length;
    if (more > 0) io.stderr(`sluice: ... and ${more} more\n`);
    io.stderr(`sluice: ${stats.assertFailures} record${stats.assertFailures === 1 ? '' : 's'} failed assert\n`);
    return EXIT.assertFailed;
  }
  return EXIT.ok;
}

/** `sluice app.ndjson`: an input file where the program should be. */
function fileInsteadOfProgram(text: string): void {
  const word = text.trim().split(/\s+/)[0] ?? '';
  if (word === '' || findOperator(word) !== undefined || /[(|'"]/.test(text)) return;
  let isFile = false;
  try { isFile = statSync(text).isFile(); } catch { return; }
  if (isFile) throw new UsageError(`no program given: '${text}' is an input file; try: sluice 'where true' ${text}`);
}

function formatOf(input: TextInput, firstText: string): InputFormat {
  return (input.path !== null ? formatByExtension(input.path) : null) ?? sniffFormat(firstText);
}

function colored(inner: Encoder, format: 'ndjson' | 'table', c: Awaited<ReturnType<typeof loadChalk>>): Encoder {
  const paint = (text: string) => {
    if (text.length === 0) return text;
    if (format === 'table') return colorTable(c, text);
    return text.split('\n').map((l) => (l ? colorJsonLine(c, l) : l)).join('\n');
  };
  return { write: (b) => paint(inner.write(b)), end: () => paint(inner.end()) };
}

function defaultIo(): Io {
  return {
    stderr: (t) => void process.stderr.write(t),
    stdout: (t) => void process.stdout.write(t),
    env: process.env,
  };
}
