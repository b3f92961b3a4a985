// --follow: read a file and keep reading as it grows, like `tail -F`. When the file is
// truncated it is read again from the start; when it is replaced (log rotation: a new inode
// at the path) the old file is read to its end and the new one from its start. A missing
// path while rotating is waited for. Polling (every 100 ms) is used rather than fs.watch,
// whose events are unreliable across platforms and network file systems.
//
// The position is that of the file being read (device, inode, offset), which may be a rotated
// file no longer at the path. On resume, a file still at the path goes on at the offset; one
// rotated away while sluice was stopped is looked for by device and inode among the files of
// the same directory (app.log.1), read from the offset to its end, then the files rotated after
// it while sluice was stopped (rotated names of the path modified later, oldest first: a file
// that went through two rotations is not skipped), and then the new file at the path from its
// start. What cannot be read again is reported as a warning.

import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UnavailableError } from '../errors/errors.js';
import { errnoCode, inputError } from './os-error.js';
import { Utf16Text, encodingOf, type Encoding, type TextBytes } from './encoding.js';
import { CHUNK, FirstBytes, Utf8Text, checkPath, sameFile, startsWith, type InputPosition, type ResumableInput } from './text.js';

export function followInput(path: string, pollMs = 100, chunkSize = CHUNK): ResumableInput {
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = () => new Promise<void>((resolve) => {
    const t = setTimeout(() => { wake = null; resolve(); }, pollMs);
    wake = () => { clearTimeout(t); wake = null; resolve(); };
  });

  // the file being read: its handle and identity, its first bytes, how far it was read, and
  // the bytes of a character cut in two by the last read (not yet text)
  let fh: FileHandle | null = null;
  let dev = '';
  let ino = '';
  let first = new FirstBytes();
  let pos = 0;
  let text: TextBytes = new Utf8Text();
  let replacedBefore = 0; // in the files read before this one
  let reading = false;
  // resumed in a rotated file: the files rotated after it, to read before the one at the path
  let later: string[] = [];

  /** Read `f` from `at` from now on. */
  function use(f: FileHandle, st: BigIntStats, at: number, head = ''): void {
    fh = f;
    dev = String(st.dev);
    ino = String(st.ino);
    pos = at;
    first = new FirstBytes(head);
    // mid-way through a file, its byte order mark (in the saved first bytes) says the encoding
    setText(at > 0 ? encodingOf(path, Buffer.from(head, 'hex')) : 'utf-8', false);
  }

  /** Decode what follows as `encoding` (UTF-16 after its byte order mark when `atStart`). */
  function setText(encoding: Encoding, atStart: boolean): void {
    replacedBefore += text.replaced;
    text = encoding === 'utf-8' ? new Utf8Text() : new Utf16Text(encoding, atStart);
  }

  /** Open the file now at the path; null while there is none (rotation under way). */
  async function openPath(): Promise<FileHandle | null> {
    const f = await open(path, 'r').catch((e: unknown) => {
      if (errnoCode(e) === 'ENOENT') return null;
      throw e;
    });
    if (f === null) return null;
    const st = await f.stat({ bigint: true });
    if (!st.isFile()) {
      await f.close();
      throw new UnavailableError(`cannot read '${path}': it was replaced by ${st.isDirectory() ? 'a directory' : 'something that is not a file'}`);
    }
    use(f, st, 0);
    return f;
  }

  /** The next file to read after a rotated one: a file rotated after it, else the one at the path. */
  async function openNext(): Promise<FileHandle | null> {
    while (later.length > 0) {
      const f = await open(later.shift()!, 'r').catch(() => null);
      if (f !== null) {
        use(f, await f.stat({ bigint: true }), 0);
        return f;
      }
    }
    return openPath();
  }

  /**
   * Has the file changed under the reader since the last read? 'rotated': another file (device
   * and inode) is at the path; 'truncated': the file is shorter than the offset, or it no longer
   * starts with the bytes it started with (truncated and written again past the offset between
   * two polls, which its size alone cannot tell), as Vector and Fluent Bit check a fingerprint.
   */
  async function changed(f: FileHandle): Promise<'rotated' | 'truncated' | null> {
    const atPath = await stat(path, { bigint: true }).catch((e: unknown) => {
      if (errnoCode(e) === 'ENOENT') return null;
      throw e;
    });
    if (atPath !== null && (String(atPath.ino) !== ino || String(atPath.dev) !== dev)) return 'rotated';
    if ((await f.stat({ bigint: true })).size < BigInt(pos)) return 'truncated';
    return (await startsWith(f, first.hex())) ? null : 'truncated';
  }

  async function* read(): AsyncGenerator<string> {
    reading = true;
    let rotated = false;
    let endsLine = true; // the text yielded so far ends with a newline
    const buf = Buffer.alloc(chunkSize);
    try {
      if (fh === null && (await openPath()) === null) throw new UnavailableError(`cannot read '${path}': no such file`);
      while (!stopped) {
        const f = fh!;
        // checked before every read (a stat of the path, and of the file with its first bytes):
        // the file may have been replaced, or truncated and written again past the offset,
        // since the last read or while sluice slept
        const change = rotated || pos === 0 ? null : await changed(f);
        if (change === 'rotated') {
          // lines may have gone to the old file after the last read and before it was renamed,
          // so read it to its end once more before switching
          rotated = true;
        } else if (change === 'truncated') {
          // read again from the start (what was appended before the truncation and not yet
          // read is gone, as with tail -F)
          const tail = text.end() + (endsLine ? '' : '\n');
          endsLine = true;
          if (tail.length > 0) yield tail;
          pos = 0;
          first = new FirstBytes();
        }
        const { bytesRead } = await f.read(buf, 0, buf.length, pos);
        if (bytesRead > 0) {
          const b = buf.subarray(0, bytesRead);
          if (pos === 0) setText(encodingOf(path, b), true); // a file read from its start: its byte order mark
          first.take(b, pos);
          pos += bytesRead;
          const s = text.push(b); // the text is a copy: buf can be read into again
          if (s.length > 0) {
            endsLine = s.charCodeAt(s.length - 1) === 10;
            yield s;
          }
          continue;
        }
        if (rotated) {
          // the old file is read to its end: continue with the new one; a last line without
          // its newline ends there rather than running into the new file's first line
          const tail = text.end() + (endsLine ? '' : '\n');
          endsLine = true;
          if (tail.length > 0) yield tail;
          if ((await openNext()) === null) {
            await sleep(); // gone again: wait for it, still on the old file
            continue;
          }
          rotated = false;
          await f.close();
          continue;
        }
        await sleep();
      }
    } catch (e) {
      throw inputError(path, e);
    } finally {
      await fh?.close();
    }
  }

  /** Go on in `f` (the saved file) at the saved offset, or from its start if it was truncated or rewritten. */
  async function goOn(f: FileHandle, st: BigIntStats, saved: InputPosition, name: string, warnings: string[]): Promise<void> {
    if (st.size < BigInt(saved.offset)) {
      warnings.push(`${name} was truncated while sluice was stopped (${st.size} bytes, read up to byte ${saved.offset}): reading it from its start`);
      use(f, st, 0);
    } else if (!(await startsWith(f, saved.head))) {
      warnings.push(`${name} was replaced or rewritten while sluice was stopped (same inode, but it no longer starts with the bytes it did; read up to byte ${saved.offset}): reading it from its start`);
      use(f, st, 0);
    } else {
      use(f, st, saved.offset, saved.head);
    }
  }

  return {
    name: path,
    path,
    chunks: read,
    close() {
      stopped = true;
      wake?.();
      if (fh !== null && !reading) void fh.close().catch(() => undefined);
    },
    position: () => ({ path, dev, ino, head: first.hex(), offset: pos - text.held, gzip: false, done: false }),
    replaced: () => replacedBefore + text.replaced,
    replacedLines: () => text.fragments.splice(0),
    async resume(saved) {
      checkPath(path, saved);
      if (saved.ino === '') return [];
      const warnings: string[] = [];
      const f = await open(path, 'r').catch(() => null);
      if (f !== null) {
        const st = await f.stat({ bigint: true });
        if (sameFile(st, saved)) {
          await goOn(f, st, saved, `'${path}'`, warnings);
          return warnings;
        }
        await f.close();
      }
      // rotated while sluice was stopped: the old file may still be beside the new one
      const old = await findFile(path, saved);
      if (old !== null) {
        await goOn(old.fh, old.st, saved, `'${old.name}' (rotated from '${path}')`, warnings);
        later = await rotatedAfter(path, old.st);
        return warnings;
      }
      warnings.push(
        `'${path}' was rotated while sluice was stopped and the file it was reading (inode ${saved.ino}) is no longer in ` +
          `'${dirname(path)}': what was written to it after byte ${saved.offset} was not read; reading the new '${path}' from its start`,
      );
      return warnings;
    },
  };
}

/**
 * The files rotated from `path` after `old` (named `path.SOMETHING`, not compressed, last modified
 * after it; not the file at the path), oldest first by modification and then creation time.
 */
async function rotatedAfter(path: string, old: BigIntStats): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const atPath = await stat(path, { bigint: true }).catch(() => null);
  const found: { p: string; st: BigIntStats }[] = [];
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    if (!n.startsWith(`${base}.`) || /\.(gz|bz2|xz|zst|lz4|z)$/i.test(n)) continue;
    const p = join(dir, n);
    const st = await stat(p, { bigint: true }).catch(() => null);
    if (st === null || !st.isFile() || (st.dev === old.dev && st.ino === old.ino)) continue;
    if (atPath !== null && st.dev === atPath.dev && st.ino === atPath.ino) continue;
    const newer = st.mtimeNs > old.mtimeNs || (st.mtimeNs === old.mtimeNs && st.birthtimeNs > old.birthtimeNs);
    if (newer) found.push({ p, st });
  }
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  found.sort((a, b) => cmp(a.st.mtimeNs, b.st.mtimeNs) || cmp(a.st.birthtimeNs, b.st.birthtimeNs) || (a.p < b.p ? -1 : 1));
  return found.map((f) => f.p);
}

/** The file of a saved position among the files beside `path` (rotated names first), checked by its first bytes. */
async function findFile(path: string, saved: InputPosition): Promise<{ fh: FileHandle; st: BigIntStats; name: string } | null> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const likely = (n: string) => (n.startsWith(base) ? 0 : 1);
  names.sort((a, b) => likely(a) - likely(b));
  for (const n of names) {
    if (n === base) continue;
    const p = join(dir, n);
    const st = await stat(p, { bigint: true }).catch(() => null);
    if (st === null || !st.isFile() || !sameFile(st, saved)) continue;
    const f = await open(p, 'r').catch(() => null);
    if (f === null) continue;
    const fst = await f.stat({ bigint: true });
    if (sameFile(fst, saved) && (await startsWith(f, saved.head))) return { fh: f, st: fst, name: p };
    await f.close(); // another file that was given the inode
    return null;
  }
  return null;
}
