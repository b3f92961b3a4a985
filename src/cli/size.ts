// Sizes on the command line (--sort-buffer): a number of bytes with an optional K, M, G or T
// suffix (powers of 1024, as GNU sort's -S reads them); KB, KiB, MB, MiB ... mean the same.

import { UsageError } from '../errors/errors.js';

const UNITS: { [u: string]: number } = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  const bytes = m ? Number(m[1]) * UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!(bytes >= 1) || !Number.isFinite(bytes)) throw new UsageError(`${flag} takes a size such as 64M or 2G, not '${text}'`);
  return Math.floor(bytes);
}
