// Failures the `baremetal` CLI reports to its user: the text to print and the exit status.

/** Any error whose message is meant for the user as-is; exits with `exitCode` (1 by default). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad command-line usage detected after parsing (argparse-style exit status 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The API answered with an error status; `message` reads like ironicclient's "<fault> (HTTP <n>)". */
export class HttpError extends CliError {
  constructor(readonly status: number, readonly fault: string, readonly requestId?: string) {
    super(`${fault} (HTTP ${status})${requestId ? ` (Request-ID: ${requestId})` : ''}`);
    this.name = 'HttpError';
  }
}

/** The endpoint could not be reached at all. */
export class ConnectionError extends CliError {
  constructor(readonly url: string, reason: string, options?: ErrorOptions) {
    super(`Unable to establish connection to ${url}: ${reason}`, 1, options);
    this.name = 'ConnectionError';
  }
}

/** The server and this client could not agree on an API microversion. */
export class UnsupportedVersionError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedVersionError';
  }
}
