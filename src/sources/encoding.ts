// Text encodings of inputs. UTF-8 is the rule (Utf8Text in text.ts, which counts the
// characters it had to replace with U+FFFD); UTF-16 is decoded when a byte order mark says so
// (a CSV saved by Excel as "Unicode text"); UTF-32 is refused by name rather than read as
// garbage. The mark is read off the first bytes of the (decompressed) content, or, for a plain
// file resumed mid-way, off the first bytes a checkpoint keeps (InputPosition.head).

import { DataError } from '../errors/errors.js';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Bytes to text for one encoding, holding back a character cut in two by a read. */
export interface TextBytes {
  /** bytes behind the text returned so far */
  bytes: number;
  /** bytes pushed but not yet turned into text */
  readonly held: number;
  /** invalid sequences replaced with U+FFFD so far */
  readonly replaced: number;
  /** see Utf8Text.fragments */
  readonly fragments: string[];
  push(b: Buffer): string;
  /** End of the bytes: a character left incomplete becomes U+FFFD. */
  end(): string;
}

/** The encoding a byte order mark at the start of `b` says, 'utf-8' without one; throws for UTF-32. */
export function encodingOf(name: string, b: Uint8Array): Encoding {
  if ((b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) || (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff)) {
    const le = b[0] === 0xff;
    throw new DataError(
      `${name}: UTF-32${le ? 'LE' : 'BE'} text (by its byte order mark) is not supported: convert it first, e.g. \`iconv -f UTF-32 -t UTF-8 ${name === '(stdin)' ? '' : `${name} `}| sluice ...\``,
      name,
    );
  }
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/**
 * UTF-16 (LE or BE) to text. The byte order mark is counted in `bytes` but not returned; an odd
 * byte or a high surrogate at the end of a read waits for the next.
 */
export class Utf16Text implements TextBytes {
  bytes = 0;
  readonly replaced = 0;
  readonly fragments: string[] = [];
  private carry: Buffer | null = null;
  private started: boolean;

  /** `atStart`: the bytes begin at the start of the content (where the byte order mark is). */
  constructor(readonly encoding: 'utf-16le' | 'utf-16be', atStart = true) {
    this.started = !atStart;
  }

  get held(): number {
    return this.carry === null ? 0 : this.carry.length;
  }

  push(b: Buffer): string {
    let buf = this.carry === null ? b : Buffer.concat([this.carry, b]);
    let from = 0;
    if (!this.started) {
      if (buf.length < 2) {
        this.carry = Buffer.from(buf);
        return '';
      }
      this.started = true;
      from = 2; // the byte order mark
    }
    let upto = buf.length - ((buf.length - from) % 2);
    if (upto - from >= 2) {
      const last = this.encoding === 'utf-16le' ? buf.readUInt16LE(upto - 2) : buf.readUInt16BE(upto - 2);
      if (last >= 0xd800 && last <= 0xdbff) upto -= 2; // a high surrogate: its pair is in the next read
    }
    this.carry = upto < buf.length ? Buffer.from(buf.subarray(upto)) : null;
    this.bytes += upto;
    if (upto <= from) return '';
    if (this.encoding === 'utf-16be') buf = Buffer.from(buf.subarray(from, upto)).swap16();
    else buf = buf.subarray(from, upto);
    return buf.toString('utf16le');
  }

  end(): string {
    if (this.carry === null) return '';
    const n = this.carry.length;
    this.bytes += n;
    this.carry = null;
    return n >= 2 ? '\ufffd'.repeat(n >> 1) + (n % 2 === 1 ? '\ufffd' : '') : '\ufffd';
  }
}
