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

import { DataError } from '../errors/errors.js';
import type { BadInput, DecodeOptions, Decoder, DecoderFactory, Encoder } from '../formats/types.js';
import type { Stage, StatefulStage } from '../operators/types.js';
import type { EventSink, Sink } from '../sinks/sink.js';
import type { EventInput, MessageBatch, PartitionOffset } from '../sources/events.js';
import type { InputPosition, TextInput } from '../sources/text.js';
import { location, type Batch, type Event, type PartitionChange, type Source } from '../core/event.js';
import type { Stats } from '../core/stats.js';
import type { Checkpoint, Fingerprint, SavedInput, StateStore } from './checkpoint.js';

export type OnError = 'fail' | 'skip' | 'warn';

export interface BadRecord {
  raw: string;
  reason: string;
  location: string;
}

/** --state: where checkpoints go, how often, and the one to start from. */
export interface Checkpointing {
  store: StateStore;
  everyMs: number;
  fingerprint: Fingerprint;
  /** sluice's version, written into each checkpoint */
  version: string;
  /** the checkpoint this run resumes from (the CLI chose and checked it), or null for a fresh start */
  from: Checkpoint | null;
  /** told after each durable checkpoint: its size and how long it took */
  saved?(bytes: number, ms: number): void;
}

/** The --stats counters a checkpoint carries over. */
const COUNTERS = ['recordsIn', 'recordsOut', 'bad', 'typeErrors', 'assertFailures', 'late'] as const;

export interface RunPlan {
  inputs: (TextInput | EventInput)[];
  /** picks the decoder's format for an input once its first text is known */
  formatFor(input: TextInput, firstText: string): string;
  decoders: { readonly [format: string]: DecoderFactory };
  decode: DecodeOptions;
  stages: Stage[];
  /** turns records into text for a text sink (unused by an event sink) */
  encoder: Encoder;
  sink: Sink | EventSink;
  /**
   * Commit a message batch as soon as its output is acknowledged. False when a stateful stage
   * may hold its records (aggregates, windows, sort): then commits wait for the end of input.
   */
  commitPerBatch: boolean;
  stats: Stats;
  onError: OnError;
  /** records too late for their windows: dropped (counted) or sent to the dead-letter sink */
  late: 'drop' | 'dead-letter';
  /** the input is live (a pipe, a terminal, --follow): wall-clock ticks may emit results */
  live: boolean;
  /** receives bad records (the dead-letter sink), if any */
  deadLetter: ((bad: BadRecord) => Promise<void> | undefined) | null;
  /** a message on stderr */
  warn(message: string): void;
  /** set when SIGINT/SIGTERM arrives */
  interrupted(): boolean;
  /** --state; null without it */
  checkpoint: Checkpointing | null;
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

/** Where the input being read stands, for a checkpoint. */
type Reading =
  | { kind: 'text'; input: TextInput; format: string | null; decoder: Decoder | null; resumed: SavedInput | null }
  | { kind: 'events'; input: EventInput };

export class Executor {
  private stop: Stop | null = null;
  private pendingDeadLetters: Promise<void>[] = [];
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

  constructor(private readonly plan: RunPlan) {
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
    if (plan.deadLetter) {
      const p = plan.deadLetter({ raw, reason, location: where });
      if (p) this.pendingDeadLetters.push(p);
    }
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
      const p = plan.deadLetter({ raw: ev.raw ?? JSON.stringify(ev.value), reason, location: location(ev) });
      if (p) this.pendingDeadLetters.push(p);
    }
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
      await this.flushStages(0);
    } finally {
      if (timer) clearInterval(timer);
      await Promise.all(this.pendingDeadLetters);
    }
    if (plan.sink.kind === 'text') await this.write(plan.encoder.end());
    // everything derived from the input is written: what was read may now be committed
    if (plan.checkpoint) await this.checkpoint(true);
    else await this.commitAcknowledged();
  }

  /** Ticks and batches write in turn, so a tick never splits a batch's output. */
  private queue: Promise<void> = Promise.resolve();
  private serial(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(fn, fn);
    return this.queue;
  }

  /** Wall clock: let stages emit what became due (emit every, --idle). */
  private async tick(): Promise<void> {
    const stages = this.plan.stages;
    const now = Date.now();
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      const t = s.kind === 'stateful' ? s.tick : undefined;
      if (!t || this.flushed) continue;
      await this.flow(i, t(now));
    }
  }

  /** The input partitions changed (a file began or ended, Kafka assigned, revoked or read to the end). */
  private async partitionChange(change: PartitionChange): Promise<void> {
    const stages = this.plan.stages;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.kind !== 'stateful' || s.partition === undefined || this.flushed) continue;
      await this.flow(i, s.partition(change));
    }
  }

  /** What stage i gave, through the stages after it, to the sink. */
  private async flow(i: number, b: Batch): Promise<void> {
    const stages = this.plan.stages;
    for (let j = i + 1; j < stages.length && b.length > 0; j++) b = stages[j]!.push(b);
    await this.emit(b);
  }

  /** Read input i; true when reading should stop altogether. */
  private async readInput(i: number): Promise<boolean> {
    const input = this.plan.inputs[i]!;
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
    if (mb.changes) {
      for (const c of mb.changes) {
        // a partition another member now owns: committing its old position would undo the new owner's
        if (c.kind === 'revoked') this.offsetsOf(input).delete(c.partition);
        await this.partitionChange(c);
      }
    }
    const stop = mb.bad.length === 0
      ? await this.process(mb.events)
      : await this.processDecoded(mb.events, mb.bad.map((b) => ({ ...b, line: 0 })));
    const next = mb.next;
    if (next && !(this.stop && this.stop.line !== 0)) {
      // head N done part-way through: the position is after what it took, not what it never looked at
      const after = this.stoppedAfter;
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
    const decode = async (text: string, last: boolean): Promise<boolean> => {
      decoder ??= makeDecoder(plan.formatFor(input, text));
      decoder.write(text, batch);
      if (last) decoder.end(batch);
      let stop = false;
      await this.serial(async () => {
        stop = await this.processDecoded(batch, bads);
        if (!stop && !last) await this.maybeCheckpoint();
      });
      batch.length = 0;
      bads.length = 0;
      return stop;
    };
    await this.serial(() => this.partitionChange({ kind: 'assigned', partition: input.name }));
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
      if (!stop) await this.serial(() => this.partitionChange({ kind: 'ended', partition: input.name }));
      return stop;
    } catch (e) {
      if (plan.interrupted()) return true;
      if (e instanceof DataError && plan.onError !== 'fail') {
        this.bad('', e.message.replace(/^[^:]*: /, ''), input.name === '-' ? '(stdin)' : input.name, 0);
        return false;
      }
      throw e;
    }
  }

  /** Records and bad input of one chunk, in input order; true when no more input is wanted. */
  private async processDecoded(batch: Batch, bads: PendingBad[]): Promise<boolean> {
    let from = 0;
    for (const b of bads) {
      if (b.at > from) {
        if (await this.process(batch.slice(from, b.at))) return true;
        from = b.at;
      }
      this.bad(b.raw, b.reason, b.where, b.line);
      if (this.stop) return true;
    }
    return this.process(from === 0 ? batch : batch.slice(from));
  }

  /** Run a batch of decoded events through the pipeline; true when no more input is wanted. */
  private async process(batch: Batch): Promise<boolean> {
    const { plan } = this;
    plan.stats.recordsIn += batch.length;
    let b: Batch = batch;
    const stages = plan.stages;
    for (let i = 0; i < stages.length && b.length > 0; i++) {
      const hadStop = this.stop;
      b = stages[i]!.push(b);
      if (this.stop && this.stop !== hadStop) b = b.filter((e) => e.line < this.stop!.line);
    }
    await this.emit(b);
    if (this.stop || plan.sink.closed || plan.interrupted()) return true;
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i]!;
      if (s.kind === 'stateful' && s.done?.() === true) {
        this.stoppedAfter = s.lastTaken?.();
        // nothing can pass a finished stage: flush only what comes after it
        await this.flushStages(i + 1);
        return true;
      }
    }
    return false;
  }

  private flushed = false;
  /** The last record taken by the stage that ended reading early (head N), if it says. */
  private stoppedAfter: Event | undefined;

  /** End of input: flush stages from `from` on, each flush flowing through the later stages. */
  private async flushStages(from: number): Promise<void> {
    if (this.flushed) return;
    this.flushed = true;
    const stages = this.plan.stages;
    for (let i = from; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.kind === 'stateless') continue;
      await this.flow(i, s.end());
      if (this.stop) throw this.stop.error;
    }
  }

  private async emit(b: Batch): Promise<void> {
    if (b.length === 0) return;
    this.wroteSinceCommit = true;
    this.plan.stats.recordsOut += b.length;
    const sink = this.plan.sink;
    if (sink.kind === 'events') {
      const p = sink.write(b);
      if (p) await p;
    } else {
      await this.write(this.plan.encoder.write(b));
    }
  }

  private async write(text: string): Promise<void> {
    const sink = this.plan.sink;
    if (text.length === 0 || sink.kind !== 'text') return;
    const p = sink.write(text);
    if (p) await p;
  }

  // ---- checkpoints

  /** Load a checkpoint's stage states and counters (inputs resume as they are read). */
  private restore(cp: Checkpoint): void {
    const { stages, stats } = this.plan;
    if (cp.stages !== null) {
      for (let i = 0; i < stages.length; i++) {
        const s = stages[i]!;
        if (s.kind === 'stateful') s.restore(cp.stages[i]);
      }
    }
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
    if (cp === null || this.stop || this.flushed || Date.now() - this.lastCheckpoint < cp.everyMs) return;
    await this.checkpoint(false);
  }

  /**
   * Take a checkpoint: the state now, serialized at once; then the sink flushed, the checkpoint
   * made durable, and the Kafka positions it covers committed. `finished`: after the final flush.
   */
  private async checkpoint(finished: boolean): Promise<void> {
    const { plan } = this;
    const cp = plan.checkpoint!;
    const t0 = performance.now();
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
      stages: finished ? null : plan.stages.map((s) => (s.kind === 'stateful' ? s.snapshot() : null)),
      stats,
    };
    // the store serializes synchronously, before anything else can change the state
    const saving = cp.store.save(data);
    await plan.sink.flush();
    await Promise.all(this.pendingDeadLetters);
    const bytes = await saving;
    this.lastCheckpoint = Date.now();
    await this.commitAcknowledged();
    cp.saved?.(bytes, performance.now() - t0);
  }
}
