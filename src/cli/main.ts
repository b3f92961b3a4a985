// The entry point behind bin/sluice: options -> program -> plan -> run. Everything is
// validated before the first record is read. Library code throws typed errors; this module
// turns them into a message on stderr and the exit status that bin/sluice exits with.

import { Command, CommanderError, Option } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { aggregates } from '../aggregates/index.js';
import { EXIT, SluiceError, UsageError } from '../errors/errors.js';
import { printable, printableLines } from '../errors/printable.js';
import { clientOptions, KAFKA_VALUE_FORMATS, type KafkaValueFormat } from '../kafka/options.js';
import { isKafkaUri, parseKafkaUri, type KafkaAddress } from '../kafka/uri.js';
import { exprCompiler } from '../lang/compiler.js';
import { parseExpression, parseProgram } from '../lang/parser.js';
import type { EventInput } from '../sources/events.js';
import type { Event, Value } from '../core/event.js';
import { decoders, encoders, formatByExtension, sniffFormat } from '../formats/index.js';
import { valueJson, type DecoderFactory, type Encoder, type InputFormat } from '../formats/types.js';
import { findOperator, grammar, stageText } from '../operators/index.js';
import { compileProgram } from '../plan/compile.js';
import { inputProjection } from '../plan/projection.js';
import { WATCHED_RECORDS } from '../plan/field-watch.js';
import { parseDuration } from '../time/duration.js';
import { parseSize } from './size.js';
import { colorEnabled, colorError, colorJsonLine, colorTable, loadChalk } from '../render/color.js';
import { Executor, type Checkpointing, type RunPlan } from '../runtime/executor.js';
import { checkFingerprint, checkStatePath, committedCheckpoint, fileStore, type Checkpoint, type Fingerprint } from '../runtime/checkpoint.js';
import { location } from '../core/event.js';
import { Stats } from '../core/stats.js';
import { deadLetterFile, type DeadLetterSink } from '../sinks/dead-letter.js';
import { fileSink, stdoutSink, type EventSink, type Sink } from '../sinks/sink.js';
import { TeeOutputs, type TeeOptions } from '../runtime/tee.js';
import { rightTopic } from '../runtime/right-input.js';
import type { BadMessage } from '../sources/events.js';
import { followInput } from '../sources/follow.js';
import { checkReadable, fileInput, stdinInput, stdinIsFile, type TextInput } from '../sources/text.js';
import { helpTopic, mainHelp } from './help.js';
import { joinPairOptions, optionTable, type CliOptions } from './options.js';
import { canonicalProgram, explainFlink, explainPlan, explainWindows, windowArgs } from './explain.js';
import type { Program } from '../lang/ast.js';
import type { WindowArgs } from '../operators/window.js';
import { eventTimeReader } from '../operators/event-time.js';
import type { BuildContext, RightInput, Stage, StatefulStage } from '../operators/types.js';
import { parallelReading } from './threads-option.js';
import { splitProgramArgs } from './program-args.js';
// static, though only `sluice export` and `sluice completion` use them: what they need is small or
// loaded anyway (completion brings the `sluice kafka` table, which loads kafkajs only when it runs),
// and as lazy chunks they split the start-up code into more modules for Node's loader to resolve
// and link (test/house/lazy-imports.test.ts keeps the heavy packages out)
import { exportCommand } from './export.js';
import { completionScript } from './completion.js';
import { CheckReport, checkReportPaths, parseReports } from './reports.js';
import { parseSeparator } from './separators.js';
import { drawable, liveTable, progressLine } from './terminal.js';
import type { StatusLine } from '../render/live.js';
import { DEFAULT_PRECISION } from '../formats/types.js';

/** The version in package.json, found by walking up from this module (bundled or not). */
export function version(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'sluice') return pkg.version;
    } catch {
      // not here: look one folder up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

function buildCommand(): Command {
  const cmd = new Command('sluice')
    .argument('[args...]')
    .allowExcessArguments(true)
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const o of optionTable) {
    const opt = new Option(o.commander ?? o.flags, o.help);
    if (o.choices) opt.choices(o.choices);
    if (o.repeatable) opt.argParser((v: string, prev: string[]) => [...prev, v]).default([]);
    else if (o.default !== undefined && typeof o.default === 'string') opt.default(o.default);
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
  let checks: CheckReport | null = null;
  try {
    if (argv[0] === 'kafka') {
      const { kafkaCommand } = await import('./kafka.js');
      return await kafkaCommand(argv.slice(1), { ...io, isTerminal: process.stdout.isTTY === true });
    }
    if (argv[0] === 'export') {
      io.stdout(await exportCommand(argv.slice(1), io.env));
      return EXIT.ok;
    }
    if (argv[0] === 'completion') {
      io.stdout(completionScript(argv[1] ?? ''));
      return EXIT.ok;
    }
    // `sluice schema [OPTIONS] FILE…`: read the inputs as `where true` does, and print the schema they share
    const inferring = argv[0] === 'schema';
    if (inferring) argv = ['where true', ...argv.slice(1)];
    if (argv[0] === 'help') {
      io.stdout(argv.length > 1 ? helpTopic(argv.slice(1).join(' ')) : mainHelp());
      return EXIT.ok;
    }
    const cmd = buildCommand();
    try {
      cmd.parse(joinPairOptions(argv), { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ''));
      throw e;
    }
    opts = cmd.opts<CliOptions>();
    if (opts.help) { io.stdout(mainHelp()); return EXIT.ok; }
    if (opts.version) { io.stdout(`sluice ${version()}\n`); return EXIT.ok; }
    checks = new CheckReport(parseReports(opts.report));
    const status = await run(cmd, opts, stats, io, (c) => { color = c; }, checks, inferring);
    checks.finish(io.stderr);
    return status;
  } catch (e) {
    const status = report(e, io, color);
    // a run that stopped still leaves its reports, the error in them (a CI step then shows why)
    if (checks !== null && !checks.finished && stats.started && e instanceof SluiceError) {
      checks.runError = printable(e.message);
      try { checks.finish(io.stderr); } catch { /* the status says it already */ }
    }
    return status;
  } finally {
    // counts only mean something once reading has begun
    if (opts?.stats && stats.started) io.stderr(stats.report());
  }
}

function report(e: unknown, io: Io, color: boolean): number {
  if (e instanceof SluiceError) {
    // the message may quote the input: control characters are escaped, never sent to the terminal
    let text = `sluice: ${printable(e.message)}\n`;
    if (e instanceof UsageError && e.detail) text += printableLines(e.detail) + '\n';
    if (color) void loadChalk().then((c) => io.stderr(colorError(c, text)));
    else io.stderr(text);
    return e.exitCode;
  }
  const err = e as Error;
  io.stderr(`sluice: internal error: ${printable(err?.message ?? String(e))}\n`);
  if (io.env.SLUICE_DEBUG) io.stderr(`${err?.stack ?? ''}\n`);
  return EXIT.internal;
}

function positiveDurationOption(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new UsageError(`${flag} takes a duration such as 5s or 1m, not '${text}'`);
  return ms;
}

async function run(cmd: Command, opts: CliOptions, stats: Stats, io: Io, setColor: (c: boolean) => void, checks: CheckReport, inferring = false): Promise<number> {
  let { program: text, inputs: inputNames } = opts.fromFile !== undefined
    ? { program: programFile(opts.fromFile), inputs: cmd.args }
    : splitProgramArgs(cmd.args, (w) => findOperator(w) !== undefined, standsAlone, (w) => {
      try { return statSync(w).isFile(); } catch { return false; }
    });
  const vars = programVars(opts);
  // `sluice kafka://host:9092/orders --offset -20`: a topic and no program shows the messages as they are
  if (isKafkaUri(text)) {
    inputNames = [text, ...inputNames];
    text = 'where true';
  }
  if (inputNames.length === 0) fileInsteadOfProgram(text);

  // 1. options the program needs, then the program: parse, compile every expression, build every stage
  const idleMs = positiveDurationOption(opts.idle, '--idle');
  const idlePartitionMs = positiveDurationOption(opts.idlePartition, '--idle-partition');
  const checkpointMs = positiveDurationOption(opts.checkpointEvery, '--checkpoint-every')!;
  const maxState = opts.maxState === undefined ? undefined : Number(opts.maxState);
  if (maxState !== undefined && !(Number.isSafeInteger(maxState) && maxState > 0)) throw new UsageError(`--max-state takes a number of groups such as 1000000, not '${opts.maxState}'`);
  if (opts.late === 'dead-letter' && opts.deadLetter === undefined) throw new UsageError('--late dead-letter needs --dead-letter PATH');
  let executor: Executor | null = null;
  const assertMessages: string[] = [];
  // one writer for stderr: a progress line on a terminal is erased before any message
  let status: StatusLine | null = null;
  let eraseLive: (() => void) | null = null;
  const stderr = (t: string) => {
    eraseLive?.();
    if (status !== null) status.message(t);
    else io.stderr(t);
  };
  const warn = (m: string) => stderr(`sluice: ${printable(m)}\n`);
  // tee's outputs: named while the program is built, opened with the other sinks (runtime/tee.ts)
  const teeOptions: TeeOptions = {
    format: opts.outputFormat === undefined || opts.outputFormat === 'table' || opts.outputFormat === 'avro' ? (opts.template !== undefined ? 'template' : 'ndjson') : opts.outputFormat,
    encoders,
    template: opts.template,
    append: false,
    kafka: async (uri) => {
      const addr = parseKafkaUri(uri, opts.brokers ?? io.env.SLUICE_BROKERS);
      if (addr.topics.length !== 1) throw new UsageError(`tee ${uri}: write to one topic`);
      const { kafkaSink } = await import('../kafka/sink.js');
      return kafkaSink({
        client: await clientOptions(opts, addr.brokers),
        topic: addr.topics[0]!,
        key: null,
        headers: [],
        partitionBy: null,
        encodeValue: (ev) => ev.raw ?? valueJson(ev, stats.typeError),
        compression: opts.compression,
        exactlyOnce: false,
      });
    },
  };
  const tees = new TeeOutputs(teeOptions);
  /** the topics on the other side of interval joins: a signal stops their reading as it stops the inputs' */
  const rightInputs: RightInput[] = [];
  const compiled = compileProgram(text, {
    infer: opts.infer,
    time: { tz: opts.tz, format: opts.timeFormat, out: opts.timeFormatOut },
    idleMs,
    idlePartitionMs,
    vars,
    maxState,
    sortBufferBytes: parseSize(opts.sortBuffer, '--sort-buffer'),
    sideOutput: (target, format) => tees.sideOutput(target, format),
    rightInput: (target) => {
      const r = joinTopic(target, opts, io.env.SLUICE_BROKERS, (b) => executor!.bad(b.raw, b.reason, b.where, 0));
      rightInputs.push(r);
      return r;
    },
    joinBufferBytes: parseSize(opts.joinBuffer, '--join-buffer'),
  }, stats, {
    warn,
    bad: (ev, reason) => executor!.badEvent(ev, reason),
    late: (ev, reason) => executor!.lateEvent(ev, reason),
    assertFailed(ev, message, rule) {
      stats.assertFailures++;
      const where = location(ev);
      checks.fail(rule, 'assert', ev, where, message);
      if (assertMessages.length < MAX_ASSERT_MESSAGES) {
        const line = `sluice: ${printable(`${where}: ${message}`)}`;
        assertMessages.push(line);
        stderr(line + '\n');
      }
    },
  });
  const { program, stages, hasAggregate, hasWindow, holds } = compiled;
  for (const s of program.stages) if (s.op === 'assert') checks.add(stageText(s.op, s.args), 'assert');

  // 2. options that depend on each other
  if (opts.template !== undefined && opts.outputFormat !== undefined && opts.outputFormat !== 'template') {
    throw new UsageError(`--template goes with -O template, not -O ${opts.outputFormat}`);
  }
  const ifs = parseSeparator(opts.ifs, '--ifs');
  const ofs = parseSeparator(opts.ofs, '--ofs');
  if (ifs !== undefined && !['auto', 'csv', 'tsv'].includes(opts.inputFormat)) throw new UsageError(`--ifs is for csv and tsv input, not -I ${opts.inputFormat}`);
  const deadLetterImpliesSkip = opts.deadLetter !== undefined && cmd.getOptionValueSource('onError') === 'default';
  const onError = deadLetterImpliesSkip ? 'skip' : opts.onError;

  if (opts.explain && !hasWindow) {
    io.stdout(explainPlan(program) + explainFlink(program, inputNames, opts.to, opts.brokers ?? io.env.SLUICE_BROKERS));
    return EXIT.ok;
  }

  // 3. inputs, state and sinks: all checked before the first record is read
  const names = inputNames.length === 0 ? ['-'] : inputNames;
  const brokersDefault = opts.brokers ?? io.env.SLUICE_BROKERS;
  const kafkaAddrs = new Map(names.filter(isKafkaUri).map((n) => [n, parseKafkaUri(n, brokersDefault)]));
  const toKafka = opts.to !== undefined && isKafkaUri(opts.to) ? parseKafkaUri(opts.to, brokersDefault) : null;
  if (toKafka && toKafka.topics.length !== 1) throw new UsageError(`--to ${opts.to}: write to one topic`);
  const deadKafka = opts.deadLetter !== undefined && isKafkaUri(opts.deadLetter) ? parseKafkaUri(opts.deadLetter, brokersDefault) : null;
  if (deadKafka && deadKafka.topics.length !== 1) throw new UsageError(`--dead-letter ${opts.deadLetter}: write to one topic`);
  if (opts.exactlyOnce && (!toKafka || kafkaAddrs.size === 0 || !opts.group)) {
    throw new UsageError('--exactly-once is for Kafka to Kafka: a kafka: input, --group ID and --to kafka:...');
  }
  const avroOut = checkAvroOutput(opts, toKafka !== null);
  // with -O avro, --value-schema is the output's schema, and --schema-registry the output's too unless -I reads schema-bound values
  const readsSchemaBound = (KAFKA_VALUE_FORMATS as readonly string[]).includes(opts.inputFormat);
  checkKafkaValueFormat(avroOut ? { ...opts, valueSchema: undefined, schemaRegistry: readsSchemaBound ? opts.schemaRegistry : undefined } : opts, names.filter((n) => !kafkaAddrs.has(n)));
  for (const n of names) if (n !== '-' && !kafkaAddrs.has(n)) await checkReadable(n);
  checkReportPaths(checks.reports);
  if (opts.follow && names.includes('-')) throw new UsageError('--follow reads files; stdin is followed anyway');
  // inputs are read one after another, and a followed file never ends
  if (opts.follow && names.length > 1) throw new UsageError('--follow takes one file (run one sluice per file to follow several)');
  const keyFn = opts.key !== undefined ? compileCliExpr(opts.key, '--key', stats) : null;
  const partitionFn = opts.partitionBy !== undefined ? compileCliExpr(opts.partitionBy, '--partition-by', stats) : null;
  const headerFns = opts.header.map((h): [string, (r: Value, ev: Event) => Value | undefined] => {
    const at = h.indexOf('=');
    if (at <= 0) throw new UsageError(`--header takes NAME=EXPR (such as source=service or 'trace=@key'), not '${h}'`);
    return [h.slice(0, at).trim(), compileCliExpr(h.slice(at + 1), `--header ${h.slice(0, at).trim()}`, stats)];
  });
  if ((keyFn || partitionFn || headerFns.length > 0) && !toKafka) throw new UsageError('--key, --partition-by and --header go with --to kafka:...');
  if (opts.explain) opts.state = undefined;
  const stateTopic = kafkaStateAddress(opts, kafkaAddrs, names, toKafka, brokersDefault);
  if (opts.state === undefined && opts.group !== undefined && holds && !opts.explain) {
    warn(`the program keeps records in its state (${holdingStages(program)}) and --state is not set: ` +
      `offsets of group '${opts.group}' are committed only when sluice ends, so a crash reads everything since the last run again; ` +
      `use --state PATH to checkpoint`);
  }

  let sink: Sink | EventSink;
  // -O avro: the last stage encodes each record (one that does not fit is bad input), the sink sends the bytes
  const avroWriter = avroOut && toKafka ? await (await import('../kafka/avro.js')).avroWriter({
    schemaFile: opts.valueSchema!, registry: opts.schemaRegistry ?? null, subject: opts.subject ?? `${toKafka.topics[0]!}-value`, timeoutMs: (await clientOptions(opts, toKafka.brokers)).timeoutMs,
  }) : null;
  if (toKafka) {
    const { kafkaSink } = await import('../kafka/sink.js');
    sink = await kafkaSink({
      client: await clientOptions(opts, toKafka.brokers),
      topic: toKafka.topics[0]!,
      key: keyFn,
      partitionBy: partitionFn,
      headers: headerFns,
      encodeValue: avroWriter !== null ? (ev) => avroWriter.value(ev) : (ev) => ev.raw ?? valueJson(ev, stats.typeError),
      compression: opts.compression,
      exactlyOnce: opts.exactlyOnce === true,
    });
  } else {
    // bin/sluice says when stdout was closed (`>&-`): Node puts /dev/null in its place
    sink = opts.to !== undefined ? await fileSink(opts.to) : stdoutSink({ closedAtStart: io.env.SLUICE_STDOUT_CLOSED === '1' });
  }
  // a program that keeps nothing has no state to move with partitions: offsets are committed as without --state
  const keepsState = stages.some((s) => s.kind === 'stateful');
  const checkpoint = opts.state === undefined || (stateTopic !== null && !keepsState) ? null : await stateFor(opts, {
    program: canonicalProgram(program),
    inputs: names.map((n) => (n === '-' || isKafkaUri(n) ? n : resolve(n))),
    options: stateOptions(opts),
  }, checkpointMs, kafkaAddrs, stateTopic, opts.exactlyOnce ? sink : null, stats, warn);
  // a job resumed from its checkpoint goes on with its tee files
  teeOptions.append = checkpoint?.from != null || checkpoint?.partitions != null;
  if (!opts.explain) await tees.open();
  const inputs: (TextInput | EventInput)[] = [];
  for (const [i, n] of names.entries()) {
    const addr = kafkaAddrs.get(n);
    if (addr) {
      const saved = checkpoint?.from?.inputs[i];
      const { kafkaInput } = await import('../kafka/source.js');
      inputs.push(await kafkaInput({
        client: await clientOptions(opts, addr.brokers),
        topics: addr.topics,
        offset: opts.offset,
        partitions: opts.partition !== undefined ? parsePartitions(opts.partition) : null,
        group: opts.group ?? null,
        exitAtEnd: opts.exitAtEnd === true,
        count: opts.count !== undefined ? parseCount(opts.count) : null,
        format: opts.inputFormat,
        schemaRegistry: opts.schemaRegistry ?? null,
        valueSchema: avroOut ? null : opts.valueSchema ?? null,
        valueType: opts.valueType ?? null,
        infer: opts.infer,
        transactionalSink: opts.exactlyOnce ? sink : null,
        startAt: saved?.kind === 'kafka' ? saved.offsets.map(([topic, partition, offset]) => ({ topic, partition, offset })) : undefined,
        partitionTasks: checkpoint?.partitions != null,
        wholeInput: checkpoint?.store != null,
      }));
    } else {
      inputs.push(n === '-' ? stdinInput() : opts.follow ? followInput(n) : fileInput(n));
    }
  }
  let buildStages = compiled.build;
  // --schema, --drift and `sluice schema` look at the records as they come in, before the program
  let schemaFailures = 0;
  const contract = await dataContract(opts, inferring, warn, (ev, message) => {
    stats.schemaErrors++;
    const where = location(ev);
    checks.fail(`schema ${opts.schema}`, 'schema', ev, where, message);
    if (onError !== 'fail' || plan.deadLetter !== null) {
      executor!.badEvent(ev, message);
      return false;
    }
    schemaFailures++;
    if (assertMessages.length < MAX_ASSERT_MESSAGES) {
      const line = `sluice: ${printable(`${where}: ${message}`)}`;
      assertMessages.push(line);
      stderr(line + '\n');
    }
    return true;
  });
  if (opts.schema !== undefined) checks.add(`schema ${opts.schema}`, 'schema');
  const contractStages = contract.stages;
  if (contractStages !== null) {
    stages.unshift(...contractStages());
    const before = buildStages;
    buildStages = () => [...contractStages(), ...before()];
  }
  const watch = compiled.watch;
  if (watch !== null) {
    stages.unshift(watch());
    buildStages = () => [watch(), ...compiled.build()];
  }
  if (opts.envelope) {
    const { envelopeStage } = await import('../kafka/envelope.js');
    stages.push(envelopeStage());
    const before = buildStages;
    buildStages = () => [...before(), envelopeStage()];
  }
  if (avroWriter !== null) {
    const last = () => avroWriter.stage((ev, reason) => executor!.badEvent(ev, reason));
    const before = buildStages;
    stages.push(last());
    buildStages = () => [...before(), last()];
  }
  const live = opts.follow === true || kafkaAddrs.size > 0 || (names.includes('-') && !(await stdinIsFile()));
  const plan: RunPlan = {
    inputs,
    formatFor: (input, first) => forcedFormat(opts) ?? (ifs !== undefined ? separatedFormat(input) : formatOf(input, first)),
    decoders,
    decode: { infer: opts.infer, implicitHeader: opts.implicitHeader === true, ifs },
    stages,
    buildStages,
    encoder: encoders.ndjson({ passRaw: true }),
    sink,
    tees: tees.size > 0 ? tees : null,
    stats,
    onError,
    strictUtf8: opts.strictUtf8 === true,
    late: opts.late,
    live,
    commitPerBatch: !holds,
    deadLetter: null,
    warn,
    interrupted: () => false,
    checkpoint,
  };

  const explainedWindow = opts.explain ? windowArgs(program) : null;
  if (explainedWindow) {
    io.stdout(explainPlan(program) + await explainFirstRecords(plan, explainedWindow, stats, opts) + explainFlink(program, names, opts.to, brokersDefault));
    return EXIT.ok;
  }
  const useColor = colorEnabled(opts.color, sink.isTerminal, io.env) && opts.to === undefined;
  setColor(useColor);
  const outFormat = opts.outputFormat === 'avro' ? 'ndjson' : opts.outputFormat ?? (opts.template !== undefined ? 'template' : sink.isTerminal && hasAggregate ? 'table' : 'ndjson');
  if (outFormat === 'template' && opts.template === undefined) throw new UsageError('-O template needs --template \'{field} ...\'');
  if (ofs !== undefined && outFormat !== 'csv' && outFormat !== 'tsv') throw new UsageError(`--ofs is for csv and tsv output: add -O csv or -O tsv (the output is ${outFormat})`);
  const precision = parsePrecision(opts.precision);
  try {
    plan.encoder = encoders[outFormat]({ template: opts.template, passRaw: outFormat === 'ndjson', ofs, typeError: stats.typeError, precision, width: outputWidth(sink.isTerminal, io.env) });
  } catch (e) {
    throw new UsageError(`--template: ${(e as Error).message}`);
  }
  if (useColor && (outFormat === 'ndjson' || outFormat === 'table')) plan.encoder = colored(plan.encoder, outFormat, await loadChalk());
  // the fields the program needs, when that is all it needs: decoders may skip the rest (SLUICE_PROJECTION=0: never)
  let rawFields: readonly string[] | null = null;
  if (io.env.SLUICE_PROJECTION !== '0') {
    const projection = (rawOutput: boolean) => inputProjection(program, {
      vars: new Set(vars.keys()),
      rawOutput,
      wholeRecords: opts.schema !== undefined || opts.drift === true || inferring || checks.reports.length > 0 || tees.size > 0,
    });
    const rawOutput = outFormat === 'ndjson' && !opts.envelope && !keyFn && !partitionFn && headerFns.length === 0 && avroWriter === null;
    rawFields = projection(rawOutput);
    plan.decoders = projectedDecoders(decoders, rawFields, projection(false), watch !== null ? WATCHED_RECORDS : 0);
    // Kafka values: JSON ones keep their text as raw, as ndjson lines do
    for (const i of inputs) if ('project' in i) i.project?.(rawFields, watch !== null ? WATCHED_RECORDS : 0);
  }

  const deadSink: DeadLetterSink | null = opts.deadLetter === undefined ? null : deadKafka
    ? await (await import('../kafka/dead-letter.js')).kafkaDeadLetter(await clientOptions(opts, deadKafka.brokers), deadKafka.topics[0]!)
    : await deadLetterFile(opts.deadLetter);
  plan.deadLetter = deadSink;

  // 4. signals: stop reading, write what is final (results that are not are marked "final": false or
  // withheld and counted; with --state, a checkpoint keeps them), exit 130. SIGHUP (the terminal went
  // away) is a stop like SIGTERM, as most daemons treat it; a second signal exits at once.
  let interrupted = false;
  plan.interrupted = () => interrupted;
  const onSignal = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    for (const i of inputs) i.close();
    for (const r of rightInputs) r.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // 5. watching a long job: a line per interval on stderr, Prometheus metrics over HTTP
  const statsEveryMs = positiveDurationOption(opts.statsEvery, '--stats-every');
  const lag = () => inputs.flatMap((i) => ('kind' in i && i.lag !== undefined ? i.lag() : []));
  const stopStats = statsEveryMs === null ? null : (await import('./monitor.js')).statsEvery(stats, statsEveryMs, opts.statsFormat, stderr, lag);
  const metrics = opts.metrics === undefined ? null : await (await import('./metrics.js')).serveMetrics(opts.metrics, stats, lag);
  if (metrics) stderr(`sluice: metrics on ${metrics.url}\n`);

  // 6. a terminal that shows work: a live table for an aggregate over a live input, a progress line for files
  let stopLive: (() => void) | null = null;
  // live: --follow, an open pipe or terminal on stdin, Kafka without -e (which reads to an end like a file)
  const liveInput = opts.follow === true || (kafkaAddrs.size > 0 && !opts.exitAtEnd) || (live && names.includes('-'));
  if (outFormat === 'table' && liveInput && hasAggregate && sink.kind === 'text' && drawable(sink.isTerminal && process.stdout.isTTY === true, io.env)) {
    const screen = sink;
    const last = stages[stages.length - 1];
    const peek = last?.kind === 'stateful' && last.peek !== undefined ? last.peek.bind(last) : null;
    const lt = liveTable(plan.encoder, {
      peek, write: (t) => void screen.write(t), precision: precision ?? DEFAULT_PRECISION,
      columns: () => process.stdout.columns ?? 80, rows: () => process.stdout.rows ?? 24,
    });
    plan.encoder = lt.encoder;
    stopLive = lt.stop;
    eraseLive = lt.erase;
  }
  if (!live && !names.includes('-') && kafkaAddrs.size === 0 && (!sink.isTerminal || holds) && drawable(process.stderr.isTTY === true, io.env)) {
    status = progressFor(inputs as TextInput[], names, stats, io.stderr);
    const line = status;
    const inner = plan.encoder;
    // output on the same terminal: the progress line goes for good before the first of it
    if (sink.isTerminal) plan.encoder = { write: (b) => { const t = inner.write(b); if (t !== '') line.stop(); return t; }, end: () => { line.stop(); return inner.end(); } };
  }

  plan.parallel = parallelReading({
    threads: opts.threads, text, program, infer: opts.infer, time: { tz: opts.tz, format: opts.timeFormat, out: opts.timeFormatOut }, vars, precision,
    watch: watch !== null ? (stages[0] as StatefulStage) : null, env: io.env,
    stages, ndjsonOut: outFormat === 'ndjson' && !useColor, fields: rawFields,
    plain: contractStages === null && tees.size === 0 && deadSink === null && checkpoint === null && maxState === undefined && !opts.envelope && !opts.strictUtf8 &&
      !opts.follow && sink.kind === 'text' && status === null && stopLive === null,
  });
  executor = new Executor(plan);
  stats.started = true;
  let ended = false;
  let deadEnded = false;
  try {
    await executor.run();
    // the last sends to a Kafka sink are acknowledged here, and may still fail (exit 69)
    ended = true;
    await sink.end();
    await tees.end();
    deadEnded = true;
    await deadSink?.end();
  } finally {
    if (!ended) await sink.end().catch(() => undefined);
    if (!deadEnded) await tees.close();
    if (!deadEnded) await deadSink?.end().catch(() => undefined);
    for (const i of inputs) if ('kind' in i) await i.close();
    await checkpoint?.close?.();
    stopStats?.();
    stopLive?.();
    eraseLive = null;
    status?.stop();
    status = null;
    await metrics?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  if (interrupted) return EXIT.interrupted;
  if (contract.inferred) io.stdout(contract.inferred());
  if (stats.assertFailures > 0 || schemaFailures > 0) {
    const more = stats.assertFailures + schemaFailures - assertMessages.length;
    if (more > 0) stderr(`sluice: ... and ${more} more\n`);
    if (stats.assertFailures > 0) stderr(`sluice: ${stats.assertFailures} record${stats.assertFailures === 1 ? '' : 's'} failed assert\n`);
    if (schemaFailures > 0) stderr(`sluice: ${schemaFailures} record${schemaFailures === 1 ? '' : 's'} failed the schema ${opts.schema}\n`);
    return EXIT.assertFailed;
  }
  return EXIT.ok;
}

/**
 * --schema and --drift (stages to run before the program's), and `sluice schema` (a stage that
 * takes every record in, and the schema they share). ajv loads only here.
 */
async function dataContract(
  opts: CliOptions, inferring: boolean, warn: (m: string) => void, failed: (ev: Event, message: string) => boolean,
): Promise<{ stages: (() => Stage[]) | null; inferred: (() => string) | null }> {
  const make: (() => Stage)[] = [];
  let inferred: (() => string) | null = null;
  if (opts.schema !== undefined || opts.drift || inferring) {
    const check = await import('./schema-check.js');
    const compiled = opts.schema !== undefined ? await check.compileSchemaFile(opts.schema) : null;
    if (compiled) make.push(() => check.schemaStage(compiled.validate, failed));
    if (opts.drift) make.push(() => check.driftStage(compiled?.schema ?? null, warn));
    if (inferring) {
      const { SchemaInferrer } = await import('./schema-infer.js');
      const inferrer = new SchemaInferrer(await check.dateTimeTest());
      make.push(() => ({ kind: 'stateless', push: (b) => { for (const ev of b) inferrer.add(ev.value); return []; } }));
      inferred = () => `${JSON.stringify(inferrer.schema(), null, 2)}\n`;
    }
  }
  return { stages: make.length > 0 ? () => make.map((m) => m()) : null, inferred };
}

/** --explain with a window: read just the first few records, through the plan's inputs, to show where they fall. */
async function explainFirstRecords(plan: RunPlan, w: WindowArgs, stats: Stats, opts: CliOptions): Promise<string> {
  const first: Event[] = [];
  const times: (number | null)[] = [];
  const readTime = w.on ? eventTimeReader(w.on, explainContext(stats, opts), 'window') : (ev: Event) => ev.timestamp;
  const capture: Stage = {
    kind: 'stateful',
    holds: false,
    snapshot: () => null,
    restore: () => undefined,
    push(b) {
      for (const ev of b) if (first.length < 5) { first.push(ev); times.push(readTime(ev)); }
      return [];
    },
    end: () => [],
    done: () => first.length >= 5,
  };
  await new Executor({
    ...plan, stages: [capture], sink: nullSink(), onError: 'skip', late: 'drop', live: false, commitPerBatch: false,
    deadLetter: null, warn: () => undefined, checkpoint: null,
  }).run();
  for (const i of plan.inputs) await i.close();
  return explainWindows(w, first, times);
}

/** The stages that hold records, for the warning about a group without --state. */
function holdingStages(program: Program): string {
  return program.stages.filter((s) => findOperator(s.op)!.kind !== 'stateless').map((s) => s.op).join(', ');
}

/** Options that change what a checkpoint's state means; a restart must give the same. */
function stateOptions(opts: CliOptions): { [name: string]: string } {
  const out: { [name: string]: string } = { '-I': opts.inputFormat, '--time-format-out': opts.timeFormatOut };
  if (!opts.infer) out['--no-infer'] = 'set';
  if (opts.implicitHeader) out['--implicit-header'] = 'set';
  if (opts.tz !== undefined) out['--tz'] = opts.tz;
  if (opts.timeFormat !== undefined) out['--time-format'] = opts.timeFormat;
  if (opts.envelope) out['--envelope'] = 'set';
  if (opts.group !== undefined) out['--group'] = opts.group;
  for (const [name, v] of programVars(opts)) out[`$${name}`] = JSON.stringify(v);
  return out;
}

/** An operator that is a whole program by itself (`dedupe`, `sort`): `sluice dedupe FILE` reads FILE. */
function standsAlone(op: string): boolean {
  try {
    parseProgram(op, grammar);
    return true;
  } catch {
    return false;
  }
}

/** -f FILE: the program's text (a usage error when it cannot be read, as jq -f). */
function programFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`-f ${path}: cannot read the program file${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

/** --arg NAME VALUE (a string) and --argjson NAME JSON: the program's $NAME values. */
function programVars(opts: CliOptions): Map<string, Value> {
  const vars = new Map<string, Value>();
  const add = (flag: string, joined: string, parse: (v: string) => Value) => {
    const cut = joined.indexOf('\0');
    if (cut < 0) throw new UsageError(`${flag} takes a name and a value: ${flag} NAME VALUE`);
    const name = joined.slice(0, cut);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${flag} ${name}: a name is letters, digits and _ (used as $${name})`);
    vars.set(name, parse(joined.slice(cut + 1)));
  };
  for (const a of opts.arg) add('--arg', a, (v) => v);
  for (const a of opts.argjson) {
    add('--argjson', a, (v) => {
      try {
        return JSON.parse(v) as Value;
      } catch {
        throw new UsageError(`--argjson ${a.slice(0, a.indexOf('\0'))}: not a JSON value: ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`);
      }
    });
  }
  return vars;
}

/**
 * --state: the store, and the checkpoint to resume from, checked against this program and these
 * inputs. With --exactly-once the newest checkpoint counts only if its transaction committed:
 * the group's committed offsets say which of the last two it is.
 */
async function stateFor(
  opts: CliOptions, fingerprint: Fingerprint, everyMs: number,
  kafkaAddrs: Map<string, { brokers: string[]; topics: string[] }>, stateTopic: KafkaAddress | null,
  transaction: Sink | EventSink | null, stats: Stats, warn: (m: string) => void,
): Promise<Checkpointing & { close?(): Promise<void> }> {
  const path = opts.state!;
  const saved = (bytes: number, ms: number) => {
    stats.checkpoints++;
    stats.checkpointBytes = bytes;
    stats.checkpointMs += ms;
  };
  if (stateTopic !== null) {
    // per partition: each task's checkpoint is read when its partition is assigned
    const [{ kafkaStateStore }, { isTransactionalSink }] = await Promise.all([import('../kafka/state-store.js'), import('../kafka/sink.js')]);
    const store = await kafkaStateStore({
      client: await clientOptions(opts, stateTopic.brokers),
      topic: stateTopic.topics[0]!,
      group: opts.group!,
      name: path,
      transaction: transaction !== null && isTransactionalSink(transaction) ? transaction : null,
    });
    return { store: null, partitions: store, everyMs, fingerprint, version: version(), from: null, saved, close: () => store.close() };
  }
  await checkStatePath(path);
  const store = fileStore(path);
  const candidates = await store.load(opts.exactlyOnce === true);
  if (candidates[0]) {
    // a stage's or accumulator's state layout may change between versions: never load one as another
    if (candidates[0].sluice !== version()) {
      throw new UsageError(`--state ${path} was written by sluice ${candidates[0].sluice}, this is sluice ${version()}: ` +
        `checkpoints are read by the version that wrote them. Finish the job with that version, or delete ${path} to start afresh`);
    }
    checkFingerprint(candidates[0], fingerprint, path);
  }
  let from: Checkpoint | null = candidates[0] ?? null;
  if (opts.exactlyOnce && from) {
    // fence the predecessor first: a transaction it sent its commit for before it died commits
    // anyway, and its offsets must be counted
    const [{ committedOffsets }, { isTransactionalSink }] = await Promise.all([import('../kafka/source.js'), import('../kafka/sink.js')]);
    if (transaction !== null && isTransactionalSink(transaction)) await transaction.prepareTransactions(opts.group!);
    const committed = new Map<string, number>();
    for (const addr of kafkaAddrs.values()) {
      for (const o of await committedOffsets(await clientOptions(opts, addr.brokers), opts.group!, addr.topics)) committed.set(`${o.topic}/${o.partition}`, o.offset);
    }
    from = committedCheckpoint(candidates, committed, path);
    // resuming from PATH.prev: the newest never committed; written again now, so that the next
    // checkpoint keeps the committed one as PATH.prev, not the one that never committed
    if (from !== null && from !== candidates[0]) await store.save(from);
  }
  const hasFollow = opts.follow === true;
  if (from?.finished && !hasFollow && kafkaAddrs.size === 0) {
    warn(`--state ${path}: the inputs were read to their end by an earlier run; only what was added to them since is read (delete ${path} to start afresh)`);
  }
  return { store, everyMs, fingerprint, version: version(), from, saved };
}

/**
 * `--state kafka://…/TOPIC` (or `kafka:TOPIC`): the state topic's address, once the usage is
 * checked: state per partition of a consumer group, of one Kafka input; with --exactly-once on
 * the output's cluster, since it is written in the output's transaction. Null for a state file.
 */
function kafkaStateAddress(
  opts: CliOptions, kafkaAddrs: Map<string, KafkaAddress>, names: string[], toKafka: KafkaAddress | null, brokersDefault: string | undefined,
): KafkaAddress | null {
  const path = opts.state;
  if (path === undefined || !isKafkaUri(path)) return null;
  const addr = parseKafkaUri(path, brokersDefault);
  if (addr.topics.length !== 1) throw new UsageError(`--state ${path}: give one state topic`);
  if (opts.group === undefined) {
    throw new UsageError(`--state ${path} keeps the state of each partition of a consumer group: add --group ID ` +
      '(or give a file path to keep the state of one process)');
  }
  if (names.length !== 1 || kafkaAddrs.size !== 1) {
    throw new UsageError(`--state ${path} keeps the state of each partition of one Kafka input: read one kafka:… input (of one or more topics)`);
  }
  if (kafkaAddrs.values().next().value!.topics.includes(addr.topics[0]!)) {
    throw new UsageError(`--state ${path}: the state topic cannot be an input topic`);
  }
  if (opts.exactlyOnce && toKafka && [...toKafka.brokers].sort().join(',') !== [...addr.brokers].sort().join(',')) {
    throw new UsageError(`--state ${path} with --exactly-once: state is written in the output's transaction, so the state topic must be on the brokers of --to (${toKafka.brokers.join(',')})`);
  }
  return addr;
}


/** `sluice app.ndjson`: an input file where the program should be. */
function fileInsteadOfProgram(text: string): void {
  const word = text.trim().split(/\s+/)[0] ?? '';
  if (word === '' || findOperator(word) !== undefined || /[(|'"]/.test(text)) return;
  let isFile = false;
  try { isFile = statSync(text).isFile(); } catch { return; }
  if (isFile) throw new UsageError(`no program given: '${text}' is an input file; try: sluice 'where true' ${text}`);
}

function compileCliExpr(text: string, option: string, stats: Stats): (r: Value, ev: Event) => Value | undefined {
  try {
    const c = exprCompiler({ text, typeError: stats.typeError, aggregateNames: new Set(aggregates.keys()) });
    return c.value(parseExpression(text));
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${option}: ${e.message}`, e.detail);
    throw e;
  }
}

/** The progress line of file inputs: bytes read of their sizes (compressed ones: bytes only), records, rate, ETA. */
function progressFor(inputs: TextInput[], names: string[], stats: Stats, write: (t: string) => void): StatusLine {
  let total = 0;
  for (const n of names) total += statSync(n).size;
  return progressLine(write, () => {
    let bytes = 0;
    let compressed = false;
    for (const i of inputs) {
      const p = i.position();
      bytes += p.offset;
      compressed ||= p.gzip;
    }
    return { bytes, total: compressed ? null : total, records: stats.recordsIn, elapsedMs: stats.elapsedMs() };
  }, () => process.stderr.columns ?? 80);
}

/** Columns for -O chart: the terminal's, else $COLUMNS, else 80. */
function outputWidth(isTerminal: boolean, env: NodeJS.ProcessEnv): number {
  const tty = isTerminal ? process.stdout.columns : undefined;
  const cols = tty ?? Number(env.COLUMNS);
  return Number.isInteger(cols) && cols >= 20 ? cols : 80;
}

/** --precision N|full: significant digits for the formats people read. */
function parsePrecision(text: string | undefined): number | 'full' | undefined {
  if (text === undefined || text === 'full') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 17) throw new UsageError(`--precision takes a number of significant digits from 1 to 17, or full, not '${text}'`);
  return n;
}

function parsePartitions(text: string): number[] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.some((p) => !Number.isInteger(p) || p < 0)) throw new UsageError(`--partition takes partition numbers such as 0 or 0,2, not '${text}'`);
  return parts;
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--count takes a whole number ≥ 1, not '${text}'`);
  return n;
}

/** -I avro|protobuf|jsonschema and --schema-registry / --value-schema / --value-type: Kafka message values only, one schema source. */
function checkKafkaValueFormat(opts: CliOptions, notKafka: string[]): void {
  const f = opts.inputFormat;
  const schemaBound = (KAFKA_VALUE_FORMATS as readonly string[]).includes(f);
  if (!schemaBound && (opts.schemaRegistry !== undefined || opts.valueSchema !== undefined)) {
    throw new UsageError(`${opts.schemaRegistry !== undefined ? '--schema-registry' : '--value-schema'} goes with -I avro, protobuf or jsonschema`);
  }
  if (opts.valueType !== undefined && (f !== 'protobuf' || opts.valueSchema === undefined)) {
    throw new UsageError('--value-type goes with -I protobuf --value-schema FILE.proto (with --schema-registry the value names its type)');
  }
  if (!schemaBound) return;
  if (notKafka.length > 0) throw new UsageError(`-I ${f} reads Kafka message values; '${notKafka[0]}' is not a kafka: input`);
  if ((opts.schemaRegistry === undefined) === (opts.valueSchema === undefined)) {
    const bare = { avro: 'bare Avro values', protobuf: 'bare messages', jsonschema: 'bare JSON values' }[f as KafkaValueFormat];
    const file = { avro: 'FILE', protobuf: 'FILE.proto', jsonschema: 'FILE.json' }[f as KafkaValueFormat];
    throw new UsageError(`-I ${f} needs one of --schema-registry URL (Confluent wire format) or --value-schema ${file} (${bare})`);
  }
  if (opts.schemaRegistry !== undefined && !/^https?:\/\/[^/]/.test(opts.schemaRegistry)) {
    throw new UsageError(`--schema-registry takes an http:// or https:// URL, not '${opts.schemaRegistry}'`);
  }
}

/** -O avro: Kafka message values only, with the schema of --value-schema; says whether it is on. */
function checkAvroOutput(opts: CliOptions, toKafka: boolean): boolean {
  if (opts.outputFormat !== 'avro') {
    if (opts.subject !== undefined) throw new UsageError('--subject goes with --to kafka:... -O avro --schema-registry URL');
    return false;
  }
  if (!toKafka) throw new UsageError('-O avro writes Kafka message values: add --to kafka://HOST:PORT/TOPIC');
  if (opts.valueSchema === undefined) throw new UsageError('-O avro needs --value-schema FILE.avsc (the schema the values are written with)');
  if (opts.subject !== undefined && opts.schemaRegistry === undefined) throw new UsageError('--subject goes with --schema-registry URL (the registry the schema is registered in)');
  if (opts.schemaRegistry !== undefined && !/^https?:\/\/[^/]/.test(opts.schemaRegistry)) {
    throw new UsageError(`--schema-registry takes an http:// or https:// URL, not '${opts.schemaRegistry}'`);
  }
  return true;
}

function forcedFormat(opts: CliOptions): InputFormat | null {
  return opts.inputFormat === 'auto' ? null : (opts.inputFormat as InputFormat);
}

function nullSink(): Sink {
  return { kind: 'text', write: () => undefined, flush: async () => undefined, end: async () => undefined, closed: false, isTerminal: false };
}

/** The little of a build context that reading event times needs, for --explain. */
function explainContext(stats: Stats, opts: CliOptions): BuildContext {
  const compiler = exprCompiler({ text: '', typeError: stats.typeError, aggregateNames: new Set(), tz: opts.tz });
  return {
    compiler, stats, infer: opts.infer, bad: () => undefined, late: () => undefined, assertFailed: () => undefined,
    time: { tz: opts.tz, format: opts.timeFormat, out: opts.timeFormatOut }, eventTime: (_r, ev) => ev.timestamp, idleMs: null,
    idlePartitionMs: null, warn: () => undefined,
  };
}

/** --ifs with -I auto: tsv or csv by the extension, csv for any other input (a separator means delimited text). */
function separatedFormat(input: TextInput): InputFormat {
  return (input.path !== null ? formatByExtension(input.path) : null) === 'tsv' ? 'tsv' : 'csv';
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

/** Input formats whose records keep their input text (`raw`), written as it was while unchanged. */
const KEEPS_RAW: ReadonlySet<string> = new Set(['ndjson']);

/**
 * The decoders, each told the top-level fields the program needs from its records (DecodeOptions.fields):
 * `raw` for formats whose unchanged records are written from their text, `values` for the others
 * (their records are written from their values, so a program that passes them on needs them whole).
 */
function projectedDecoders(all: Record<string, DecoderFactory>, raw: readonly string[] | null, values: readonly string[] | null, wholeFirst: number): Record<string, DecoderFactory> {
  const out: Record<string, DecoderFactory> = {};
  for (const [name, make] of Object.entries(all)) {
    const fields = KEEPS_RAW.has(name) ? raw : values;
    out[name] = fields === null ? make : (source, o, bad, now) => make(source, { ...o, fields, wholeFirst }, bad, now);
  }
  return out;
}

/** stderr's reader went away (`2>&1 | head`): that must not stop the data, messages are dropped from then on */
let stderrGone: boolean | null = null;

function defaultIo(): Io {
  if (stderrGone === null) {
    stderrGone = false;
    process.stderr.on('error', () => { stderrGone = true; });
  }
  return {
    stderr: (t) => void (stderrGone || process.stderr.write(t)),
    stdout: (t) => void process.stdout.write(t),
    env: process.env,
  };
}

/** The topic on the other side of `join kafka://…/T … within …`: read by position from its beginning, to its end under -e. */
function joinTopic(target: string, opts: CliOptions, brokers: string | undefined, bad: (b: BadMessage) => void): RightInput {
  const addr = parseKafkaUri(target, opts.brokers ?? brokers);
  if (addr.topics.length !== 1) throw new UsageError(`join ${target}: the other side of a join is one topic`);
  return rightTopic({
    finite: opts.exitAtEnd === true,
    bad,
    open: async (from) => {
      const { kafkaInput } = await import('../kafka/source.js');
      return kafkaInput({
        client: await clientOptions(opts, addr.brokers),
        topics: addr.topics,
        offset: undefined,
        partitions: null,
        group: null,
        exitAtEnd: opts.exitAtEnd === true,
        count: null,
        format: 'auto',
        infer: opts.infer,
        transactionalSink: null,
        startAt: from,
      });
    },
  });
}
