// Typed errors. Library code throws these; only bin/sluice (through src/cli/main.ts) maps
// them to exit statuses, so every failure class has exactly one exit code. `exitStatuses` is
// the one table of those codes: EXIT is built from it, and --help, the manual and the README
// print it.

/** Every exit status, in the order --help, the manual and the README list them. */
export const exitStatuses = [
  { code: 0, name: 'ok', meaning: 'success' },
  { code: 1, name: 'assertFailed', meaning: 'an assert failed' },
  { code: 2, name: 'usage', meaning: 'usage or program error' },
  { code: 65, name: 'badData', meaning: 'bad input data (under --on-error fail)' },
  { code: 69, name: 'unavailable', meaning: 'an input or output is unavailable (missing file, Kafka unreachable, missing topic or group)' },
  { code: 70, name: 'internal', meaning: 'internal error, a bug in sluice (SLUICE_DEBUG=1 prints the stack trace)' },
  { code: 74, name: 'ioError', meaning: 'writing an output failed (disk full, stdout or the dead-letter file closed or unwritable); the message says how many records were written' },
  { code: 75, name: 'overLimit', meaning: 'a limit was reached: --max-state, or the memory the run may use; the message names the stage and the figure' },
  { code: 130, name: 'interrupted', meaning: 'interrupted' },
] as const;

type Status = (typeof exitStatuses)[number];

/** Exit statuses by name: `EXIT.usage` is 2. */
export const EXIT = Object.fromEntries(exitStatuses.map((s) => [s.name, s.code])) as { readonly [S in Status as S['name']]: S['code'] };

export type ExitCode = Status['code'];

export class SluiceError extends Error {
  constructor(message: string, readonly exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A usage or program error (exit 2). `detail` holds extra lines such as a caret diagnostic. */
export class UsageError extends SluiceError {
  constructor(message: string, readonly detail: string = '') {
    super(message, EXIT.usage);
  }
}

/** Bad input data under --on-error fail (exit 65). */
export class DataError extends SluiceError {
  constructor(message: string, readonly where: string) {
    super(message, EXIT.badData);
  }
}

/** A source or sink that cannot be reached: missing file, Kafka down (exit 69). */
export class UnavailableError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.unavailable, options);
  }
}

/** Writing an output failed part-way: disk full, closed stdout, a dead-letter file gone (exit 74). */
export class OutputError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.ioError, options);
  }
}

/** A stage holds more state than --max-state (or the memory left) allows (exit 75). */
export class LimitError extends SluiceError {
  constructor(message: string) {
    super(message, EXIT.overLimit);
  }
}
