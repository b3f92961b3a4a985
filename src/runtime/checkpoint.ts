// Checkpoints (--state PATH): the positions of every input, the state of every stateful stage and
// the --stats counters, taken between batches and written so that a crash at any moment leaves
// either the previous checkpoint or the new one, whole.
//
// A state file is `SLUICE-STATE` + a format number + the payload's length and SHA-256 + the
// payload, which is v8.serialize of a Checkpoint (structured clone: Maps, ±Infinity and typed
// arrays come back as they were). It is written to a temporary file, fsynced, the current file
// is renamed to PATH.prev, the temporary file renamed to PATH, and the directory fsynced. PATH.prev
// is what --exactly-once falls back to when the transaction of the newest checkpoint never
// committed (see Checkpointing in executor.ts). A file that is truncated, corrupt or not a sluice
// state is an error, never a silent fresh start; a state of another program or other inputs is a
// usage error naming what differs.
//
// With --state kafka://…/TOPIC there is one checkpoint per input partition instead (a
// PartitionStateStore; kafka/state-store.ts keeps them in a compacted topic): the same encoding,
// the same fingerprint check, one input position, and `partition` saying whose it is.

import { nodeCrypto } from '../core/builtins.js';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { DataError, UnavailableError, UsageError } from '../errors/errors.js';

const MAGIC = Buffer.from('SLUICE-STATE');
const FORMAT = 1;
const HEADER = MAGIC.length + 4 + 8 + 32;

/** What must match between a checkpoint and the run that restores it. */
export interface Fingerprint {
  /** the program in canonical form (spacing and the two forms of the language do not matter) */
  program: string;
  /** the inputs, as absolute paths or Kafka URIs, in order */
  inputs: string[];
  /** options that change what the state means (-I, --no-infer, --tz, --time-format, …) */
  options: { [name: string]: string };
}

/** One input's saved position. */
export type SavedInput =
  | { kind: 'text'; name: string; format: string | null; position: unknown; decoder: unknown }
  | { kind: 'kafka'; name: string; offsets: [topic: string, partition: number, next: number][] };

export interface Checkpoint {
  sluice: string;
  fingerprint: Fingerprint;
  /** wall-clock time it was taken, epoch ms */
  taken: number;
  /** how many checkpoints this job has taken, this one included */
  sequence: number;
  /** every input was read to its end and every stage flushed: a restart starts the stages afresh */
  finished: boolean;
  /** by input index; an input not yet begun has none */
  inputs: (SavedInput | null)[];
  /** by stage index: the state of each stateful stage (null for stateless ones; when finished, only stages that carry state past the end, or null) */
  stages: unknown[] | null;
  stats: { [counter: string]: number };
  /**
   * Per-partition state only: the input partition (`topic/partition`) this is the task of, and
   * the owner epoch: each process that takes the partition over writes with one more than the
   * epoch it restored, and a reader keeps the record with the highest epoch (then the newest), so
   * a late write of a process that lost the partition cannot hide its new owner's state.
   */
  partition?: { id: string; epoch: number };
}

export interface StateStore {
  /** how the user named it, for messages */
  readonly name: string;
  /**
   * The newest checkpoint first, then (with `previous`, which --exactly-once needs) the one before
   * it; [] when there is none. Without `previous` the one before is read only when the newest is
   * missing (a crash between the two renames of a save).
   */
  load(previous?: boolean): Promise<Checkpoint[]>;
  /** write a checkpoint durably; resolves once it survives a crash */
  save(cp: Checkpoint): Promise<number>;
}

/**
 * Per-partition state (--state kafka://…): one checkpoint per input partition, where the process
 * that is given the partition next can read it.
 */
export interface PartitionStateStore {
  /** how the user named it, for messages */
  readonly name: string;
  /**
   * The checkpoint of each of these partitions (`topic/partition`) that has one: of the records
   * written for a partition, the one with the highest epoch, of those the newest.
   */
  load(partitions: string[]): Promise<Map<string, Checkpoint>>;
  /**
   * Write checkpoints that carry `partition`: encoded when called, then written durably (into the
   * sink's open transaction with --exactly-once, durable once it commits). Resolves to their size.
   */
  save(checkpoints: Checkpoint[]): Promise<number>;
}

export function encodeCheckpoint(cp: Checkpoint): Buffer {
  const payload = serialize(cp);
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(FORMAT, MAGIC.length);
  head.writeBigUInt64BE(BigInt(payload.length), MAGIC.length + 4);
  nodeCrypto().createHash('sha256').update(payload).digest().copy(head, MAGIC.length + 12);
  return Buffer.concat([head, payload]);
}

/** The checkpoint in `buf`; `name` is for messages. Throws DataError (exit 65) when it is not whole. */
export function decodeCheckpoint(buf: Buffer, name: string): Checkpoint {
  const fresh = ` (move it away, or delete it, to start afresh)`;
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DataError(`--state ${name}: not a sluice state file${fresh}`, name);
  }
  if (buf.length < HEADER) throw new DataError(`--state ${name}: truncated (${buf.length} bytes)${fresh}`, name);
  const format = buf.readUInt32BE(MAGIC.length);
  if (format !== FORMAT) throw new DataError(`--state ${name}: state format ${format}, this sluice reads format ${FORMAT}${fresh}`, name);
  const length = Number(buf.readBigUInt64BE(MAGIC.length + 4));
  const payload = buf.subarray(HEADER);
  if (payload.length !== length) {
    throw new DataError(`--state ${name}: truncated (${payload.length} of ${length} bytes of state)${fresh}`, name);
  }
  const sum = nodeCrypto().createHash('sha256').update(payload).digest();
  if (!sum.equals(buf.subarray(MAGIC.length + 12, HEADER))) throw new DataError(`--state ${name}: corrupt (checksum mismatch)${fresh}`, name);
  try {
    return deserialize(payload) as Checkpoint;
  } catch (e) {
    throw new DataError(`--state ${name}: corrupt (${(e as Error).message})${fresh}`, name);
  }
}

/**
 * The differences between a saved fingerprint and this run's, as sentences; [] when the
 * checkpoint belongs to this program and these inputs.
 */
export function fingerprintDifferences(saved: Fingerprint, now: Fingerprint): string[] {
  const out: string[] = [];
  if (saved.program !== now.program) out.push(`the program was '${saved.program}', now it is '${now.program}'`);
  if (saved.inputs.join('\n') !== now.inputs.join('\n')) {
    out.push(`the inputs were ${saved.inputs.join(' ') || '(stdin)'}, now they are ${now.inputs.join(' ') || '(stdin)'}`);
  }
  const names = new Set([...Object.keys(saved.options), ...Object.keys(now.options)]);
  for (const n of [...names].sort()) {
    const a = saved.options[n] ?? '(not set)';
    const b = now.options[n] ?? '(not set)';
    if (a !== b) out.push(`${n} was ${a}, now ${b}`);
  }
  return out;
}

/** Refuse a checkpoint of another program or other inputs (exit 2), naming what differs. */
export function checkFingerprint(cp: Checkpoint, now: Fingerprint, store: string): void {
  const diff = fingerprintDifferences(cp.fingerprint, now);
  if (diff.length > 0) {
    throw new UsageError(
      `--state ${store} belongs to another job: ${diff.join('; ')}. ` +
      `Run the same program on the same inputs to resume, or use another --state path (or delete this one) to start afresh`,
    );
  }
}

/** A state file on the local disk; serves one process. */
export function fileStore(path: string): StateStore {
  const abs = resolve(path);
  const prev = `${abs}.prev`;
  /** `shown` is the path as the user gave it, for messages */
  const read = async (p: string, shown: string): Promise<Checkpoint | null> => {
    let buf: Buffer;
    try {
      buf = await readFile(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      throw new UnavailableError(`--state ${shown}: cannot read it: ${(e as Error).message}`);
    }
    return decodeCheckpoint(buf, shown);
  };
  return {
    name: path,
    async load(previous = false) {
      const out: Checkpoint[] = [];
      for (const [p, shown] of [[abs, path], [prev, `${path}.prev`]] as const) {
        if (out.length > 0 && !previous) break;
        const cp = await read(p, shown);
        if (cp) out.push(cp);
      }
      return out;
    },
    async save(cp) {
      const bytes = encodeCheckpoint(cp);
      const tmp = `${dirname(abs)}/.${basename(abs)}.tmp-${process.pid}`;
      try {
        const fh = await open(tmp, 'w', 0o644);
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        if (await stat(abs).then(() => true, () => false)) await rename(abs, prev);
        await rename(tmp, abs);
        const dir = await open(dirname(abs), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw new UnavailableError(`--state ${path}: cannot write the checkpoint: ${(e as Error).message}`);
      }
      return bytes.length;
    },
  };
}

/** Check before reading anything that the state's folder exists and can be written. */
export async function checkStatePath(path: string): Promise<void> {
  const dir = dirname(resolve(path));
  const st = await stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new UnavailableError(`--state ${path}: no such directory: ${dirname(path)}`);
  const probe = `${dir}/.sluice-probe-${process.pid}`;
  try {
    const fh = await open(probe, 'w');
    await fh.close();
    await unlink(probe);
  } catch (e) {
    throw new UnavailableError(`--state ${path}: cannot write in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const cur = await stat(resolve(path)).catch(() => null);
  if (cur?.isDirectory()) throw new UsageError(`--state ${path}: is a directory; give a file path such as ${path}/job.state`);
}

/**
 * --exactly-once: of the newest checkpoint and the one before it, the one whose Kafka positions are
 * the offsets the group committed, that is, whose transaction committed (a crash between writing
 * a checkpoint and committing its transaction leaves the newer one ahead of the group); null
 * when the group has committed nothing yet. `committed` maps `topic/partition` to the offset.
 *
 * `committed` must be read after the predecessor is fenced (TransactionalSink.prepareTransactions):
 * a transaction whose commit it sent before it died completes anyway, and read before that, the
 * offsets are those of the transaction before, which would pick the older checkpoint while the
 * newer one's output and offsets become visible. Read after, every partition a transaction of this
 * job committed is in the checkpoint that matches (a checkpoint holds every partition read since
 * the state began, and is written before its transaction commits): a committed partition that is
 * not in it was committed before this state began (the group was used without it, or the state
 * was deleted) and is rightly read on from its committed offset, as a fresh start would.
 */
export function committedCheckpoint(candidates: Checkpoint[], committed: Map<string, number>, path: string): Checkpoint | null {
  for (const cp of candidates) {
    const offsets = cp.inputs.flatMap((s) => (s?.kind === 'kafka' ? s.offsets : []));
    if (offsets.every(([t, p, o]) => committed.get(`${t}/${p}`) === o)) return cp;
  }
  // the first checkpoint's transaction never committed: nothing of this job is visible yet
  if (committed.size === 0) return null;
  throw new DataError(
    `--state ${path}: neither checkpoint matches the offsets that group committed with its last transaction ` +
    `(${[...committed].map(([k, o]) => `${k}@${o}`).join(', ')}); the state belongs to another run of the group. ` +
    `Delete it to start afresh from the committed offsets`, path);
}
