// --follow: read a file and keep reading as it grows, like `tail -F`. When the file is
// truncated it is read again from the start; when it is replaced (log rotation: a new inode
// at the path) the old file is read to its end and the new one from its start. A missing
// path while rotating is waited for. Polling (every 100 ms) is used rather than fs.watch,
// whose events are unreliable across platforms and network file systems.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { decodeUtf8, type TextInput } from './text.js';

export function followInput(path: string, pollMs = 100): TextInput {
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = () => new Promise<void>((resolve) => {
    const t = setTimeout(() => { wake = null; resolve(); }, pollMs);
    wake = () => { clearTimeout(t); wake = null; resolve(); };
  });

  async function* bytes(): AsyncGenerator<Buffer> {
    let fh: FileHandle = await open(path, 'r');
    let ino = (await fh.stat()).ino;
    let pos = 0;
    let rotated = false;
    const buf = Buffer.alloc(1 << 20);
    try {
      while (!stopped) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead > 0) {
          pos += bytesRead;
          yield Buffer.from(buf.subarray(0, bytesRead));
          continue;
        }
        if (rotated) {
          // the old file is read to its end: continue with the new one
          rotated = false;
          await fh.close();
          fh = await open(path, 'r');
          ino = (await fh.stat()).ino;
          pos = 0;
          continue;
        }
        const atPath = await stat(path).catch(() => null);
        if (atPath !== null && atPath.ino !== ino) {
          // rotated: lines may have gone to the old file after the read above found nothing
          // and before it was renamed, so read it to its end once more before switching
          rotated = true;
          continue;
        }
        if ((await fh.stat()).size < pos) {
          pos = 0; // truncated: read again from the start
          continue;
        }
        await sleep();
      }
    } finally {
      await fh.close();
    }
  }

  return {
    name: path,
    path,
    chunks: () => decodeUtf8(bytes()),
    close() {
      stopped = true;
      wake?.();
    },
  };
}
