// The pipeline executor. Text chunks from each input are decoded into a batch of events,
// the batch goes through the stages (each a synchronous batch -> batch function) and the
// encoder, and the text is handed to the sink; awaiting the sink is the backpressure. At the
// end of input every stage is flushed in order, each flush flowing through the stages after
// it. Bad input is handled here, once, by the --on-error policy.
//
// Checkpoints (--state) are taken here too, between batches, where every input's position and
// every stage's state agree: the snapshot is serialized at once, the sink is flushed (output
// derived so far is acknowledged), the checkpoint is made durable, and only then are Kafka
// offsets committed (inside the sink's transaction with --exactly-once). A restart restores
// the stages and resumes each input where the checkpoint says.
//
// The stages run as tasks. Normally one task runs over every input, and a window's watermark is
// the minimum over the partitions it reads. With per-partition state (--state kafka://…) each
// input partition assigned to this process has a task of its own, as Kafka Streams does: its own
// copy of the stages (RunPlan.buildStages), watermark, position and counters, checkpointed as one
// record that the process given the partition next restores before reading it (see
// assignPartitions and checkpointTasks).

import { stat } from 'node:fs/promises';
import { DataError, LimitError, UsageError } from '../errors/errors.js';
import { heapWatch } from '../core/memory.js';
import { monotonicMs } from '../core/clock.js';
import { memoryMessage } from '../operators/aggregate.js';
import type { BadInput, DecodeOptions, Decoder, DecoderFactory, Encoder } from '../formats/types.js';
import type { Stage, StatefulStage } from '../operators/types.js';
import type { DeadLetterSink } from '../sinks/dead-letter.js';
import type { EventSink, Sink } from '../sinks/sink.js';
import type { EventInput, MessageBatch, PartitionOffset, TopicPartition } from '../sources/events.js';
import type { InputPosition, TextInput } from '../sources/text.js';
import { location, makeEvent, type Batch, type Event, type PartitionChange, type Source } from '../core/event.js';
import type { PartitionWatermark, Stats, WatermarkTable } from '../core/stats.js';
import { SLICE, slices, writeEncoded } from './slices.js';
import { checkFingerprint, type Checkpoint, type Fingerprint, type PartitionStateStore, type SavedInput, type StateStore } from './checkpoint.js';
import type { ParallelOptions, PartialMerge, ReadyChunk } from './threads.js';
import { fromColumns } from './thread-columns.js';

export type OnError = 'fail' | 'skip' | 'warn';

export interface BadRecord {
  raw: string;
  reason: string;
  location: string;
}

/** --state: where checkpoints go, how often, and the one to start from. */
export interface Checkpointing {
  /** a state file: one checkpoint of the whole run */
  store: StateStore | null;
  /**
   * or, with --state kafka://…, one checkpoint per input partition: the stages then run as one
   * task per assigned partition, each restored from its own checkpoint when the partition is assigned
   */
  partitions?: PartitionStateStore | null;
  everyMs: number;
  fingerprint: Fingerprint;
  /** sluice's version, written into each checkpoint */
  version: string;
  /** the state file's checkpoint this run resumes from (the CLI chose and checked it), or null for a fresh start */
  from: Checkpoint | null;
  /** told after each durable checkpoint: its size and how long it took */
  saved?(bytes: number, ms: number): void;
}

/** The --stats counters a checkpoint carries over. */
const COUNTERS = ['recordsIn', 'recordsOut', 'bad', 'typeErrors', 'assertFailures', 'schemaErrors', 'late'] as const;

export interface RunPlan {
  inputs: (TextInput | EventInput)[];
  /** picks the decoder's format for an input once its first text is known */
  formatFor(input: TextInput, firstText: string): string;
  decoders: { readonly [format: string]: DecoderFactory };
  decode: DecodeOptions;
  stages: Stage[];
  /**
   * A fresh copy of the program's stages, built from the same compiled program: per-partition
   * state (Checkpointing.partitions) runs one copy per input partition.
   */
  buildStages?(): Stage[];
  /** turns records into text for a text sink (unused by an event sink) */
  encoder: Encoder;
  sink: Sink | EventSink;
  /**
   * The outputs of tee stages, if any: waited for between batches, and flushed with the sink
   * before offsets are committed or a checkpoint is taken.
   */
  tees?: { room(): Promise<void> | undefined; flush(): Promise<void> } | null;
  /**
   * Commit a message batch as soon as its output is acknowledged. False when a stateful stage
   * may hold its records (aggregates, windows, sort): then commits wait for the end of input.
   */
  commitPerBatch: boolean;
  stats: Stats;
  onError: OnError;
  /** --strict-utf8: a record with invalid UTF-8 is bad input rather than read with U+FFFD */
  strictUtf8?: boolean;
  /** records too late for their windows: dropped (counted) or sent to the dead-letter sink */
  late: 'drop' | 'dead-letter';
  /** the input is live (a pipe, a terminal, --follow): wall-clock ticks may emit results */
  live: boolean;
  /** receives bad records (the dead-letter sink), if any; awaited between batches when full */
  deadLetter: DeadLetterSink | null;
  /** a message on stderr */
  warn(message: string): void;
  /** set when SIGINT/SIGTERM arrives */
  interrupted(): boolean;
  /** --state; null without it */
  checkpoint: Checkpointing | null;
  /**
   * --threads: files read in parallel by worker threads that run the whole (stateless) program
   * (runtime/threads.ts); null or absent: everything on this thread
   */
  parallel?: (ParallelOptions & { watch: StatefulStage | null }) | null;
}

interface PendingBad {
  /** how many records of the chunk came before it */
  at: number;
  raw: string;
  reason: string;
  line: number;
  where: string;
}

/** Failure under --on-error fail: stop at this record; what came before it is still written. */
class Stop {
  constructor(readonly error: DataError, readonly line: number) {}
}

/**
 * A copy of the program's stages with its own state: the one pipeline over every input, or, with
 * per-partition state, the task of one input partition.
 */
interface Task {
  /** the input partition (`topic/partition`) it is the task of; null for the one pipeline */
  readonly partition: string | null;
  readonly stages: Stage[];
  /** its stages were flushed (end of input, or a stage that took all it wants): nothing flows any more */
  flushed: boolean;
  /** the last record taken by the stage that ended reading early (head N), if it says */
  stoppedAfter: Event | undefined;
  // per partition only:
  /** the owner epoch it writes with (Checkpoint.partition) */
  epoch: number;
  sequence: number;
  /** the next offset to read: after its last batch (null: nothing read and nothing restored) */
  position: PartitionOffset | null;
  /** the position its last durable checkpoint holds, or the first offset it read */
  durable: PartitionOffset | null;
  /** its --stats counters: the restored ones plus what this process counted for it */
  counters: { [counter: string]: number };
  /** it changed since its last checkpoint */
  dirty: boolean;
  /** its window stage's watermarks, for --stats */
  watermarks: WatermarkTable | null;
}

function newTask(partition: string | null, stages: Stage[], watermarks: WatermarkTable | null = null): Task {
  return {
    partition, stages, flushed: false, stoppedAfter: undefined,
    epoch: 1, sequence: 0, position: null, durable: null, counters: {}, dirty: false, watermarks,
  };
}

const partitionKey = (o: { topic: string; partition: number }) => `${o.topic}/${o.partition}`;

/** Tasks in a stable order (topic, then partition number), so that flushing them at the end is deterministic. */
function byPartition(a: Task, b: Task): number {
  const [ta, pa] = splitPartition(a.partition!);
  const [tb, pb] = splitPartition(b.partition!);
  return ta < tb ? -1 : ta > tb ? 1 : pa - pb;
}

function splitPartition(id: string): [string, number] {
  const at = id.lastIndexOf('/');
  return [id.slice(0, at), Number(id.slice(at + 1))];
}

/** Where the input being read stands, for a checkpoint. */
type Reading =
  | { kind: 'text'; input: TextInput; format: string | null; decoder: Decoder | null; resumed: SavedInput | null }
  | { kind: 'events'; input: EventInput };

export class Executor {
  private stop: Stop | null = null;
  /** the dead-letter sink is full: the next batch waits for it (a failure of it ends the run) */
  private deadLetterRoom: Promise<void> | null = null;
  private chunkNow = Date.now();
  private readonly now = () => this.chunkNow;
  /** positions of inputs already read, by index (for checkpoints) */
  private readonly saved: (SavedInput | null)[];
  private reading: Reading | null = null;
  /** Kafka: the next offset of every partition read, by `topic/partition` */
  private readonly offsets = new Map<string, PartitionOffset>();
  /** Kafka: every position processed (or restored), per input */
  private readonly inputOffsets = new Map<EventInput, Map<string, PartitionOffset>>();
  /** Kafka: a position moved since the last commit */
  private uncommitted = false;
  /** output was written since the last commit */
  private wroteSinceCommit = false;
  private lastCheckpoint = Date.now();
  /** an error thrown by wall-clock work (ticks, timed checkpoints), rethrown by run() */
  private failure: unknown = null;
  private sequence = 0;
  /** the one pipeline (every input through plan.stages) */
  private readonly main: Task;
  /** per-partition state: the task of each assigned input partition, by `topic/partition`; null otherwise */
  private readonly tasks: Map<string, Task> | null = null;
  /** per-partition state: the input whose partitions the tasks are */
  private readonly taskInput: EventInput | null = null;
  /** per-partition state: the final flush began */
  private ending = false;

  constructor(private readonly plan: RunPlan) {
    this.main = newTask(null, plan.stages);
    if (plan.checkpoint?.partitions) {
      const input = plan.inputs[0];
      if (plan.inputs.length !== 1 || !input || !('kind' in input) || !input.onAssigned || !plan.buildStages) {
        throw new Error('per-partition state needs one input read in a consumer group, and RunPlan.buildStages');
      }
      const tasks = new Map<string, Task>();
      this.tasks = tasks;
      this.taskInput = input;
      input.onAssigned((partitions) => this.assignPartitions(partitions));
      // --stats prints the watermarks of every task's partition
      if (plan.stats.watermarks !== null) {
        plan.stats.watermarks = {
          allowMs: plan.stats.watermarks.allowMs,
          get partitions() {
            const all = new Map<string, PartitionWatermark>();
            for (const t of [...tasks.values()].sort(byPartition)) for (const [id, w] of t.watermarks?.partitions ?? []) all.set(id, w);
            return all;
          },
        };
      }
    }
    const from = plan.checkpoint?.from ?? null;
    this.saved = plan.inputs.map((_, i) => from?.inputs[i] ?? null);
    this.sequence = from?.sequence ?? 0;
    this.saved.forEach((s, i) => {
      if (s?.kind !== 'kafka') return;
      const input = plan.inputs[i] as EventInput;
      for (const [topic, partition, offset] of s.offsets) {
        const at = { topic, partition, offset };
        this.offsets.set(`${topic}/${partition}`, at);
        this.offsetsOf(input).set(`${topic}/${partition}`, at);
      }
    });
  }

  /** Report input that cannot be used; applies the --on-error policy. */
  bad(raw: string, reason: string, where: string, line: number): void {
    const { plan } = this;
    plan.stats.bad++;
    if (plan.deadLetter) this.waitForDeadLetters(plan.deadLetter.write({ raw, reason, location: where }));
    if (plan.onError === 'warn') plan.warn(`${where}: ${reason}`);
    else if (plan.onError === 'fail' && this.stop === null) {
      this.stop = new Stop(new DataError(`${where}: ${reason}`, where), line);
    }
  }

  /** A record too late for any open window (always counted; kept aside with --late dead-letter). */
  lateEvent(ev: Event, reason: string): void {
    const { plan } = this;
    plan.stats.late++;
    if (plan.late === 'dead-letter' && plan.deadLetter) {
      this.waitForDeadLetters(plan.deadLetter.write({ raw: ev.raw ?? JSON.stringify(ev.value), reason, location: location(ev) }));
    }
  }

  private waitForDeadLetters(room: Promise<void> | undefined): void {
    if (room === undefined || room === this.deadLetterRoom) return;
    // awaited before the next batch; until then its failure must not count as unhandled
    room.catch(() => undefined);
    this.deadLetterRoom = room;
  }

  /** For stages (parse): the event's raw text or its JSON stands for the bad input. */
  badEvent(ev: Event, reason: string): void {
    this.bad(ev.raw ?? JSON.stringify(ev.value), reason, location(ev), ev.line);
  }

  async run(): Promise<void> {
    const { plan } = this;
    const from = plan.checkpoint?.from ?? null;
    if (from) this.restore(from);
    const tickers = plan.stages.filter((s) => s.kind === 'stateful' && s.tick !== undefined) as StatefulStage[];
    const every = [...tickers.map((s) => s.tickMs ?? 1000), ...(plan.checkpoint ? [plan.checkpoint.everyMs] : [])];
    // interrupted with results not final written or withheld: the input behind them is not committed
    let incomplete = false;
    const timer = plan.live && every.length > 0
      ? setInterval(() => void this.serial(async () => {
        try {
          await this.tick();
          await this.maybeCheckpoint();
        } catch (e) {
          // a failure between batches ends the run as one during a batch would
          this.failure ??= e;
          for (const i of plan.inputs) void i.close();
        }
      }), Math.max(10, Math.min(...every)))
      : null;
    try {
      for (let i = 0; i < plan.inputs.length; i++) {
        if (await this.readInput(i)) break;
      }
      if (timer) clearInterval(timer);
      await this.queue;
      if (this.failure !== null) throw this.failure;
      if (this.stop) throw this.stop.error;
      if (plan.checkpoint && plan.interrupted()) {
        // results that are not final are withheld: the checkpoint holds them for the next run
        await this.checkpoint(false);
        return;
      }
      if (plan.interrupted()) {
        // without --state: what is not final is marked so, or withheld and counted (see interruptStages)
        incomplete = await this.interruptStages(this.main);
      } else if (this.tasks) {
        this.ending = true;
        for (const t of [...this.tasks.values()].sort(byPartition)) await this.counted(t, () => this.flushStages(t, 0));
      } else {
        await this.flushStages(this.main, 0);
      }
    } finally {
      if (timer) clearInterval(timer);
      // a failure of the dead-letter sink is reported when the CLI ends it
      await this.deadLetterRoom?.catch(() => undefined);
    }
    if (plan.sink.kind === 'text') await this.write(plan.encoder.end());
    // everything derived from the input is written: what was read may now be committed
    if (plan.checkpoint) await this.checkpoint(true);
    else if (!incomplete) await this.commitAcknowledged();
  }

  /** Ticks, batches and assignments take turns, so a tick never splits a batch's output. */
  private queue: Promise<void> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.then(() => undefined);
    this.queue.catch(() => undefined);
    return p;
  }

  /** Wall clock: let stages emit what became due (emit every, --idle). */
  private async tick(): Promise<void> {
    const now = Date.now();
    for (const task of this.tasks ? [...this.tasks.values()] : [this.main]) {
      const stages = task.stages;
      if (!stages.some((s) => s.kind === 'stateful' && s.tick !== undefined)) continue;
      await this.counted(task, async () => {
        for (let i = 0; i < stages.length; i++) {
          const s = stages[i]!;
          const t = s.kind === 'stateful' ? s.tick : undefined;
          if (!t || task.flushed) continue;
          await this.flow(task, i, t(now));
        }
      });
    }
  }

  /** The input partitions changed (a file began or ended, Kafka assigned, revoked or read to the end). */
  private async partitionChange(task: Task, change: PartitionChange): Promise<void> {
    const stages = task.stages;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.kind !== 'stateful' || s.partition === undefined || task.flushed) continue;
      await this.flow(task, i, s.partition(change));
    }
  }

  /** What stage i of the task gave, through the stages after it, to the sink. */
  private async flow(task: Task, i: number, b: Batch): Promise<void> {
    const stages = task.stages;
    for (let j = i + 1; j < stages.length && b.length > 0; j++) {
      const s = stages[j]!;
      const wait = s.kind === 'stateful' && s.ready ? s.ready(b) : null;
      if (wait !== null) await wait;
      b = s.push(b);
    }
    await this.emit(b);
  }

  /**
   * Run `fn` on a partition's task, adding what it counts in --stats to the task's own counters
   * (work is serial: nothing else counts meanwhile).
   */
  private async counted<T>(task: Task, fn: () => Promise<T>): Promise<T> {
    if (task.partition === null) return fn();
    const stats = this.plan.stats;
    const before = COUNTERS.map((c) => stats[c]);
    try {
      return await fn();
    } finally {
      COUNTERS.forEach((c, i) => { task.counters[c] = (task.counters[c] ?? 0) + stats[c] - before[i]!; });
      task.dirty = true;
    }
  }

  /** Read input i; true when reading should stop altogether. */
  private async readInput(i: number): Promise<boolean> {
    const input = this.plan.inputs[i]!;
    const parallel = this.plan.parallel;
    // (a file under --threads auto's least size is read here without loading the threads' code)
    if (parallel && !('kind' in input) && input.path !== null && !this.saved[i] && (parallel.minBytes === 0 || (await sizeOf(input.path)) >= parallel.minBytes)) {
      const { openParallel } = await import('./threads.js');
      const chunks = await openParallel(input.path, input.name, parallel, this.plan.decode, (first) => this.plan.formatFor(input, first));
      if (chunks !== null) {
        if (parallel.columns !== null) return this.readColumns(chunks, parallel.columns, { name: input.name });
        try {
          return await this.readParallel(chunks, parallel.watch, parallel.aggregate);
        } finally {
          parallel.aggregate?.finish();
        }
      }
    }
    const stop = 'kind' in input ? await this.readEvents(input) : await this.readText(input, this.saved[i] ?? null);
    this.saved[i] = this.savedReading();
    this.reading = null;
    return stop;
  }

  /** A source of decoded messages (Kafka): process each batch, then commit what is acknowledged. */
  private async readEvents(input: EventInput): Promise<boolean> {
    this.reading = { kind: 'events', input };
    try {
      for await (const mb of input.batches()) {
        let stop = false;
        await this.serial(async () => {
          stop = await this.processMessages(input, mb);
          if (!stop) await this.maybeCheckpoint();
        });
        if (stop) {
          input.close();
          return true;
        }
      }
      return false;
    } catch (e) {
      if (this.plan.interrupted()) return true;
      throw e;
    }
  }

  private async processMessages(input: EventInput, mb: MessageBatch): Promise<boolean> {
    this.chunkNow = Date.now();
    if (this.tasks) return this.processPartition(this.tasks, mb);
    if (mb.changes) {
      for (const c of mb.changes) {
        // a partition another member now owns: committing its old position would undo the new owner's
        if (c.kind === 'revoked') this.offsetsOf(input).delete(c.partition);
        await this.partitionChange(this.main, c);
      }
    }
    const stop = mb.bad.length === 0
      ? await this.process(this.main, mb.events)
      : await this.processDecoded(this.main, mb.events, mb.bad.map((b) => ({ ...b, line: 0 })));
    const next = mb.next;
    if (next && !(this.stop && this.stop.line !== 0)) {
      // head N done part-way through: the position is after what it took, not what it never looked at
      const after = this.main.stoppedAfter;
      const at = after !== undefined && after.partition === next.partition && after.source.topic === next.topic && after.offset < next.offset
        ? { ...next, offset: after.offset + 1 }
        : next;
      const k = `${at.topic}/${at.partition}`;
      this.offsets.set(k, at);
      this.offsetsOf(input).set(k, at);
      this.uncommitted = true;
    }
    if (this.plan.commitPerBatch && !this.plan.checkpoint && !this.stop) await this.commitAcknowledged();
    return stop;
  }

  /**
   * Per-partition state: a batch goes to its partition's task (a batch is always of one
   * partition), and a partition that ended or went idle is its task's business. Tasks come and go
   * with assignments (assignPartitions), before any batch of theirs.
   */
  private async processPartition(tasks: Map<string, Task>, mb: MessageBatch): Promise<boolean> {
    for (const c of mb.changes ?? []) {
      if (c.kind === 'assigned' || c.kind === 'revoked') continue;
      const t = tasks.get(c.partition);
      if (t) await this.counted(t, () => this.partitionChange(t, c));
    }
    const next = mb.next;
    if (!next) return false;
    const task = tasks.get(partitionKey(next));
    if (!task) throw new Error(`a batch of ${partitionKey(next)} came before its task was restored`);
    let stop = false;
    if (task.flushed) {
      // its stages took all they want (head N): the partition is read on, nothing flows
      this.plan.stats.recordsIn += mb.events.length;
    } else {
      stop = await this.counted(task, () => mb.bad.length === 0
        ? this.process(task, mb.events)
        : this.processDecoded(task, mb.events, mb.bad.map((b) => ({ ...b, line: 0 }))));
    }
    if (!(this.stop && this.stop.line !== 0)) {
      const after = task.stoppedAfter;
      task.stoppedAfter = undefined;
      task.durable ??= { ...next, offset: mb.first ?? next.offset };
      task.position = after !== undefined && after.partition === next.partition && after.offset < next.offset
        ? { ...next, offset: after.offset + 1 }
        : next;
      task.dirty = true;
    }
    return stop;
  }

  private offsetsOf(input: EventInput): Map<string, PartitionOffset> {
    let m = this.inputOffsets.get(input);
    if (!m) this.inputOffsets.set(input, (m = new Map()));
    return m;
  }

  /**
   * Wait until the sink has everything written so far, then commit the positions behind it: when
   * a position moved, or output was written since the last commit (with --exactly-once the commit
   * is what commits the transaction holding that output, such as windows fired at the end).
   */
  private async commitAcknowledged(): Promise<void> {
    if (!this.uncommitted && !this.wroteSinceCommit) return;
    await this.plan.sink.flush();
    await this.plan.tees?.flush();
    this.uncommitted = false;
    this.wroteSinceCommit = false;
    for (const [input, offsets] of this.inputOffsets) if (offsets.size > 0) await input.commit([...offsets.values()]);
  }

  private async readText(input: TextInput, resumed: SavedInput | null): Promise<boolean> {
    const { plan } = this;
    const source: Source = { name: input.name };
    const reading: Reading = { kind: 'text', input, format: null, decoder: null, resumed };
    this.reading = reading;
    let decoder: Decoder | null = null;
    const batch: Batch = [];
    // bad input is held with its position among the decoded records and handled in turn, so
    // that what happens does not depend on how the input was cut into chunks
    const bads: PendingBad[] = [];
    const onBad: BadInput = (raw, reason, line) =>
      bads.push({ at: batch.length, raw, reason, line, where: location({ source, line, offset: -1, partition: -1 }) });
    const makeDecoder = (format: string): Decoder => {
      const d = plan.decoders[format]!(source, plan.decode, onBad, this.now);
      reading.format = format;
      reading.decoder = d;
      return d;
    };
    // stdin cannot be read again: the stages' state carries over, the new stdin is read from its start
    if (resumed?.kind === 'text' && resumed.format !== null && input.path !== null) {
      for (const w of await input.resume(resumed.position as InputPosition)) plan.warn(`warning: ${w}`);
      decoder = makeDecoder(resumed.format);
      decoder.restore(resumed.decoder);
    }
    let sniffBuffer = '';
    let replaced = input.replaced?.() ?? 0;
    let replacedAfter = false; // a line with a replaced character may still be held by the decoder
    let fragments: string[] = [];
    const decode = async (text: string, last: boolean): Promise<boolean> => {
      decoder ??= makeDecoder(plan.formatFor(input, text));
      decoder.write(text, batch);
      if (last) decoder.end(batch);
      // invalid UTF-8: a fast check per chunk, and the records only when the source replaced some
      const now = input.replaced?.() ?? 0;
      if (now > replaced || replacedAfter) {
        plan.stats.invalidUtf8 += now - replaced;
        replaced = now;
        fragments = (replacedAfter ? fragments : []).concat(input.replacedLines?.() ?? []);
        this.invalidUtf8(batch, bads, fragments);
        replacedAfter = text.lastIndexOf('\ufffd') > text.lastIndexOf('\n') || (replacedAfter && batch.length === 0);
      }
      let stop = false;
      await this.serial(async () => {
        stop = await this.processDecoded(this.main, batch, bads);
        if (!stop && !last) await this.maybeCheckpoint();
      });
      batch.length = 0;
      bads.length = 0;
      return stop;
    };
    await this.serial(() => this.partitionChange(this.main, { kind: 'assigned', partition: input.name }));
    try {
      for await (const text of input.chunks()) {
        this.chunkNow = Date.now();
        if (decoder === null) {
          // decide the format on the first line (or 64 KiB) of text
          sniffBuffer += text;
          if (sniffBuffer.indexOf('\n') < 0 && sniffBuffer.length < 65536) continue;
          const first = sniffBuffer;
          sniffBuffer = '';
          if (await decode(first, false)) { input.close(); return true; }
        } else if (await decode(text, false)) {
          input.close();
          return true;
        }
      }
      // interrupted: a last line without its newline may be incomplete; the checkpoint keeps it
      if (plan.interrupted()) return true;
      this.chunkNow = Date.now();
      if (decoder === null && sniffBuffer.length === 0) return false;
      const stop = await decode(sniffBuffer, true);
      if (!stop) await this.serial(() => this.partitionChange(this.main, { kind: 'ended', partition: input.name }));
      return stop;
    } catch (e) {
      if (plan.interrupted()) return true;
      if (e instanceof DataError && plan.onError !== 'fail') {
        // the source says where (file:line when it knows the line)
        const where = e.message.startsWith(`${e.where}: `) ? e.where : input.name === '-' ? '(stdin)' : input.name;
        this.bad('', e.message.startsWith(`${where}: `) ? e.message.slice(where.length + 2) : e.message.replace(/^[^:]*: /, ''), where, 0);
        return false;
      }
      throw e;
    }
  }

  /**
   * A file read by worker threads (--threads): their output and bad input, chunk after chunk in
   * input order, written and handled as readText would have; the field watch sees the keys of the
   * first records; an aggregate's partial groups are merged (folded into its stage by the caller).
   * True when no more input is wanted.
   */
  private async readParallel(chunks: AsyncGenerator<ReadyChunk>, watch: StatefulStage | null, aggregate: PartialMerge | null): Promise<boolean> {
    const { plan } = this;
    const watched: Source = { name: '(keys)' };
    for await (const c of chunks) {
      this.chunkNow = Date.now();
      plan.stats.invalidUtf8 += c.invalidUtf8;
      plan.stats.invalidUtf8Lines += c.invalidUtf8Lines;
      if (aggregate !== null && c.partial !== undefined) aggregate.add(c.partial);
      let k = 0;
      for (let i = 0; i < c.segments.length; i++) {
        const s = c.segments[i]!;
        plan.stats.recordsIn += s.in;
        plan.stats.typeErrors += s.typeErrors;
        if (watch !== null && c.keys !== null && k < c.keys.length) {
          const keys = c.keys.slice(k, k + s.in);
          watch.push(keys.map((ks) => makeEvent(ks === null ? null : Object.fromEntries(ks.map((f) => [f, null])), undefined, watched, 0, 0)));
        }
        k += s.in;
        if (s.out > 0) {
          this.wroteSinceCommit = true;
          plan.stats.recordsOut += s.out;
          await this.write(s.text, s.out);
        }
        const bad = c.bads[i];
        if (bad !== undefined) {
          this.bad(bad.raw, bad.reason, bad.where, bad.line);
          if (this.stop) return true;
        }
      }
      await this.breathe(this.main.stages);
      if (plan.sink.closed || plan.interrupted()) return true;
    }
    return false;
  }

  /**
   * A file whose chunks the worker threads decode ('decode' mode): their records, rebuilt from
   * columns, and their bad input go through this thread's stages in file order, as readText
   * gives them on one thread (the file is one partition of the watermarks, as there).
   */
  private async readColumns(chunks: AsyncGenerator<ReadyChunk>, fields: readonly string[], source: Source): Promise<boolean> {
    const { plan } = this;
    await this.serial(() => this.partitionChange(this.main, { kind: 'assigned', partition: source.name }));
    const batch: Batch = [];
    const bads: PendingBad[] = [];
    for await (const c of chunks) {
      this.chunkNow = Date.now();
      plan.stats.invalidUtf8 += c.invalidUtf8;
      plan.stats.invalidUtf8Lines += c.invalidUtf8Lines;
      const base = c.base;
      for (let i = 0; i < c.segments.length; i++) {
        const g = c.segments[i]!;
        if (g.cols !== undefined) fromColumns(g.cols, fields, source, base, c.now, batch);
        if (g.events !== undefined) {
          for (const ev of g.events) {
            ev.line += base - 1;
            ev.source = source;
            batch.push(ev);
          }
        }
        const bad = c.bads[i];
        if (bad !== undefined) bads.push({ at: batch.length, raw: bad.raw, reason: bad.reason, line: bad.line, where: bad.where });
      }
      let stop = false;
      await this.serial(async () => {
        stop = await this.processDecoded(this.main, batch, bads);
      });
      batch.length = 0;
      bads.length = 0;
      if (stop || plan.sink.closed || plan.interrupted()) return true;
    }
    await this.serial(() => this.partitionChange(this.main, { kind: 'ended', partition: source.name }));
    return false;
  }

  /**
   * Count the records of a chunk that hold a U+FFFD where invalid UTF-8 was (their raw text
   * holds it, or, where the input also has real U+FFFD characters, one of `fragments`); under
   * --strict-utf8 they become bad input, in their place among the chunk's.
   */
  private invalidUtf8(batch: Batch, bads: PendingBad[], fragments: string[]): void {
    const { plan } = this;
    const kept: Batch = [];
    const all: PendingBad[] = [];
    let b = 0;
    for (let i = 0; i < batch.length; i++) {
      const ev = batch[i]!;
      while (b < bads.length && bads[b]!.at <= i) all.push({ ...bads[b++]!, at: kept.length });
      const raw = ev.raw ?? JSON.stringify(ev.value);
      if (!raw.includes('\ufffd') || (fragments.length > 0 && !fragments.some((f) => raw.includes(f)))) {
        kept.push(ev);
        continue;
      }
      plan.stats.invalidUtf8Lines++;
      if (plan.strictUtf8) all.push({ at: kept.length, raw, reason: 'invalid UTF-8 (--strict-utf8)', line: ev.line, where: location(ev) });
      else kept.push(ev);
    }
    while (b < bads.length) all.push({ ...bads[b++]!, at: kept.length });
    if (!plan.strictUtf8) return;
    batch.length = 0;
    for (const ev of kept) batch.push(ev);
    bads.length = 0;
    for (const p of all) bads.push(p);
  }

  /** Records and bad input of one chunk, in input order; true when no more input is wanted. */
  private async processDecoded(task: Task, batch: Batch, bads: PendingBad[]): Promise<boolean> {
    let from = 0;
    for (const b of bads) {
      if (b.at > from) {
        if (await this.process(task, batch.slice(from, b.at))) return true;
        from = b.at;
      }
      this.bad(b.raw, b.reason, b.where, b.line);
      if (this.stop) return true;
    }
    return this.process(task, from === 0 ? batch : batch.slice(from));
  }

  /** Run a batch of decoded events through a task's stages; true when no more input is wanted. */
  private async process(task: Task, batch: Batch): Promise<boolean> {
    const { plan } = this;
    plan.stats.recordsIn += batch.length;
    let b: Batch = batch;
    const stages = task.stages;
    for (let i = 0; i < stages.length && b.length > 0; i++) {
      const hadStop = this.stop;
      const s = stages[i]!;
      // an interval join reads its other side (a Kafka topic) as far as the batch's time needs
      const wait = s.kind === 'stateful' && s.ready ? s.ready(b) : null;
      if (wait !== null) await wait;
      b = s.push(b);
      if (this.stop && this.stop !== hadStop) b = b.filter((e) => e.line < this.stop!.line);
    }
    await this.emit(b);
    if (this.deadLetterRoom !== null) {
      const room = this.deadLetterRoom;
      this.deadLetterRoom = null;
      await room;
    }
    await this.breathe(stages);
    if (this.stop || plan.sink.closed || plan.interrupted()) return true;
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i]!;
      if (s.kind === 'stateful' && s.done?.() === true) {
        task.stoppedAfter = s.lastTaken?.();
        // nothing can pass a finished stage: flush only what comes after it
        await this.flushStages(task, i + 1);
        // the one pipeline stops reading; a partition's task only stops taking records
        return task.partition === null;
      }
    }
    return false;
  }

  private lastBreath = monotonicMs();

  /**
   * Between batches, at most every 50 ms: stop (LimitError) when the heap is nearly full, naming
   * the stage that holds the most, and give the event loop a turn, so that SIGINT, SIGTERM and
   * timers are heard while a long run of batches comes without waiting for input.
   */
  private async breathe(stages: Stage[]): Promise<void> {
    const now = monotonicMs();
    if (now - this.lastBreath < 50) return;
    const live = heapWatch.full();
    if (live !== null) {
      let holder: StatefulStage | null = null;
      for (const s of stages) if (s.kind === 'stateful' && (holder === null || (s.stateSize?.() ?? 0) > (holder.stateSize?.() ?? 0))) holder = s;
      throw new LimitError(memoryMessage(heapWatch, live, holder?.label ?? 'the program', holder?.stateSize?.() ?? null));
    }
    await new Promise((resolve) => setImmediate(resolve));
    this.lastBreath = monotonicMs();
  }

  /** End of input: flush a task's stages from `from` on, each flush flowing through the later stages. */
  private async flushStages(task: Task, from: number): Promise<void> {
    if (task.flushed) return;
    task.flushed = true;
    const stages = task.stages;
    for (let i = from; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.kind === 'stateless') continue;
      for await (const b of slices(s.end())) {
        await this.flow(task, i, b);
        // a later stage takes nothing more (sort | head 10): the rest of this flush need not be made
        if (passesNothing(stages, i + 1)) break;
      }
      if (this.stop) throw this.stop.error;
    }
  }

  /**
   * Interrupted without --state: each stage gives what it holds as not final (results marked
   * "final": false) or withholds it; stderr says how many of each were written and withheld. Later
   * stages see the partial results as input, so a sort after an aggregate withholds them too. True
   * when something was not final: Kafka offsets are then not committed (a consumer group reads those
   * messages again and a later run writes their final results; at least once).
   */
  private async interruptStages(task: Task): Promise<boolean> {
    if (task.flushed) return false;
    task.flushed = true;
    let partial = 0;
    let withheld = 0;
    const stages = task.stages;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.kind === 'stateless') continue;
      const r = s.interrupt ? s.interrupt() : { out: s.end(), partial: 0, withheld: 0 };
      for await (const b of slices(r.out)) await this.flow(task, i, b);
      // a stage that withholds took in what came before it: those partial results were not written
      if (r.withheld > 0) partial = 0;
      partial += r.partial;
      withheld += r.withheld;
      if (this.stop) throw this.stop.error;
    }
    this.plan.stats.partial += partial;
    this.plan.stats.withheld += withheld;
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    if (partial > 0) this.plan.warn(`interrupted: ${plural(partial, 'result', 'results')} of the input read so far written with "final": false`);
    if (withheld > 0) this.plan.warn(`interrupted: ${plural(withheld, 'record', 'records')} held by sort, tail or top not written (their order or choice needs the whole input)`);
    return partial > 0 || withheld > 0;
  }

  private async emit(b: Batch): Promise<void> {
    // tee stages wrote on the way here: wait while their outputs are full (backpressure)
    const teeRoom = this.plan.tees?.room();
    if (teeRoom) await teeRoom;
    if (b.length === 0) return;
    this.wroteSinceCommit = true;
    this.plan.stats.recordsOut += b.length;
    const sink = this.plan.sink;
    if (sink.kind === 'events') {
      for (let i = 0; i < b.length; i += SLICE) {
        const p = sink.write(b.length <= SLICE ? b : b.slice(i, i + SLICE));
        if (p) await p;
      }
    } else {
      await writeEncoded(b, (s) => this.plan.encoder.write(s), (text, n) => this.write(text, n));
    }
  }

  /** `records`: how many records went into the encoder for this text (a sink's failure says how many were written) */
  private async write(text: string, records = 0): Promise<void> {
    const sink = this.plan.sink;
    if (sink.kind !== 'text') return;
    const p = sink.write(text, records);
    if (p) await p;
  }

  // ---- checkpoints

  /** Load a checkpoint's stage states and counters (inputs resume as they are read). */
  private restore(cp: Checkpoint): void {
    const { stats } = this.plan;
    restoreStages(this.main.stages, cp);
    for (const c of COUNTERS) stats[c] = cp.stats[c] ?? 0;
  }

  /** The position of the input being read, or of one just finished. */
  private savedReading(): SavedInput | null {
    const r = this.reading;
    if (r === null) return null;
    if (r.kind === 'events') {
      return { kind: 'kafka', name: r.input.name, offsets: [...this.offsets.values()].map((o) => [o.topic, o.partition, o.offset]) };
    }
    // still choosing the format: nothing of this run's text went through, the position is where it began
    if (r.decoder === null || r.format === null) return r.resumed;
    return { kind: 'text', name: r.input.name, format: r.format, position: r.input.position(), decoder: r.decoder.snapshot() };
  }

  private async maybeCheckpoint(): Promise<void> {
    const cp = this.plan.checkpoint;
    const ended = this.tasks ? this.ending : this.main.flushed;
    if (cp === null || this.stop || ended || Date.now() - this.lastCheckpoint < cp.everyMs) return;
    await this.checkpoint(false);
  }

  /**
   * Take a checkpoint: the state now, serialized at once; then the sink flushed, the checkpoint
   * made durable, and the Kafka positions it covers committed. `finished`: after the final flush.
   */
  private async checkpoint(finished: boolean): Promise<void> {
    if (this.tasks) return this.checkpointTasks(this.tasks, finished);
    const { plan } = this;
    const cp = plan.checkpoint!;
    const t0 = monotonicMs();
    const current = this.plan.inputs.indexOf(this.reading?.input as TextInput | EventInput);
    const inputs = this.saved.map((s, i) => (i === current ? this.savedReading() : s));
    const stats: { [k: string]: number } = {};
    for (const c of COUNTERS) stats[c] = plan.stats[c];
    const data: Checkpoint = {
      sluice: cp.version,
      fingerprint: cp.fingerprint,
      taken: Date.now(),
      sequence: ++this.sequence,
      finished,
      inputs,
      stages: finished ? carriedStages(this.main.stages) : snapshotStages(this.main.stages),
      stats,
    };
    // the store serializes synchronously, before anything else can change the state
    const saving = cp.store!.save(data);
    await plan.sink.flush();
    await plan.tees?.flush();
    await plan.deadLetter?.flush();
    const bytes = await saving;
    this.lastCheckpoint = Date.now();
    await this.commitAcknowledged();
    cp.saved?.(bytes, monotonicMs() - t0);
  }

  // ---- per-partition state

  /**
   * The input's partitions are now `partitions` (called at each assignment, before any of them is
   * fetched). Tasks of partitions no longer assigned are dropped, and nothing more is written for
   * them: their new owner resumes from their last checkpoint. A partition kept keeps its task,
   * unless another process wrote state for it meanwhile (a higher epoch: it had the partition in
   * between). Every other partition's task is restored from its checkpoint, or starts fresh.
   * Answers where each task's reading resumes (a fresh task: where --offset and the group say).
   */
  private assignPartitions(partitions: TopicPartition[]): Promise<PartitionOffset[]> {
    const tasks = this.tasks!;
    const cp = this.plan.checkpoint!;
    const store = cp.partitions!;
    return this.serial(async () => {
      const ids = partitions.map(partitionKey);
      const wanted = new Set(ids);
      for (const id of [...tasks.keys()]) if (!wanted.has(id)) tasks.delete(id);
      const saved = await store.load(ids);
      const out: PartitionOffset[] = [];
      for (const id of ids) {
        const rec = saved.get(id) ?? null;
        let task = tasks.get(id);
        if (task === undefined || (rec !== null && (rec.partition?.epoch ?? 0) > task.epoch)) {
          if (rec !== null) {
            // a stage's state layout may change between versions: never load one as another
            if (rec.sluice !== cp.version) {
              throw new UsageError(`--state ${store.name}: the state of ${id} was written by sluice ${rec.sluice}, this is sluice ${cp.version}: ` +
                'checkpoints are read by the version that wrote them. Finish the job with that version, or use another state topic or --group to start afresh');
            }
            checkFingerprint(rec, cp.fingerprint, store.name);
          }
          const t = this.restoredTask(id, rec, store.name);
          tasks.set(id, t);
          await this.counted(t, () => this.partitionChange(t, { kind: 'assigned', partition: id }));
          task = t;
        }
        if (task.position !== null) out.push(task.position);
      }
      return out;
    });
  }

  /** A partition's task: fresh stages, restored from its checkpoint if it has one. */
  private restoredTask(id: string, cp: Checkpoint | null, store: string): Task {
    // a window stage hands Stats its watermark table when built: this one is the task's
    const stats = this.plan.stats;
    const shown = stats.watermarks;
    stats.watermarks = null;
    const stages = this.plan.buildStages!();
    const task = newTask(id, stages, stats.watermarks);
    stats.watermarks = shown;
    if (cp === null) return task;
    const saved = cp.inputs[0];
    const at = saved?.kind === 'kafka' && saved.offsets.length === 1 ? saved.offsets[0]! : null;
    if (at === null || partitionKey({ topic: at[0], partition: at[1] }) !== id) {
      throw new DataError(`--state ${store}: the state of ${id} holds the position of ${at ? `${at[0]}/${at[1]}` : 'no partition'}`, store);
    }
    task.position = task.durable = { topic: at[0], partition: at[1], offset: at[2] };
    task.epoch = (cp.partition?.epoch ?? 0) + 1;
    task.sequence = cp.sequence;
    task.counters = { ...cp.stats };
    // a finished checkpoint: everything was flushed, the stages start afresh at its position
    restoreStages(task.stages, cp);
    return task;
  }

  /**
   * Per-partition checkpoint: each task that changed is snapshotted and the sink flushed; then,
   * unless the group says this process no longer owns the partitions (fence), the tasks'
   * checkpoints are written (inside the sink's transaction with --exactly-once) and only then
   * their offsets committed, so that `sluice kafka lag` is true and a partition without state
   * starts where its state would have.
   */
  private async checkpointTasks(tasks: Map<string, Task>, finished: boolean): Promise<void> {
    const { plan } = this;
    const cp = plan.checkpoint!;
    const input = this.taskInput!;
    const t0 = monotonicMs();
    const due = [...tasks.values()].filter((t) => t.position !== null && (t.dirty || finished)).sort(byPartition);
    // the stages are serialized by save(), below; nothing runs between here and there (work is serial)
    const data = due.map((t): Checkpoint => ({
      sluice: cp.version,
      fingerprint: cp.fingerprint,
      taken: Date.now(),
      sequence: t.sequence + 1,
      finished,
      inputs: [{ kind: 'kafka', name: input.name, offsets: [[t.position!.topic, t.position!.partition, t.position!.offset]] }],
      stages: finished ? carriedStages(t.stages) : snapshotStages(t.stages),
      stats: { ...t.counters },
      partition: { id: t.partition!, epoch: t.epoch },
    }));
    await plan.sink.flush();
    await plan.tees?.flush();
    await plan.deadLetter?.flush();
    this.lastCheckpoint = Date.now();
    if (due.length === 0) return;
    if (input.fence && !(await input.fence(due.map((t) => t.durable!)))) {
      // a rebalance is giving partitions away: the next assignment sorts out what is whose
      return;
    }
    const bytes = await cp.partitions!.save(data);
    for (const t of due) {
      t.sequence++;
      t.durable = t.position;
      t.dirty = false;
    }
    this.lastCheckpoint = Date.now();
    await input.commit(due.map((t) => t.position!));
    cp.saved?.(bytes, monotonicMs() - t0);
  }
}

/** A stage from `from` on will pass nothing more (head satisfied). */
function passesNothing(stages: Stage[], from: number): boolean {
  for (let j = from; j < stages.length; j++) {
    const s = stages[j]!;
    if (s.kind === 'stateful' && s.done?.() === true) return true;
  }
  return false;
}

function snapshotStages(stages: Stage[]): unknown[] {
  return stages.map((s) => (s.kind === 'stateful' ? s.snapshot() : null));
}

/** A finished checkpoint keeps only the state of stages that carry it past the end of input (running values); null when none does. */
function carriedStages(stages: Stage[]): unknown[] | null {
  return stages.some((s) => s.kind === 'stateful' && s.carries === true)
    ? stages.map((s) => (s.kind === 'stateful' && s.carries === true ? s.snapshot() : null))
    : null;
}

function restoreStages(stages: Stage[], cp: Checkpoint): void {
  if (cp.stages === null) return;
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!;
    if (s.kind === 'stateful' && (!cp.finished || s.carries === true)) s.restore(cp.stages[i]);
  }
}

/** The size of the file at `path`; 0 when it cannot be read (its reader reports that). */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
