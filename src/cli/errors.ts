// Errors the command line reports as a message, without a stack trace.

/**
 * An error meant for the user of the command line: its message is printed as it is, and the
 * process exits with `exitCode` (2 for a wrong command line, 1 for anything else).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line (an unknown option, a bad option value, a missing argument): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
