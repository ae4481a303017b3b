// Errors the command line reports as a message, without a stack trace, and how it reads thrown values.

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

/** The message of any thrown value, an Error or not (JavaScript lets code throw strings and anything else). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Whether `e`, thrown by `import(pkg)`, says that `pkg` itself is not installed, not that something
 * inside it failed to load. The command line is ESM, so Node reports this as ERR_MODULE_NOT_FOUND.
 */
export function isMissingPackage(e: unknown, pkg: string): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(pkg);
}
