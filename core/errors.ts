/**
 * Errors a user must act on. The CLI prints them as one `error:` line plus hints and exits with
 * `exitCode`; any other exception is a bug and is shown with its stack only when ENVKNIT_DEBUG=1.
 *
 * @module
 */

/** A failure caused by input, the network, the index or the store: exit code 1. */
export class EnvknitError extends Error {
  /** Extra lines printed under the error, each as `hint: …`. */
  readonly hints: string[];
  /** Process exit code: 1 for failures, 2 for usage errors. */
  readonly exitCode: number;

  /**
   * An error with a one-line `message`, optional `hints`, the exit code (default 1) and the
   * error that caused it, if any.
   */
  constructor(
    message: string,
    options: { hints?: string[]; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EnvknitError";
    this.hints = options.hints ?? [];
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A command line that cannot be understood: exit code 2. */
export class UsageError extends EnvknitError {
  /** A usage error with a one-line `message` and optional `hints`; its exit code is 2. */
  constructor(message: string, options: { hints?: string[] } = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = "UsageError";
  }
}
