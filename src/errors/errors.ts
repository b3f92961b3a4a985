// Typed errors. Library code throws these; only bin/sluice (through src/cli/main.ts) maps
// them to exit statuses, so every failure class has exactly one exit code.

export const EXIT = {
  ok: 0,
  assertFailed: 1,
  usage: 2,
  badData: 65,
  unavailable: 69,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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

export class AssertionFailed extends SluiceError {
  constructor(message: string) {
    super(message, EXIT.assertFailed);
  }
}

export class Interrupted extends SluiceError {
  constructor() {
    super('interrupted', EXIT.interrupted);
  }
}
