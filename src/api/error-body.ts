// The one place that writes Ironic's error body: {"error_message": "<JSON string of faultcode,
// faultstring, debuginfo>"}. Unknown errors are logged with their stack and answered with a generic 500.
import { AppError } from '../common/errors.js';
import { log } from '../common/log.js';
import { scrubText } from '../common/secrets.js';

export interface ErrorResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export function errorBody(status: number, message: string, debuginfo: string | null = null): string {
  const inner = JSON.stringify({ faultcode: status < 500 ? 'Client' : 'Server', faultstring: scrubText(message), debuginfo });
  return JSON.stringify({ error_message: inner });
}

export function renderError(err: unknown, debug: boolean): ErrorResponse {
  if (err instanceof AppError) {
    return { status: err.status, body: errorBody(err.status, err.message), headers: err.headers ?? {} };
  }
  const e = err as Error;
  log.error('unhandled error while serving a request', { error: e?.message, stack: e?.stack });
  const debuginfo = debug && e?.stack ? scrubText(e.stack) : null;
  return { status: 500, body: errorBody(500, 'An internal error occurred; the service log has the details.', debuginfo), headers: {} };
}
