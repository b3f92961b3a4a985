// What the operating system says about an input, in words, as an UnavailableError (exit 69).
// Every open, stat and read of a file or stdin goes through `inputError` when it fails, so no
// OS error on an input reaches the user as `internal error` (exit 70, kept for real bugs).

import { SluiceError, UnavailableError } from '../errors/errors.js';

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files (raise `ulimit -n`)',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  ESTALE: 'stale file handle (network file system)',
  ETIMEDOUT: 'timed out',
  EAGAIN: 'resource temporarily unavailable',
  EBADF: 'the file was closed',
  ENOMEM: 'out of memory',
  EOVERFLOW: 'the file is too large',
};

/** An OS error code such as 'EACCES', or null when `e` is not an error from the system. */
export function errnoCode(e: unknown): string | null {
  if (e instanceof SluiceError || typeof e !== 'object' || e === null) return null;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/**
 * `cannot read 'PATH': WHY` for an OS error met on an input (`when` adds context such as
 * `after 12 lines`); a SluiceError or a non-OS error is returned unchanged.
 */
export function inputError(path: string, e: unknown, when = ''): unknown {
  const code = errnoCode(e);
  if (code === null) return e;
  const why = WHY[code] ?? `${code} (${String((e as Error).message).replace(/^E[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '')})`;
  const name = path === '-' ? 'stdin' : `'${path}'`;
  return new UnavailableError(`cannot read ${name}: ${why}${when === '' ? '' : ` (${when})`}`, { cause: e });
}
