// --follow while the file changes under the reader: truncated and written again past the old
// offset within one poll (told by the first bytes, not the size), replaced by a directory.
// And the words for OS errors on inputs (exit 69, never `internal error`).

import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, UnavailableError, UsageError } from '../../src/errors/errors.js';
import { followInput } from '../../src/sources/follow.js';
import { checkReadable, fileInput } from '../../src/sources/text.js';
import { errnoCode, inputError } from '../../src/sources/os-error.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-follow-'));
  dirs.push(d);
  return d;
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `{"n":${from + i}}\n`).join('');

/** Pull chunks until `done(text)`; rejects with the input's error. */
async function readUntil(it: AsyncIterator<string>, acc: { text: string }, done: (t: string) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done(acc.text)) {
    if (Date.now() > deadline) throw new Error(`timed out; read so far: ${JSON.stringify(acc.text)}`);
    const r = await it.next();
    if (r.done) return;
    acc.text += r.value;
  }
}

/** A followed input being read: until() reads on until `done(text)`, stop() closes it. */
function reader(input: { chunks(): AsyncIterable<string>; close(): void }) {
  const it = input.chunks()[Symbol.asyncIterator]();
  const acc = { text: '' };
  return {
    get text() { return acc.text; },
    until: (done: (t: string) => boolean) => readUntil(it, acc, done),
    async stop() {
      input.close();
      await it.return?.(undefined);
    },
  };
}

describe('--follow: changes between two polls', () => {
  it('a file truncated and written again past the old offset is read again from its start: no line lost, none cut', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, lines(1, 6));
    const input = followInput(f, 150);
    const r = reader(input);
    await r.until((t) => t === lines(1, 6));
    // within one poll: the new content is longer than what was read, so its size says nothing
    writeFileSync(f, lines(7, 14));
    await r.until((t) => t.endsWith('{"n":14}\n'));
    await r.stop();
    expect(r.text).toBe(lines(1, 14));
  });

  it('the same bytes written again at the start (an append that looks like it) are not mistaken for a truncation', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, lines(1, 2));
    const input = followInput(f, 20);
    const r = reader(input);
    await r.until((t) => t === lines(1, 2));
    // rewritten in place, without a truncation, with the same first lines: as if appended
    const fd = openSync(f, 'r+');
    writeSync(fd, lines(1, 4), 0, 'utf8');
    closeSync(fd);
    await r.until((t) => t.endsWith('{"n":4}\n'));
    await new Promise((r) => setTimeout(r, 100));
    await r.stop();
    expect(r.text).toBe(lines(1, 4));
  });

  it('a last line without its newline ends at a truncation rather than running into the new first line', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, '{"n":1}\n{"n":2');
    const input = followInput(f, 20);
    const r = reader(input);
    await r.until((t) => t.endsWith('{"n":2'));
    writeFileSync(f, '');
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(f, '{"n":3}\n');
    await r.until((t) => t.endsWith('{"n":3}\n'));
    await r.stop();
    expect(r.text).toBe('{"n":1}\n{"n":2\n{"n":3}\n');
  });

  it('UTF-16 by its byte order mark, as it grows, after a truncation to UTF-8, and resumed mid-way', async () => {
    const f = join(tempDir(), 'app.log');
    const u16 = (t: string) => Buffer.from(t, 'utf16le');
    writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), u16('é1\n😀2\n')]));
    const input = followInput(f, 20, 3); // reads of 3 bytes: characters and surrogate pairs cut in two
    const r = reader(input);
    await r.until((t) => t.endsWith('2\n'));
    appendFileSync(f, u16('three\n'));
    await r.until((t) => t.endsWith('three\n'));
    const pos = input.position();
    expect(pos.offset).toBe(2 + u16('é1\n😀2\nthree\n').length);
    writeFileSync(f, 'plain\n'); // truncated, now UTF-8
    await r.until((t) => t.endsWith('plain\n'));
    await r.stop();
    expect(r.text).toBe('é1\n😀2\nthree\nplain\n');
    // a UTF-16 file resumed mid-way: the saved first bytes say the encoding
    const g = join(tempDir(), 'app16.log');
    writeFileSync(g, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(u16('one\n')).swap16()]));
    const a = followInput(g, 20);
    const first = reader(a);
    await first.until((t) => t === 'one\n');
    const saved = a.position();
    await first.stop();
    appendFileSync(g, Buffer.from(u16('two\n')).swap16());
    const b = followInput(g, 20);
    expect(await b.resume(saved)).toEqual([]);
    const rest = reader(b);
    await rest.until((t) => t.endsWith('\n'));
    await rest.stop();
    expect(rest.text).toBe('two\n');
  });

  it('a path replaced by a directory: the old file is read to its end, then exit 69 naming it', async () => {
    const f = join(tempDir(), 'app.log');
    writeFileSync(f, lines(1, 2));
    const input = followInput(f, 20);
    const r = reader(input);
    await r.until((t) => t === lines(1, 2));
    unlinkSync(f);
    mkdirSync(f);
    const err = await r.until(() => false).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).message).toBe(`cannot read '${f}': it was replaced by a directory`);
    expect((err as UnavailableError).exitCode).toBe(EXIT.unavailable);
    expect(r.text).toBe(lines(1, 2));
  });

  it('a missing path: exit 69', async () => {
    const f = join(tempDir(), 'none.log');
    const it = followInput(f, 20).chunks()[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(new UnavailableError(`cannot read '${f}': no such file`));
  });
});

describe('OS errors on inputs', () => {
  it('a file removed after the check, before it is read (ENOENT mid-run): exit 69 naming it', async () => {
    const f = join(tempDir(), 'gone.ndjson');
    writeFileSync(f, '{"a":1}\n');
    await checkReadable(f);
    unlinkSync(f);
    const it = fileInput(f).chunks()[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(new UnavailableError(`cannot read '${f}': no such file`));
  });

  it('a directory given as a file is refused before reading', async () => {
    const d = tempDir();
    await expect(checkReadable(d)).rejects.toThrow(new UnavailableError(`cannot read '${d}': it is a directory`));
  });

  const sys = (code: string, message: string) => Object.assign(new Error(message), { code, errno: -1, syscall: 'open' });

  it.each([
    ['EACCES', "EACCES: permission denied, open 'f'", "cannot read 'f': permission denied"],
    ['EPERM', "EPERM: operation not permitted, open 'f'", "cannot read 'f': permission denied"],
    ['EISDIR', 'EISDIR: illegal operation on a directory, read', "cannot read 'f': it is a directory"],
    ['ENOENT', "ENOENT: no such file or directory, open 'f'", "cannot read 'f': no such file"],
    ['EMFILE', "EMFILE: too many open files, open 'f'", "cannot read 'f': too many open files (raise `ulimit -n`)"],
    ['EIO', 'EIO: i/o error, read', "cannot read 'f': input/output error"],
    ['EWHATEVER', "EWHATEVER: something odd, open 'f'", "cannot read 'f': EWHATEVER (something odd)"],
  ])('%s is an unavailable input (exit 69) in words', (code, message, words) => {
    const e = inputError('f', sys(code, message));
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as UnavailableError).message).toBe(words);
    expect((e as UnavailableError).exitCode).toBe(69);
  });

  it('stdin is named as such; context is added in brackets', () => {
    expect((inputError('-', sys('EISDIR', 'EISDIR: illegal operation on a directory, read'), 'after 3 lines') as Error).message).toBe(
      'cannot read stdin: it is a directory (after 3 lines)',
    );
  });

  it('leaves sluice errors and non-OS errors alone', () => {
    const usage = new UsageError('x');
    expect(inputError('f', usage)).toBe(usage);
    const bug = new TypeError('x is undefined');
    expect(inputError('f', bug)).toBe(bug);
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeNull();
    expect(errnoCode(sys('ENOSPC', 'x'))).toBe('ENOSPC');
  });
});
