// Run a program over in-memory NDJSON text through the real parser, compiler, operators and
// executor. Used by `sluice help` example checks and by tests of registry examples; the CLI
// itself wires files, stdin and stdout around the same Executor.

import { decoders, encoders } from '../formats/index.js';
import type { InputFormat, OutputFormat } from '../formats/types.js';
import type { Sink } from '../sinks/sink.js';
import type { TextInput } from '../sources/text.js';
import { compileProgram } from './compile.js';
import { location, type Batch } from '../core/event.js';
import { Executor, type OnError } from '../runtime/executor.js';
import { Stats } from '../core/stats.js';

export interface TextRun {
  output: string;
  /** messages that would go to stderr */
  messages: string[];
  stats: Stats;
  /** what tee stages wrote, by target, as NDJSON (nothing is written to files) */
  tees: Map<string, string>;
}

export interface TextRunOptions {
  inputFormat?: InputFormat;
  outputFormat?: OutputFormat;
  onError?: OnError;
  infer?: boolean;
  /** feed the input in chunks of this many characters (default: one chunk) */
  chunkSize?: number;
  tz?: string;
}

export async function runText(program: string, input: string, opts: TextRunOptions = {}): Promise<TextRun> {
  const stats = new Stats();
  const messages: string[] = [];
  let executor: Executor | null = null;
  const tees = new Map<string, string>();
  const sideOutput = (target: string) => ({
    write: (batch: Batch) => tees.set(target, (tees.get(target) ?? '') + batch.map((e) => JSON.stringify(e.value) + '\n').join('')),
  });
  const { stages } = compileProgram(program, { infer: opts.infer ?? true, time: { out: 'iso', tz: opts.tz }, idleMs: null, idlePartitionMs: null, sideOutput }, stats, {
    warn: (m) => messages.push(m),
    bad: (ev, reason) => executor!.badEvent(ev, reason),
    late: (ev, reason) => executor!.lateEvent(ev, reason),
    assertFailed: (ev, message) => {
      stats.assertFailures++;
      messages.push(`${location(ev)}: ${message}`);
    },
  });
  const size = opts.chunkSize ?? Math.max(1, input.length);
  let yielded = 0;
  const textInput: TextInput = {
    name: '-',
    path: null,
    async *chunks() {
      for (let i = 0; i < input.length; i += size) {
        yielded = Math.min(input.length, i + size);
        yield input.slice(i, i + size);
      }
    },
    close: () => undefined,
    // a string is not resumed: its position counts characters, for completeness
    position: () => ({ path: '-', dev: '', ino: '', head: '', offset: yielded, gzip: false, done: yielded === input.length }),
    resume: async () => [],
  };
  let output = '';
  const sink: Sink = {
    kind: 'text',
    write: (t) => { output += t; return undefined; },
    flush: async () => undefined,
    end: async () => undefined,
    closed: false,
    isTerminal: false,
  };
  const outFormat = opts.outputFormat ?? 'ndjson';
  executor = new Executor({
    inputs: [textInput],
    formatFor: () => opts.inputFormat ?? 'ndjson',
    decoders,
    decode: { infer: opts.infer ?? true },
    stages,
    encoder: encoders[outFormat]({ passRaw: outFormat === 'ndjson' }),
    sink,
    stats,
    onError: opts.onError ?? 'fail',
    late: 'drop',
    live: false,
    commitPerBatch: true,
    deadLetter: null,
    warn: (m) => messages.push(m),
    interrupted: () => false,
    checkpoint: null,
  });
  await executor.run();
  return { output, messages, stats, tees };
}
