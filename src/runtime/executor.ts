// The pipeline executor. Text chunks from each input are decoded into a batch of events,
// the batch goes through the stages (each a synchronous batch -> batch function) and the
// encoder, and the text is handed to the sink; awaiting the sink is the backpressure. At the
// end of input every stage is flushed in order, each flush flowing through the stages after
// it. Bad input is handled here, once, by the --on-error policy.

import { DataError } from '../errors/errors.js';
import type { BadInput, DecodeOptions, Decoder, DecoderFactory, Encoder } from '../formats/types.js';
import type { Stage, StatefulStage } from '../operators/types.js';
import type { EventSink, Sink } from '../sinks/sink.js';
import type { EventInput, MessageBatch } from '../sources/events.js';
import type { TextInput } from '../sources/text.js';
import { location, type Batch, type Event, type Source } from '../core/event.js';
import type { Stats } from '../core/stats.js';

export type OnError = 'fail' | 'skip' | 'warn';

export interface BadRecord {
  raw: string;
  reason: string;
  location: string;
}

export interface RunPlan {
  inputs: (TextInput | EventInput)[];
  /** picks the decoder for an input once its first text is known */
  decoderFor(input: TextInput, firstText: string): DecoderFactory;
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

export class Executor {
  private stop: Stop | null = null;
  private pendingDeadLetters: Promise<void>[] = [];
  private chunkNow = Date.now();
  private readonly now = () => this.chunkNow;

  constructor(private readonly plan: RunPlan) {}

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
    const tickers = plan.stages.filter((s) => s.kind === 'stateful' && s.tick !== undefined) as StatefulStage[];
    const timer = plan.live && tickers.length > 0
      ? setInterval(() => void this.serial(() => this.tick()), Math.max(10, Math.min(...tickers.map((s) => s.tickMs ?? 1000))))
      : null;
    try {
      for (const input of plan.inputs) {
        if (await this.readInput(input)) break;
      }
      if (timer) clearInterval(timer);
      await this.queue;
      if (this.stop) throw this.stop.error;
      await this.flushStages(0);
    } finally {
      if (timer) clearInterval(timer);
      await Promise.all(this.pendingDeadLetters);
    }
    if (plan.sink.kind === 'text') await this.write(plan.encoder.end());
    // everything derived from the input is written: what was read may now be committed
    await this.commitAcknowledged();
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
      let b = t(now);
      for (let j = i + 1; j < stages.length && b.length > 0; j++) b = stages[j]!.push(b);
      await this.emit(b);
    }
  }

  /** Commits of batches whose output is not yet acknowledged, oldest first. */
  private pendingCommits: (() => Promise<void>)[] = [];

  /** Read one input; true when reading should stop altogether. */
  private async readInput(input: TextInput | EventInput): Promise<boolean> {
    if ('kind' in input) return this.readEvents(input);
    return this.readText(input);
  }

  /** A source of decoded messages (Kafka): process each batch, then commit what is acknowledged. */
  private async readEvents(input: EventInput): Promise<boolean> {
    try {
      for await (const mb of input.batches()) {
        let stop = false;
        await this.serial(async () => { stop = await this.processMessages(mb); });
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

  private async processMessages(mb: MessageBatch): Promise<boolean> {
    this.chunkNow = Date.now();
    const stop = mb.bad.length === 0
      ? await this.process(mb.events)
      : await this.processDecoded(mb.events, mb.bad.map((b) => ({ ...b, line: 0 })));
    const commit = mb.commit;
    if (commit) {
      // head N done part-way through: commit what it took, not what it never looked at
      const after = this.stoppedAfter;
      this.pendingCommits.push(() => commit(after));
    }
    if (this.plan.commitPerBatch && !this.stop) await this.commitAcknowledged();
    return stop;
  }

  /** Wait until the sink has everything written so far, then commit the batches behind it. */
  private async commitAcknowledged(): Promise<void> {
    if (this.pendingCommits.length === 0) return;
    await this.plan.sink.flush();
    const commits = this.pendingCommits;
    this.pendingCommits = [];
    for (const c of commits) await c();
  }

  private async readText(input: TextInput): Promise<boolean> {
    const { plan } = this;
    const source: Source = { name: input.name };
    let decoder: Decoder | null = null;
    let sniffBuffer = '';
    const batch: Batch = [];
    // bad input is held with its position among the decoded records and handled in turn, so
    // that what happens does not depend on how the input was cut into chunks
    const bads: PendingBad[] = [];
    const onBad: BadInput = (raw, reason, line) =>
      bads.push({ at: batch.length, raw, reason, line, where: location({ source, line, offset: -1, partition: -1 }) });
    const decode = async (text: string, last: boolean): Promise<boolean> => {
      if (decoder === null) decoder = plan.decoderFor(input, text)(source, plan.decode, onBad, this.now);
      decoder.write(text, batch);
      if (last) decoder.end(batch);
      let stop = false;
      await this.serial(async () => { stop = await this.processDecoded(batch, bads); });
      batch.length = 0;
      bads.length = 0;
      return stop;
    };
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
      this.chunkNow = Date.now();
      if (decoder === null && sniffBuffer.length === 0) return false;
      return await decode(sniffBuffer, true);
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
      let b = s.end();
      for (let j = i + 1; j < stages.length && b.length > 0; j++) b = stages[j]!.push(b);
      await this.emit(b);
      if (this.stop) throw this.stop.error;
    }
  }

  private async emit(b: Batch): Promise<void> {
    if (b.length === 0) return;
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
}
