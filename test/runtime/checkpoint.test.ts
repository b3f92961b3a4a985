// The state file: written whole or not at all, and never read when it is not whole or not ours.

import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkFingerprint, checkStatePath, committedCheckpoint, decodeCheckpoint, encodeCheckpoint, fileStore, fingerprintDifferences,
  type Checkpoint, type Fingerprint,
} from '../../src/runtime/checkpoint.js';
import { DataError, UnavailableError, UsageError } from '../../src/errors/errors.js';

const fp: Fingerprint = { program: 'window tumbling 1m on ts | count() by k', inputs: ['/data/a.ndjson'], options: { '-I': 'auto' } };

function checkpoint(sequence: number, extra: Partial<Checkpoint> = {}): Checkpoint {
  return {
    sluice: '0.1.0', fingerprint: fp, taken: 1_700_000_000_000 + sequence, sequence, finished: false,
    inputs: [{ kind: 'text', name: 'a.ndjson', format: 'ndjson', position: { offset: 10 * sequence }, decoder: { line: sequence } }],
    stages: [new Map<unknown, unknown>([['a', { sum: -Infinity, xs: new Float64Array([1.5, NaN]) }]]), null],
    stats: { recordsIn: sequence },
    ...extra,
  };
}

const dir = () => mkdtempSync(join(tmpdir(), 'sluice-state-'));

describe('checkpoint encoding', () => {
  it('round-trips Maps, typed arrays, -Infinity and NaN', () => {
    const cp = checkpoint(3);
    expect(decodeCheckpoint(encodeCheckpoint(cp), 's')).toEqual(cp);
  });

  it('a foreign file, a truncated one, a flipped byte and an unknown format are errors (exit 65), never a fresh start', () => {
    const good = encodeCheckpoint(checkpoint(1));
    expect(() => decodeCheckpoint(Buffer.from('{"not":"ours"}'), 's')).toThrow(/not a sluice state file/);
    expect(() => decodeCheckpoint(good.subarray(0, 20), 's')).toThrow(/truncated \(20 bytes\)/);
    expect(() => decodeCheckpoint(good.subarray(0, good.length - 7), 's')).toThrow(/truncated \(\d+ of \d+ bytes of state\)/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3]! ^= 0x40;
    expect(() => decodeCheckpoint(flipped, 's')).toThrow(/corrupt \(checksum mismatch\)/);
    const future = Buffer.from(good);
    future.writeUInt32BE(99, 'SLUICE-STATE'.length);
    expect(() => decodeCheckpoint(future, 's')).toThrow(/state format 99/);
    try {
      decodeCheckpoint(flipped, 's');
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).exitCode).toBe(65);
      expect((e as Error).message).toMatch(/delete it, to start afresh/);
    }
  });
});

describe('fingerprints', () => {
  it('name each difference: program, inputs, options', () => {
    const now: Fingerprint = { program: 'count() by k', inputs: ['/data/b.ndjson'], options: { '-I': 'csv', '--tz': 'Europe/Paris' } };
    expect(fingerprintDifferences(fp, fp)).toEqual([]);
    expect(fingerprintDifferences(fp, now)).toEqual([
      "the program was 'window tumbling 1m on ts | count() by k', now it is 'count() by k'",
      'the inputs were /data/a.ndjson, now they are /data/b.ndjson',
      '--tz was (not set), now Europe/Paris',
      '-I was auto, now csv',
    ]);
    expect(() => checkFingerprint(checkpoint(1), now, 's.state')).toThrow(UsageError);
    expect(() => checkFingerprint(checkpoint(1), now, 's.state')).toThrow(/--state s\.state belongs to another job: the program was/);
  });
});

describe('the state file store', () => {
  it('keeps the newest and the one before it, atomically, with no temporary file left', async () => {
    const d = dir();
    const store = fileStore(join(d, 'job.state'));
    expect(await store.load()).toEqual([]);
    await store.save(checkpoint(1));
    expect((await store.load()).map((c) => c.sequence)).toEqual([1]);
    await store.save(checkpoint(2));
    await store.save(checkpoint(3));
    expect((await store.load(true)).map((c) => c.sequence)).toEqual([3, 2]);
    expect((await store.load()).map((c) => c.sequence)).toEqual([3]);
    expect(readdirSync(d).sort()).toEqual(['job.state', 'job.state.prev']);
  });

  it('a crash between the two renames leaves only .prev: it is loaded', async () => {
    const d = dir();
    const store = fileStore(join(d, 'job.state'));
    await store.save(checkpoint(1));
    writeFileSync(join(d, 'job.state.prev'), readFileSync(join(d, 'job.state')));
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(d, 'job.state'));
    expect((await store.load()).map((c) => c.sequence)).toEqual([1]);
  });

  it('a corrupt newest checkpoint is an error even when .prev is fine', async () => {
    const d = dir();
    const store = fileStore(join(d, 'job.state'));
    await store.save(checkpoint(1));
    await store.save(checkpoint(2));
    writeFileSync(join(d, 'job.state'), readFileSync(join(d, 'job.state')).subarray(0, 100));
    await expect(store.load()).rejects.toThrow(/truncated/);
  });

  it('the one before the newest is read only when asked (--exactly-once): a damaged .prev does not stop a plain restart', async () => {
    const d = dir();
    const store = fileStore(join(d, 'job.state'));
    await store.save(checkpoint(1));
    await store.save(checkpoint(2));
    writeFileSync(join(d, 'job.state.prev'), readFileSync(join(d, 'job.state.prev')).subarray(0, 100));
    expect((await store.load()).map((c) => c.sequence)).toEqual([2]);
    await expect(store.load(true)).rejects.toThrow(/job\.state\.prev: truncated/);
  });

  it('checks the folder before anything is read', async () => {
    const d = dir();
    await expect(checkStatePath(join(d, 'no', 'such', 'job.state'))).rejects.toThrow(UnavailableError);
    await expect(checkStatePath(d)).rejects.toThrow(/is a directory/);
    await expect(checkStatePath(join(d, 'job.state'))).resolves.toBeUndefined();
    expect(existsSync(join(d, 'job.state'))).toBe(false);
  });
});

describe('--exactly-once: the checkpoint whose transaction committed', () => {
  const kafkaCp = (sequence: number, offsets: [string, number, number][]) =>
    checkpoint(sequence, { inputs: [{ kind: 'kafka', name: 't', offsets }] });
  const newest = kafkaCp(5, [['t', 0, 50], ['t', 1, 40]]);
  const before = kafkaCp(4, [['t', 0, 30], ['t', 1, 40]]);

  it('the newest when the group committed its offsets', () => {
    expect(committedCheckpoint([newest, before], new Map([['t/0', 50], ['t/1', 40]]), 's')).toBe(newest);
  });

  it('the one before when the newest transaction never committed (a crash between the two)', () => {
    expect(committedCheckpoint([newest, before], new Map([['t/0', 30], ['t/1', 40]]), 's')).toBe(before);
  });

  it('none when the group has committed nothing (the first transaction never committed)', () => {
    expect(committedCheckpoint([kafkaCp(1, [['t', 0, 10]])], new Map(), 's')).toBeNull();
  });

  it('an error when neither matches: the state belongs to another run of the group', () => {
    expect(() => committedCheckpoint([newest, before], new Map([['t/0', 99]]), 's')).toThrow(/neither checkpoint matches the offsets that group committed .*t\/0@99/);
  });
});
