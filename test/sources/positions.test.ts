// Input positions for checkpoints, on real files: read part of an input, save its position
// (through v8.serialize, as the state file does), open the input again, resume there and read
// the rest: nothing may be lost or read twice, a character cut in two by a read included.
// Changes made while "sluice was stopped" (appends, a file replaced, truncated, rotated) must be
// followed or refused as the contract says.

import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '../../src/errors/errors.js';
import { TEXT_PIECE, Utf8Text, decodeUtf8, fileInput, stdinInput, type InputPosition, type ResumableInput } from '../../src/sources/text.js';
import { followInput } from '../../src/sources/follow.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-positions-'));
  dirs.push(d);
  return d;
}

/** What a checkpoint keeps of a position. */
const saved = (pos: InputPosition): InputPosition => deserialize(serialize(pos)) as InputPosition;

/** Pulls text from an input, as the executor does, and stops where told. */
class Reader {
  text = '';
  chunks = 0;
  private readonly it: AsyncIterator<string>;

  constructor(readonly input: ResumableInput) {
    this.it = input.chunks()[Symbol.asyncIterator]();
  }

  /** Read `n` more chunks (fewer at the end); false at the end of the input. */
  async take(n: number): Promise<boolean> {
    for (let i = 0; i < n; i++) {
      const r = await this.it.next();
      if (r.done) return false;
      this.text += r.value;
      this.chunks++;
    }
    return true;
  }

  async rest(): Promise<string> {
    while (await this.take(1));
    return this.text;
  }

  /** Read until the text so far satisfies `done` (a followed file never ends), within a few seconds. */
  async until(done: (text: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (!done(this.text)) {
      const left = deadline - Date.now();
      const r = await Promise.race([this.it.next(), new Promise<'late'>((res) => setTimeout(() => res('late'), left))]);
      if (r === 'late') throw new Error(`timed out waiting for ${what}; read so far: ${JSON.stringify(this.text)}`);
      if (r.done) break;
      this.text += r.value;
      this.chunks++;
    }
    return this.text;
  }

  /** Stop as an interrupted run does: close, and let go of the iterator. */
  async stop(): Promise<void> {
    this.input.close();
    await this.it.return?.(undefined);
  }
}

describe('Utf8Text', () => {
  it('gives the text of the whole for any cutting of any bytes, and counts the bytes behind the text', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s))),
      fc.array(fc.constantFrom(0x41, 0x0a, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xe2, 0xed, 0xa0, 0xf0, 0xf4, 0xf5, 0x9f, 0x98, 0xff), { maxLength: 40 }).map((a) => new Uint8Array(a)),
      // mostly ASCII: reads that are all ASCII (decoded as Latin-1) next to reads that hold or finish a cut character
      fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('a', '{"k":1}', '\n', ' ', '\u007f', '\u0000') }, fc.constantFrom('é', '€', '😀', '\ufffd', '\xff', '\xc3')), { maxLength: 30 })
        .map((p) => new Uint8Array(Buffer.concat(p.map((x) => (x === '\xff' ? Buffer.from([0xff]) : x === '\xc3' ? Buffer.from([0xc3]) : Buffer.from(x)))))),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 8 }), (b, cuts) => {
        const buf = Buffer.from(b);
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((x, y) => x - y);
        const t = new Utf8Text();
        let text = '';
        let prev = 0;
        for (const p of [...points, buf.length]) {
          text += t.push(buf.subarray(prev, p));
          prev = p;
          // the text so far is exactly the text of the bytes counted
          expect(t.bytes + t.held).toBe(p);
          expect(t.held).toBeLessThanOrEqual(3);
          expect(text).toBe(new TextDecoder().decode(buf.subarray(0, t.bytes)));
        }
        text += t.end();
        expect(text).toBe(new TextDecoder().decode(buf));
        expect(text).toBe(buf.toString('utf8'));
        expect(t.bytes).toBe(buf.length);
        // replaced: the U+FFFD characters of the text that are not U+FFFD (EF BF BD) in the bytes
        expect(t.replaced).toBe((text.match(/\ufffd/g) ?? []).length - (buf.toString('latin1').match(/\xef\xbf\xbd/g) ?? []).length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeUtf8', () => {
  it('turns a large read into text chunks of about TEXT_PIECE bytes (regular strings for V8), the same text, characters cut between them included', async () => {
    const ascii = Buffer.from('{"a":1}\n'.repeat(40_000));
    const mixed = Buffer.from('é€😀x\n'.repeat(30_000));
    for (const read of [ascii, mixed, Buffer.concat([ascii, mixed, ascii])]) {
      const t = new Utf8Text();
      async function* reads() {
        yield read;
        yield Buffer.from('end');
      }
      const chunks: string[] = [];
      for await (const s of decodeUtf8(reads(), t)) chunks.push(s);
      expect(chunks.join('')).toBe(`${read.toString('utf8')}end`);
      expect(chunks.length).toBeGreaterThan(Math.floor(read.length / TEXT_PIECE));
      // (plus up to 3 bytes of a character cut at the end of the piece before)
      for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(TEXT_PIECE + 3);
      expect(t.bytes).toBe(read.length + 3);
      expect(t.replaced).toBe(0);
    }
  });
});

describe('a file: position and resume', () => {
  it('read part-way, resumed: the two parts make the file, wherever it stopped and however it is cut (multibyte characters across reads)', async () => {
    const dir = tempDir();
    const content = fc.array(fc.constantFrom('a', 'bc\n', 'é', '€', '😀', '\r\n', 'line ✓ ok\n', '\uFEFF', ' '), { maxLength: 60 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 9 }), fc.nat(30), async (text, size, stopAfter) => {
        const f = join(dir, 'in.txt');
        writeFileSync(f, text);
        const a = new Reader(fileInput(f, size));
        await a.take(stopAfter);
        const pos = saved(a.input.position());
        await a.stop();
        expect(pos.offset).toBe(Buffer.byteLength(a.text)); // no byte of a cut character counted
        expect(pos.gzip).toBe(false);
        const b = new Reader(fileInput(f, size));
        expect(await b.input.resume(pos)).toEqual([]);
        expect(a.text + (await b.rest())).toBe(text);
        expect(b.input.position()).toMatchObject({ offset: Buffer.byteLength(text), done: true, ino: pos.ino === '' ? expect.any(String) : pos.ino });
      }),
      { numRuns: 150 },
    );
  });

  it('UTF-16 by its byte order mark (plain or gzip): read part-way, resumed, the two parts make the text', async () => {
    const dir = tempDir();
    const content = fc.array(fc.constantFrom('a', 'bc\n', 'é', '€', '😀', '\r\n', 'line ✓ ok\n'), { maxLength: 40 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.nat(30), async (text, be, gz, size, stopAfter) => {
        const f = join(dir, 'in.txt');
        let bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
        if (be) bytes = Buffer.from(bytes).swap16();
        writeFileSync(f, gz ? gzipSync(bytes) : bytes);
        const a = new Reader(fileInput(f, size));
        await a.take(stopAfter);
        const pos = saved(a.input.position());
        await a.stop();
        const b = new Reader(fileInput(f, size));
        expect(await b.input.resume(pos)).toEqual([]);
        expect(a.text + (await b.rest())).toBe(text);
        expect(b.input.position().offset).toBe(bytes.length);
      }),
      { numRuns: 100 },
    );
  });

  it('counts bytes, not characters, with invalid UTF-8 in the file', async () => {
    const f = join(tempDir(), 'bad.txt');
    const bytes = Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x62, 0xe2, 0x82]);
    writeFileSync(f, bytes);
    for (let size = 1; size <= bytes.length; size++) {
      for (let stop = 0; stop <= bytes.length; stop++) {
        const a = new Reader(fileInput(f, size));
        await a.take(stop);
        const pos = saved(a.input.position());
        await a.stop();
        const b = new Reader(fileInput(f, size));
        await b.input.resume(pos);
        expect(a.text + (await b.rest())).toBe(bytes.toString('utf8'));
      }
    }
  });

  it('reads what was appended while stopped; an input read to its end says so', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, 'one\ntwo\n');
    const a = new Reader(fileInput(f));
    expect(await a.rest()).toBe('one\ntwo\n');
    const pos = saved(a.input.position());
    expect(pos).toMatchObject({ path: f, offset: 8, done: true, gzip: false, head: Buffer.from('one\ntwo\n').toString('hex') });
    appendFileSync(f, 'three\n');
    const b = new Reader(fileInput(f));
    await b.input.resume(pos);
    expect(await b.rest()).toBe('three\n');
    expect(b.input.position()).toMatchObject({ offset: 14, done: true, ino: pos.ino, head: Buffer.from('one\ntwo\nthree\n').toString('hex') });
  });

  it('a position taken before anything was read resumes from the start', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, 'x\n');
    const pos = saved(fileInput(f).position());
    expect(pos).toEqual({ path: f, dev: '', ino: '', head: '', offset: 0, gzip: false, done: false });
    const b = new Reader(fileInput(f));
    await b.input.resume(pos);
    expect(await b.rest()).toBe('x\n');
  });

  it('refuses another file at the path, a file shorter than the offset, and a file rewritten in place', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, 'first line\nsecond line\n');
    const a = new Reader(fileInput(f, 11));
    await a.take(1);
    const pos = saved(a.input.position());
    await a.stop();
    expect(pos.offset).toBe(11);

    const refusal = async (): Promise<UsageError> => {
      const err = await fileInput(f).resume(pos).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).message).toContain(`'${f}'`);
      expect((err as UsageError).message).toContain('delete the state file to start afresh');
      return err as UsageError;
    };

    // another file moved to the path (a new inode)
    writeFileSync(join(dir, 'other'), 'first line\nsecond line\nthird\n');
    renameSync(f, join(dir, 'app.log.old'));
    renameSync(join(dir, 'other'), f);
    expect((await refusal()).message).toMatch(/is not the file the saved state was read from \(inode \d+ on device \d+, now inode \d+/);

    // the same file, shorter than the offset
    renameSync(f, join(dir, 'other'));
    renameSync(join(dir, 'app.log.old'), f);
    truncateSync(f, 5);
    expect((await refusal()).message).toMatch(/is shorter \(5 bytes\) than where the saved state left it \(byte 11\)/);

    // the same file (inode), rewritten in place
    writeFileSync(f, 'FIRST LINE\nsecond line\n');
    expect((await refusal()).message).toMatch(/does not start with the bytes it started with/);

    // a state saved for another input
    await expect(fileInput(join(dir, 'other')).resume(pos)).rejects.toThrow(/saved state is for input/);
  });

  it('gzip: the offset counts decompressed bytes, and resume skips them', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log.gz');
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`{"n":${i},"s":"é😀 line ${i}"}\n`);
    const text = lines.join('');
    writeFileSync(f, gzipSync(text));
    for (const stopAfter of [0, 1, 3, 7]) {
      const a = new Reader(fileInput(f, 4096));
      await a.take(stopAfter);
      const pos = saved(a.input.position());
      await a.stop();
      expect(pos.offset).toBe(Buffer.byteLength(a.text));
      if (stopAfter > 0) expect(pos.gzip).toBe(true);
      const b = new Reader(fileInput(f, 4096));
      await b.input.resume(pos);
      expect(a.text + (await b.rest())).toBe(text);
      expect(b.input.position()).toMatchObject({ gzip: true, done: true, offset: Buffer.byteLength(text) });
    }
  });

  it('gzip: a file that no longer holds as many decompressed bytes is refused', async () => {
    const f = join(tempDir(), 'app.log.gz');
    writeFileSync(f, gzipSync('a'.repeat(100_000)));
    const a = new Reader(fileInput(f, 1024));
    await a.take(3);
    const pos = saved(a.input.position());
    await a.stop();
    expect(pos.offset).toBeGreaterThan(0);
    writeFileSync(f, gzipSync('a'.repeat(10))); // same inode, same first bytes, fewer bytes
    const b = new Reader(fileInput(f, 1024));
    const err = await b.input.resume(pos).then(() => b.rest()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/delete the state file to start afresh/);
  });
});

describe('stdin', () => {
  it('has a position (bytes read) but cannot resume: resume() does nothing', async () => {
    const input = stdinInput();
    expect(input.position()).toEqual({ path: '-', dev: '', ino: '', head: '', offset: 0, gzip: false, done: false });
    expect(await input.resume({ path: '-', dev: '', ino: '', head: '', offset: 123, gzip: false, done: false })).toEqual([]);
    expect(input.position().offset).toBe(0);
  });
});

describe('--follow: position and resume', () => {
  const follow = (f: string, chunkSize?: number) => followInput(f, 20, chunkSize);

  /** Follow `f` until `upTo` was read, and stop there as if killed; the saved position. */
  async function readThenStop(f: string, upTo: string, chunkSize?: number): Promise<InputPosition> {
    const a = new Reader(follow(f, chunkSize));
    await a.until((t) => t.endsWith(upTo), `'${upTo}'`);
    const pos = saved(a.input.position());
    await a.stop();
    return pos;
  }

  it('goes on where it stopped and reads lines appended since, a character cut by a read included', async () => {
    const dir = tempDir();
    const text = 'é1\n€2\n😀3\n';
    for (let size = 1; size <= 5; size++) {
      // how many chunks the text comes in (a read that ends inside a character may give none)
      writeFileSync(join(dir, 'count.log'), text);
      const count = new Reader(follow(join(dir, 'count.log'), size));
      await count.until((t) => t === text, 'the whole text');
      await count.stop();
      for (let stopAfter = 1; stopAfter <= count.chunks; stopAfter++) {
        const f = join(dir, `app-${size}-${stopAfter}.log`);
        writeFileSync(f, text);
        const a = new Reader(follow(f, size));
        await a.take(stopAfter);
        const pos = saved(a.input.position());
        await a.stop();
        expect(pos.offset).toBe(Buffer.byteLength(a.text));
        appendFileSync(f, 'four\n');
        const b = new Reader(follow(f, size));
        expect(await b.input.resume(pos)).toEqual([]);
        await b.until((t) => t.endsWith('four\n'), 'the appended line');
        await b.stop();
        expect(a.text + b.text).toBe(text + 'four\n');
      }
    }
  });

  it('rotated while stopped: the rest of the old file (found by inode beside the new one), then the new file', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, '1\n2\n');
    const pos = await readThenStop(f, '2\n');
    appendFileSync(f, '3\n'); // written before the rotation, never read
    renameSync(f, f + '.1');
    writeFileSync(f, '4\n');
    const b = new Reader(follow(f));
    expect(await b.input.resume(pos)).toEqual([]);
    expect(b.input.position()).toMatchObject({ ino: pos.ino, offset: 4 }); // still the old file
    await b.until((t) => t.endsWith('4\n'), 'the new file');
    appendFileSync(f, '5\n');
    await b.until((t) => t.endsWith('5\n'), 'a line appended to the new file');
    expect(b.input.position().ino).not.toBe(pos.ino);
    await b.stop();
    expect(b.text).toBe('3\n4\n5\n');
  });

  it('rotated twice while stopped: the rest of the old file, then the file rotated after it, then the new file', async () => {
    // the crash test's flake: runs killed before their first checkpoint let two rotations pass
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f + '.0', 'old\n'); // rotated before: already read
    await new Promise((res) => setTimeout(res, 20)); // later modification times, as between two rotations
    writeFileSync(f, '1\n2\n');
    const pos = await readThenStop(f, '2\n');
    appendFileSync(f, '3\n');
    renameSync(f, f + '.1');
    writeFileSync(f, '4\n');
    await new Promise((res) => setTimeout(res, 20));
    appendFileSync(f, '5\n');
    renameSync(f, f + '.2');
    writeFileSync(f, '6\n');
    writeFileSync(join(dir, 'other.log'), 'x\n'); // not a rotated app.log
    writeFileSync(f + '.1.gz', 'zzz\n'); // compressed by logrotate: not read as text
    const b = new Reader(follow(f));
    expect(await b.input.resume(pos)).toEqual([]);
    await b.until((t) => t.endsWith('6\n'), 'the new file');
    appendFileSync(f, '7\n');
    await b.until((t) => t.endsWith('7\n'), 'a line appended to the new file');
    await b.stop();
    expect(b.text).toBe('3\n4\n5\n6\n7\n');
  });

  it('stopped while still reading a rotated file: resumes in that file, then the new one', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, '1\n2\n');
    const a = new Reader(follow(f, 2));
    await a.until((t) => t.endsWith('2\n'), 'the first lines');
    const before = a.input.position();
    appendFileSync(f, '3\n3\n3\n');
    renameSync(f, f + '.1');
    writeFileSync(f, '4\n');
    await a.until((t) => t.endsWith('3\n'), 'a line of the rotated file');
    const pos = saved(a.input.position());
    await a.stop();
    expect(pos).toMatchObject({ ino: before.ino, offset: 6 });
    const b = new Reader(follow(f, 2));
    expect(await b.input.resume(pos)).toEqual([]);
    await b.until((t) => t.endsWith('4\n'), 'the new file');
    await b.stop();
    expect(a.text + b.text).toBe('1\n2\n3\n3\n3\n4\n');
  });

  it('the old file gone: the new file from its start, and a warning saying from which byte the old one was not read', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, '1\n2\n');
    const pos = await readThenStop(f, '2\n');
    appendFileSync(f, 'lost\n');
    renameSync(f, join(tempDir(), 'app.log.1')); // rotated into another directory: out of reach
    writeFileSync(f, 'new\n');
    const b = new Reader(follow(f));
    const warnings = await b.input.resume(pos);
    expect(warnings).toEqual([
      `'${f}' was rotated while sluice was stopped and the file it was reading (inode ${pos.ino}) is no longer in '${dir}': what was written to it after byte 4 was not read; reading the new '${f}' from its start`,
    ]);
    await b.until((t) => t.endsWith('new\n'), 'the new file');
    await b.stop();
    expect(b.text).toBe('new\n');
  });

  it('deleted and created again while stopped, perhaps with the same inode (tmpfs reuses them): never read from the old offset', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, 'old one\nold two\n');
    const pos = await readThenStop(f, 'two\n');
    unlinkSync(f);
    writeFileSync(f, 'new one\nnew two\nnew three\n');
    const b = new Reader(follow(f));
    const warnings = await b.input.resume(pos);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/replaced or rewritten while sluice was stopped|is no longer in/);
    await b.until((t) => t.endsWith('three\n'), 'the new file');
    await b.stop();
    expect(b.text).toBe('new one\nnew two\nnew three\n');
  });

  it('truncated while stopped: from the start, with a warning', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, 'one\ntwo\n');
    const pos = await readThenStop(f, 'two\n');
    truncateSync(f, 0);
    appendFileSync(f, 'x\n');
    const b = new Reader(follow(f));
    expect(await b.input.resume(pos)).toEqual([`'${f}' was truncated while sluice was stopped (2 bytes, read up to byte 8): reading it from its start`]);
    await b.until((t) => t.endsWith('x\n'), 'the rewritten file');
    await b.stop();
    expect(b.text).toBe('x\n');
  });

  it('rewritten in place while stopped (same inode, as long or longer): from the start, with a warning', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, 'one\ntwo\n');
    const pos = await readThenStop(f, 'two\n');
    writeFileSync(f, 'ONE\nTWO\nthree\n');
    const b = new Reader(follow(f));
    const warnings = await b.input.resume(pos);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/was replaced or rewritten while sluice was stopped \(same inode, but it no longer starts with the bytes it did; read up to byte 8\)/);
    await b.until((t) => t.endsWith('three\n'), 'the rewritten file');
    await b.stop();
    expect(b.text).toBe('ONE\nTWO\nthree\n');
  });

  it('still follows append, truncation and rotation while running, and keeps its position through them', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.log');
    writeFileSync(f, 'a\n');
    const r = new Reader(follow(f));
    await r.until((t) => t.endsWith('a\n'), 'a');
    const first = r.input.position();
    appendFileSync(f, 'b\n');
    await r.until((t) => t.endsWith('b\n'), 'b');
    expect(r.input.position()).toMatchObject({ ino: first.ino, offset: 4 });
    writeFileSync(f, 'c\n'); // truncated and rewritten
    await r.until((t) => t.endsWith('c\n'), 'c');
    expect(r.input.position()).toMatchObject({ ino: first.ino, offset: 2 });
    appendFileSync(f, 'd\n');
    renameSync(f, f + '.1');
    writeFileSync(f, 'e\n');
    await r.until((t) => t.endsWith('e\n'), 'e');
    expect(r.input.position().ino).not.toBe(first.ino);
    expect(r.input.position().offset).toBe(2);
    await r.stop();
    expect(r.text).toBe('a\nb\nc\nd\ne\n');
  });
});
